import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one API process. */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'sibyl_http_request_duration_seconds',
    help: 'HTTP request latency by route, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly ingested = new Counter({
    name: 'sibyl_ingested_items_total',
    help: 'Items stored through the ingestion API, by kind and outcome',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly feedItems = new Histogram({
    name: 'sibyl_feed_page_items',
    help: 'Items per feed page served',
    labelNames: ['ranker'] as const,
    buckets: [0, 1, 5, 10, 20, 50, 100],
    registers: [this.registry],
  });

  readonly exposures = new Counter({
    name: 'sibyl_experiment_exposures_total',
    help: 'Users first exposed to an experiment variation by this process (each logged once)',
    labelNames: ['experiment', 'variation'] as const,
    registers: [this.registry],
  });

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry, prefix: 'sibyl_' });
  }

  /** Live pushes, read from the hub and the open streams when scraped. */
  watchPush(
    read: () => {
      streams: number;
      watchedFeeds: number;
      events: Record<string, number>;
      reranks: number;
      appendFailures: number;
    },
  ): void {
    const registers = [this.registry];
    new Gauge({
      name: 'sibyl_push_streams',
      help: 'Open feed streams (SSE responses and WebSockets) on this replica',
      registers,
      collect() {
        this.set(read().streams);
      },
    });
    new Gauge({
      name: 'sibyl_push_watched_feeds',
      help: 'Feeds this replica computes pushes for (watched, or recently left and still logged for a resume)',
      registers,
      collect() {
        this.set(read().watchedFeeds);
      },
    });
    new Gauge({
      name: 'sibyl_push_events',
      help: 'Events pushed since start, by type',
      labelNames: ['type'] as const,
      registers,
      collect() {
        for (const [type, n] of Object.entries(read().events)) this.set({ type }, n);
      },
    });
    new Gauge({
      name: 'sibyl_push_reranks',
      help: 'Fresh rankings computed for pushes since start',
      registers,
      collect() {
        this.set(read().reranks);
      },
    });
    new Gauge({
      name: 'sibyl_push_append_failures',
      help: 'Events lost because the event log could not number them (Redis unreachable)',
      registers,
      collect() {
        this.set(read().appendFailures);
      },
    });
  }

  /** Times every request; the label is the route pattern, never the raw URL (bounded cardinality). */
  middleware(): RequestHandler {
    return (req, res, next) => {
      const end = this.httpDuration.startTimer();
      res.on('finish', () => {
        const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
        end({ method: req.method, route, status: String(res.statusCode) });
      });
      next();
    };
  }
}
