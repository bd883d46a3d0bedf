import { Gauge, type Registry } from 'prom-client';
import type { Store } from '../store/types.js';
import { summarizeRuns, type RunSummary } from '../../jobs/job-runs.js';
import type { ModelRegistry } from '../../models/registry/registry.js';
import type { ModelDoc } from '../domain/model-doc.js';
import { newestReport } from '../reports/daily-reports.js';
import { units } from '../reports/money-totals.js';

/** One read of the store per scrape, however many gauges ask, and never a failed scrape. */
function perScrape<T>(read: () => Promise<T>): () => Promise<T | undefined> {
  let pending: Promise<T | undefined> | undefined;
  return () => {
    pending ??= read()
      .catch(() => undefined) // the store being down shows in /readyz; metrics go on without these
      .finally(() => setTimeout(() => (pending = undefined), 1_000).unref());
    return pending;
  };
}

/**
 * Gauges read from the store at scrape time: what the workers did (`job_runs`), which model
 * serves with what offline quality (`models`) and the newest daily report (`daily_reports`). They are the same on every replica, since they come
 * from the shared store rather than from one process's memory.
 */
export function registerStoreMetrics(registry: Registry, store: Store, models: ModelRegistry): void {
  const runs = perScrape(() => summarizeRuns(store));
  const modelState = perScrape(async () => ({
    counts: await models.counts(),
    active: await models.activeModels(),
  }));
  const byRun = (
    gauge: Gauge<'job' | 'outcome'>,
    value: (r: RunSummary) => number | undefined,
    rows: RunSummary[] | undefined,
  ) => {
    gauge.reset();
    for (const r of rows ?? []) {
      const v = value(r);
      if (v !== undefined) gauge.set({ job: r.name, outcome: r.status }, v);
    }
  };
  const report = perScrape(() => newestReport(store));
  new Gauge({
    name: 'sibyl_daily_report_attributed_share',
    help: "Share of the newest reported day's trades attributed to a served feed, by trade count and by notional",
    labelNames: ['measure'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const r = await report();
      if (!r) return;
      const share = (part: bigint, whole: bigint) =>
        whole === 0n ? 0 : Number((part * 1_000_000n) / whole) / 1e6;
      this.set({ measure: 'trades' }, share(BigInt(r.attributed.trades), BigInt(r.total.trades)));
      this.set({ measure: 'notional' }, share(units(r.attributed.notional), units(r.total.notional)));
    },
  });
  new Gauge({
    name: 'sibyl_daily_report_exceptions',
    help: "Exceptions in the newest reported day's latest version, by reason code",
    labelNames: ['reason'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const [reason, n] of Object.entries((await report())?.exceptions.counts ?? {}))
        this.set({ reason }, n);
    },
  });
  new Gauge({
    name: 'sibyl_daily_report_reconciled',
    help: 'Whether the newest reported day ties out (1) or not (0); -1 before the first report',
    registers: [registry],
    async collect() {
      const r = await report();
      this.set(!r ? -1 : r.status === 'reconciled' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'sibyl_daily_report_day_start_seconds',
    help: 'Start of the newest reported day (Unix seconds; 0 before the first report): an alert can see reports stop coming',
    registers: [registry],
    async collect() {
      const r = await report();
      this.set(r ? r.day.start.getTime() / 1000 : 0);
    },
  });
  new Gauge({
    name: 'sibyl_job_runs',
    help: 'Job runs recorded in job_runs, by job and outcome (completed, failed, abandoned, running)',
    labelNames: ['job', 'outcome'] as const,
    registers: [registry],
    async collect() {
      byRun(this, (r) => r.runs, await runs());
    },
  });
  new Gauge({
    name: 'sibyl_job_last_duration_seconds',
    help: 'Duration of the latest recorded run, by job and outcome',
    labelNames: ['job', 'outcome'] as const,
    registers: [registry],
    async collect() {
      byRun(
        this,
        (r) => (r.lastDurationMs === undefined ? undefined : r.lastDurationMs / 1000),
        await runs(),
      );
    },
  });
  new Gauge({
    name: 'sibyl_job_last_end_timestamp_seconds',
    help: 'When the latest recorded run ended (Unix time), by job and outcome: alert on a stale nightly',
    labelNames: ['job', 'outcome'] as const,
    registers: [registry],
    async collect() {
      byRun(this, (r) => (r.lastEndedAt ? r.lastEndedAt.getTime() / 1000 : undefined), await runs());
    },
  });
  new Gauge({
    name: 'sibyl_models',
    help: 'Model versions by status (candidate, active, rejected, retired, failed)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const [status, n] of Object.entries((await modelState())?.counts.byStatus ?? {}))
        this.set({ status }, n);
    },
  });
  new Gauge({
    name: 'sibyl_model_decisions',
    help: 'Promotion decisions: versions ever promoted (active or retired since) and rejected by the gate',
    labelNames: ['decision'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const state = await modelState();
      if (!state) return;
      this.set({ decision: 'promoted' }, state.counts.promoted);
      this.set({ decision: 'rejected' }, state.counts.byStatus.rejected ?? 0);
    },
  });
  new Gauge({
    name: 'sibyl_model_active_info',
    help: 'The active model version of each kind (1 on its labels)',
    labelNames: ['version', 'kind'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const active of (await modelState())?.active ?? [])
        this.set({ version: active.version, kind: active.kind }, 1);
    },
  });
  new Gauge({
    name: 'sibyl_model_active_offline_metric',
    help: "Each kind's active model's offline metrics (ndcg@10, recall@10, …) on its evaluation split",
    labelNames: ['kind', 'metric'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const active of (await modelState())?.active ?? [])
        for (const [metric, value] of Object.entries(offlineMetrics(active)))
          this.set({ kind: active.kind, metric }, value);
    },
  });
}

/** The metrics the active model scored as a candidate on its evaluation split. */
function offlineMetrics(doc: ModelDoc | undefined): Record<string, number> {
  const own = doc?.metrics?.candidate ?? {};
  return Object.fromEntries(Object.entries(own).filter(([, v]) => Number.isFinite(v)));
}
