import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What a run ended as: `failed_final` is a failure that will not be retried (bad input, or the last attempt). */
export type RunOutcome = 'completed' | 'failed' | 'failed_final';

/** Prometheus metrics of the jobs run in one worker process (`sibyl worker`, SIBYL_WORKER_METRICS_PORT). */
export class JobMetrics {
  readonly registry = new Registry();
  readonly runs = new Counter({
    name: 'sibyl_job_attempts_total',
    help: 'Job attempts run by this worker, by job and outcome',
    labelNames: ['job', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'sibyl_job_duration_seconds',
    help: 'Job attempt duration by job and outcome',
    labelNames: ['job', 'outcome'] as const,
    buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    registers: [this.registry],
  });

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry, prefix: 'sibyl_worker_' });
  }

  observe(job: string, outcome: RunOutcome, seconds: number): void {
    this.runs.inc({ job, outcome });
    this.duration.observe({ job, outcome }, seconds);
  }
}
