import { access } from 'node:fs/promises';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/types.js';
import { RankerAssigner } from './assignment/ranker-assigner.js';
import { loadDefinitions } from './definitions/load.js';
import type { Definitions } from './definitions/validate.js';
import { ExposureLog } from './exposure-log.js';
import { GrowthBookSource } from './growthbook-source.js';

export interface Experiments {
  assigner: RankerAssigner;
  exposures: ExposureLog;
  definitions: () => Definitions;
  /** For /readyz: a note while a GrowthBook server cannot be refreshed from. */
  status: () => string | undefined;
  /** Fetches the GrowthBook payload now (a no-op for file definitions). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

export interface ExperimentSources {
  /** Definition files product managers edit. */
  dir: string;
  /** A GrowthBook server to take the payload from instead (files, if any, serve until it answers). */
  growthbook?: { apiHost: string; clientKey: string; refreshMs?: number };
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
): Promise<Experiments | undefined> {
  const files = (await exists(sources.dir)) ? await loadDefinitions(sources.dir) : undefined;
  if (!files && !sources.growthbook) {
    logger.info({ dir: sources.dir }, 'no experiment definitions: every feed uses the default ranker');
    return undefined;
  }
  const exposures = new ExposureLog(store, logger);
  const assigner = new RankerAssigner({
    payload: (files ?? EMPTY).payload,
    source: sources.dir,
    // The SDK calls this whenever an evaluation puts a user in an experiment: one call per served feed.
    trackingCallback: (experiment, result, user) =>
      exposures.record({
        userId: String(user.attributes?.id),
        experimentId: experiment.key,
        variationId: result.key,
        timestamp: new Date(),
      }),
  });
  let server: GrowthBookSource | undefined;
  if (sources.growthbook) {
    server = new GrowthBookSource(assigner, logger, sources.growthbook);
    await server.start();
  }
  const definitions = () => server?.definitions() ?? files ?? EMPTY;
  logger.info(
    { source: server?.url ?? sources.dir, experiments: definitions().experiments.map((e) => e.key) },
    'experiments loaded',
  );
  return {
    assigner,
    exposures,
    definitions,
    status: () => server?.status(),
    refresh: async () => server?.refresh(),
    close: async () => {
      server?.stop();
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
