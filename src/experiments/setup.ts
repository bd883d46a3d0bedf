import { access } from 'node:fs/promises';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/types.js';
import { RankerAssigner } from './assignment/ranker-assigner.js';
import { loadDefinitions } from './definitions/load.js';
import type { Definitions } from './definitions/validate.js';
import { ExposureLog } from './exposure-log.js';

export interface Experiments {
  assigner: RankerAssigner;
  exposures: ExposureLog;
  definitions: () => Definitions;
  close(): Promise<void>;
}

/**
 * Experiments from the definitions directory, or none when it does not exist. Invalid definitions
 * stop start-up with every issue listed: a typo must not silently serve the wrong ranker.
 */
export async function setUpExperiments(
  dir: string,
  store: Store,
  logger: Logger,
): Promise<Experiments | undefined> {
  try {
    await access(dir);
  } catch {
    logger.info({ dir }, 'no experiment definitions: every feed uses the default ranker');
    return undefined;
  }
  const definitions = await loadDefinitions(dir);
  const exposures = new ExposureLog(store, logger);
  const assigner = new RankerAssigner({
    payload: definitions.payload,
    source: dir,
    // The SDK calls this whenever an evaluation puts a user in an experiment: one call per served feed.
    trackingCallback: (experiment, result, user) =>
      exposures.record({
        userId: String(user.attributes?.id),
        experimentId: experiment.key,
        variationId: result.key,
        timestamp: new Date(),
      }),
  });
  logger.info({ dir, experiments: definitions.experiments.map((e) => e.key) }, 'experiments loaded');
  return { assigner, exposures, definitions: () => definitions, close: () => exposures.close() };
}
