/** The shapes of the public API's JSON the pages read (docs/api.md and /openapi.json). */

export interface Variation {
  id: string;
  name: string | null;
  ranker: string;
  weight: number;
}

export interface Experiment {
  key: string;
  feature: string;
  name: string | null;
  hashAttribute: string;
  status: 'running' | 'stopped';
  coverage: number;
  variations: Variation[];
  condition: Record<string, unknown> | null;
  source: string;
  rule: Record<string, unknown> | null;
}

export interface ExperimentList {
  experiments: Experiment[];
  editable: boolean;
  growthbookUrl: string | null;
  rankers: string[];
}

export interface VariationResult {
  variationId: string;
  exposedUsers: number;
  impressions: number;
  clicks: number;
  trades: number;
  notional: number;
  ctr: number | null;
  tradeConversion: number | null;
  tradesPerUser: number | null;
  notionalPerUser: number | null;
}

export interface Lift {
  reason: string | null;
  relativeLift: number | null;
  confidenceInterval: { lower: number; upper: number } | null;
  pValue: number | null;
  chanceToBeatControl: number | null;
}

export interface DailyPoint {
  date: string;
  variations: {
    variationId: string;
    newUsers: number;
    impressions: number;
    clicks: number;
    trades: number;
    notional: number;
  }[];
}

export interface Results {
  experiment: Experiment;
  controlVariationId: string;
  variations: VariationResult[];
  comparisons: { variationId: string; metric: string; result: Lift }[];
  sampleRatioMismatch: { chiSquared: number; pValue: number; warning: boolean } | null;
  daily: DailyPoint[];
  computedAt: string;
}

export interface GateResult {
  metric: string;
  decision: 'promote' | 'reject';
  reason: string;
  values: { candidate?: number; active?: number; baseline?: number };
  baseline?: string;
}

export interface Model {
  version: string;
  kind: string;
  status: 'candidate' | 'active' | 'rejected' | 'retired' | 'failed';
  createdAt: string;
  trainedAt?: string;
  metrics?: Record<string, Record<string, number>>;
  gate?: GateResult;
  promotedAt?: string;
  promotionReason?: string;
  error?: string;
}

export interface ModelList {
  /** The default kind's (two-tower) active version. */
  active: string | null;
  /** The active version of each kind that has one. */
  activeByKind: Record<string, string>;
  models: Model[];
}

export interface FeedItem {
  ticker: string;
  title: string;
  category: string;
  score: number;
  reasons: string[];
}

export interface FeedPreview {
  userId: string;
  ranker: string;
  model: string | null;
  items: FeedItem[];
}

export interface JobRun {
  _id: string;
  name: string;
  jobId: string;
  attempt: number;
  status: 'running' | 'completed' | 'failed' | 'abandoned';
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  error?: string;
}

export interface JobRuns {
  jobs: string[];
  runs: JobRun[];
}

/** Report totals: money as the API's exact decimal strings (contracts "12.50", dollars "4.166250"). */
export interface MoneyTotals {
  trades: number;
  traders: number;
  contracts: string;
  notional: string;
}

export interface ReportRowKey {
  surface: string;
  ranker: string;
  rankerVersion: number | null;
  model: string | null;
  experiment: string | null;
  variation: string | null;
  category: string;
}

export interface ReportRow extends ReportRowKey, MoneyTotals {
  impressions: number;
  clicks: number;
  ctr: number | null;
  meanPosition: number | null;
}

export interface ReportException {
  reason: string;
  eventId: string;
  type: string;
  userId: string;
  ticker: string;
  feedId: string | null;
}

/** A measure before and after a restatement, and after − before, as exact decimals. */
export interface Change {
  before: string;
  after: string;
  delta: string;
}

export type TotalChanges = Partial<Record<keyof MoneyTotals, Change>>;

export interface ReportChanges {
  attributed: TotalChanges;
  organic: TotalChanges;
  total: TotalChanges;
  rows: (ReportRowKey & { change: 'added' | 'removed' | 'changed'; measures: Record<string, Change> })[];
  exceptions: Record<string, Change>;
}

export interface ReportBasis {
  timeZone: string;
  cutoff: string;
  settings: { windowHours: number; clickThroughOnly: boolean };
}

export interface DailyReport {
  date: string;
  version: number;
  status: 'reconciled' | 'unreconciled';
  tieOut: {
    reconciled: boolean;
    breaks: { measure: 'trades' | 'contracts' | 'notional'; attributedPlusOrganic: string; total: string }[];
  };
  rows: ReportRow[];
  attributed: MoneyTotals;
  organic: MoneyTotals;
  total: MoneyTotals;
  exceptions: { counts: Record<string, number>; items: ReportException[]; truncated: boolean };
  day: { start: string; end: string; timeZone: string; cutoff: string };
  settings: { windowHours: number; clickThroughOnly: boolean };
  asOf: string;
  createdAt: string;
  restates: {
    version: number;
    changes: ReportChanges;
    basis: { before: ReportBasis; after: ReportBasis } | null;
  } | null;
}

export interface ReportVersionSummary {
  version: number;
  status: 'reconciled' | 'unreconciled';
  createdAt: string;
  asOf: string;
  trades: number;
  exceptions: number;
}

export interface ReportDays {
  days: {
    date: string;
    latestVersion: number;
    status: 'reconciled' | 'unreconciled';
    versions: ReportVersionSummary[];
  }[];
}
