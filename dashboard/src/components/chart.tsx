import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
);
// Charts appear at once: screenshots and tests see the final picture, and nobody waits for motion.
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.font.family = 'system-ui, sans-serif';

/** One colour per arm (control first), readable on white and for common colour blindness. */
export const ARM_COLOURS = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#e15759', '#76b7b2'];

/**
 * A Chart.js chart in a canvas, with a text label for screen readers (the canvas itself is opaque
 * to them: the tables beside each chart carry the numbers).
 */
export function ChartView(props: { label: string; config: ChartConfiguration; height?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const chart = new Chart(canvas.current!, props.config);
    return () => chart.destroy();
  }, [props.config]);
  return (
    <figure class="chart" style={{ height: `${props.height ?? 220}px` }}>
      <figcaption>{props.label}</figcaption>
      <div class="chart-box">
        <canvas ref={canvas} role="img" aria-label={props.label} data-chart={props.label} />
      </div>
    </figure>
  );
}
