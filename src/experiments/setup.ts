import { access } from 'node:fs/promises';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/types.js';
import { RankerAssigner } from './assignment/ranker-assigner.js';
import { loadDefinitions } from './definitions/load.js';
import type { Definitions } from './definitions/validate.js';
import { ExposureLog, type Exposure } from './exposure-log.js';
import type { StickyBucketService } from '@growthbook/growthbook';
import { GrowthBookSource } from './growthbook-source.js';
import type { RankerAssignment } from '../feed/rankers/ranker-assignment.js';
import { clearOverride, readOverrides, withOverrides, writeOverride } from './coverage-overrides.js';
import { checkRuleEdit, readRuleEdits, saveRuleEdit } from './rule-edits.js';

export interface Experiments {
  assigner: RankerAssigner;
  /** What the feed asks for a user's ranker: the assigner, through sticky buckets when configured. */
  assignment: RankerAssignment;
  exposures: ExposureLog;
  definitions: () => Definitions;
  /** For /readyz: a note while a GrowthBook server cannot be refreshed from. */
  status: () => string | undefined;
  /** Fetches the GrowthBook payload, or re-reads coverage overrides of file definitions, now. */
  refresh(): Promise<void>;
  /**
   * Starts (coverage > 0) or stops (0) a file-defined experiment for every replica; undefined when
   * the payload comes from a GrowthBook server, where its UI does this.
   */
  setCoverage?: (key: string, coverage: number) => Promise<void>;
  /**
   * Creates or replaces a file-defined ranker experiment for every replica (checked like the files:
   * a 422 naming each bad field); undefined when a GrowthBook server owns the definitions.
   */
  saveRule?: (key: string, rule: unknown) => Promise<void>;
  /** The GrowthBook server the definitions come from, when they do (they are read-only here). */
  growthbookUrl?: string;
  close(): Promise<void>;
}

export interface ExperimentSources {
  /** Definition files product managers edit. */
  dir: string;
  /** A GrowthBook server to take the payload from instead (files, if any, serve until it answers). */
  growthbook?: { apiHost: string; clientKey: string; refreshMs?: number };
  /** How often file definitions pick up coverage overrides made through another replica. @defaultValue 10000 */
  overridesRefreshMs?: number;
  /** Where sticky bucket assignments live, when users must keep their variation. */
  stickyBuckets?: StickyBucketService;
}

const EMPTY: Definitions = { payload: { features: {} }, experiments: [] };

/**
 * Experiments from the definitions directory or a GrowthBook server; none when neither exists.
 * Invalid definition files stop start-up with every issue listed: a typo must not silently serve
 * the wrong ranker. Exposures are logged from GrowthBook's tracking callback.
 */
export async function setUpExperiments(
  sources: ExperimentSources,
  store: Store,
  logger: Logger,
  options: {
    /** The clock stamping exposures (tests fix it). @defaultValue () => new Date() */
    now?: () => Date;
    /** Told of each exposure logged (once per user and experiment in this process), for metrics. */
    onExposure?: (exposure: Exposure) => void;
  } = {},
): Promise<Experiments | undefined> {
  const now = options.now ?? (() => new Date());
  const files = (await exists(sources.dir)) ? await loadDefinitions(sources.dir) : undefined;
  if (!files && !sources.growthbook) {
    logger.info({ dir: sources.dir }, 'no experiment definitions: every feed uses the default ranker');
    return undefined;
  }
  const exposures = new ExposureLog(
    store,
    logger,
    options.onExposure ? { onRecorded: options.onExposure } : {},
  );
  const assigner = new RankerAssigner({
    payload: (files ?? EMPTY).payload,
    source: sources.dir,
    ...(sources.stickyBuckets ? { stickyBuckets: sources.stickyBuckets } : {}),
    // The SDK calls this whenever an evaluation puts a user in an experiment: one call per served feed.
    trackingCallback: (experiment, result, user) =>
      exposures.record({
        userId: String(user.attributes?.id),
        experimentId: experiment.key,
        variationId: result.key,
        timestamp: now(),
      }),
  });
  const assignment: RankerAssignment = sources.stickyBuckets
    ? { assign: (userId, attributes) => assigner.assignSticky(userId, attributes) }
    : assigner;
  if (sources.growthbook) {
    const server = new GrowthBookSource(assigner, logger, sources.growthbook);
    await server.start();
    const definitions = () => server.definitions() ?? files ?? EMPTY;
    logger.info(
      { source: server.url, experiments: definitions().experiments.map((e) => e.key) },
      'experiments loaded',
    );
    return {
      assigner,
      assignment,
      exposures,
      definitions,
      status: () => server.status(),
      refresh: () => server.refresh(),
      growthbookUrl: server.url,
      close: async () => {
        server.stop();
        await exposures.close();
      },
    };
  }

  // File definitions, with the rules and coverage overrides product managers set through the API.
  const base = files ?? EMPTY;
  let current = base;
  const refresh = async () => {
    const [overrides, edits] = await Promise.all([readOverrides(store), readRuleEdits(store)]);
    const next = withOverrides(base, overrides, sources.dir, edits);
    if (next !== current) await assigner.setPayload(next.payload, sources.dir);
    current = next;
  };
  await refresh();
  const timer = setInterval(
    () => refresh().catch((err: unknown) => logger.warn({ err }, 'reading experiment overrides failed')),
    sources.overridesRefreshMs ?? 10_000,
  );
  timer.unref();
  logger.info(
    { source: sources.dir, experiments: current.experiments.map((e) => e.key) },
    'experiments loaded',
  );
  return {
    assigner,
    assignment,
    exposures,
    definitions: () => current,
    status: () => undefined,
    refresh,
    setCoverage: async (key, coverage) => {
      await writeOverride(store, key, coverage, now());
      await refresh();
    },
    saveRule: async (key, input) => {
      const rule = checkRuleEdit(current, key, input);
      const edit = { key, rule, updatedAt: now() };
      const others = (await readRuleEdits(store)).filter((e) => e.key !== key);
      // The whole payload with the edit must validate too (e.g. a key another feature uses).
      withOverrides(base, [], sources.dir, [...others, edit]);
      await saveRuleEdit(store, edit);
      // The saved rule's own coverage is what it serves now.
      await clearOverride(store, key);
      await refresh();
    },
    close: async () => {
      clearInterval(timer);
      await exposures.close();
    },
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
