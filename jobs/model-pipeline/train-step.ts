import { UnrecoverableError } from 'bullmq';
import type { ModelStatus } from '../../src/domain/model-doc.js';
import type { PersistentRecommender } from '../../models/core/types.js';
import { getKind, UnknownKindError } from '../../models/kinds.js';
import { newVersion } from '../../models/registry/registry.js';
import { testHorizonMs } from '../../models/eval/split.js';
import { fitServedBlends } from '../../src/feed/offline/blend-fit.js';
import { errorMessage, type PipelineContext, type Progress } from './context.js';
import { cutoffOf } from './settings.js';
import { DAY_MS } from '../../src/util/durations.js';

export interface TrainRequest {
  /** Ties the steps of one run together; a retried train of the same chain reuses its candidate. */
  chainId: string;
  kind?: string;
  hyperparameters?: Record<string, unknown>;
  seed?: number;
  windowDays?: number;
  testFraction?: number;
}

export interface TrainResult {
  version: string;
  kind: string;
  status: ModelStatus;
  /** True when an earlier attempt of the same chain had already trained it. */
  reused: boolean;
  dataWindow: { from: Date; to: Date };
  split?: Record<string, unknown>;
  trainSeconds?: number;
}

/**
 * Fits a candidate on the training part of a temporal split of the last `windowDays` of
 * interactions and saves it. A failure is recorded as a `failed` model (and rethrown); the
 * active model is not touched.
 */
export async function trainCandidate(
  ctx: PipelineContext,
  request: TrainRequest,
  onProgress?: Progress,
): Promise<TrainResult> {
  const existing = await ctx.deps.registry.latestOfChain(request.chainId);
  if (existing) {
    return {
      version: existing.version,
      kind: existing.kind,
      status: existing.status,
      reused: true,
      dataWindow: existing.dataWindow,
      ...(existing.split ? { split: existing.split } : {}),
      ...(existing.trainSeconds !== undefined ? { trainSeconds: existing.trainSeconds } : {}),
    };
  }
  const kindName = request.kind ?? ctx.settings.kind;
  let kind;
  try {
    kind = getKind(kindName);
  } catch (err) {
    if (err instanceof UnknownKindError) throw new UnrecoverableError(err.message);
    throw err;
  }
  const createdAt = ctx.now();
  const version = newVersion(kindName, createdAt);
  const windowDays = request.windowDays ?? ctx.settings.windowDays;
  const testFraction = request.testFraction ?? ctx.settings.testFraction;
  const seed = request.seed ?? ctx.settings.seed;
  const dataWindow = { from: new Date(createdAt.getTime() - windowDays * DAY_MS), to: createdAt };
  const log = ctx.deps.logger.child({ version, chainId: request.chainId });
  const report = (fraction: number, stage: string) => onProgress?.(fraction, stage);
  let model: PersistentRecommender | undefined;
  try {
    try {
      model = kind.create(request.hyperparameters ?? ctx.settings.hyperparameters[kindName]);
    } catch (err) {
      throw new UnrecoverableError(`bad hyperparameters for ${kindName}: ${errorMessage(err)}`);
    }
    report(0, 'loading interactions');
    const split = await ctx.loadSplit(dataWindow, testFraction);
    log.info({ split: split.info }, 'training candidate');
    report(0.05, 'fitting');
    const started = Date.now();
    // Fitting is a function of the data and the seed: what fails there fails again on a retry.
    const fitted = model;
    const blends = await deterministic(async () => {
      await fitted.fit(split.train, {
        seed,
        onProgress: (fraction, stage) => report(0.05 + 0.7 * fraction, `fitting: ${stage}`),
      });
      // The served rankers' score blends for this model, learned on the window's latest rows.
      const horizonMs = testHorizonMs(split.info);
      return fitServedBlends(split.train, [fitted], {
        ...(horizonMs !== undefined ? { horizonMs } : {}),
        seed,
        k: cutoffOf(ctx.settings.gate.metric),
        onProgress: (fraction, stage) => report(0.75 + 0.2 * fraction, `blend: ${stage}`),
      });
    });
    const trainSeconds = (Date.now() - started) / 1000;
    if (blends.size) log.info({ blends: Object.fromEntries(blends) }, 'served blends fitted');
    report(0.95, 'saving artifact');
    const doc = await ctx.deps.registry.createCandidate({
      version,
      kind: kindName,
      model,
      dataWindow,
      seed,
      testFraction,
      split: { ...split.info },
      chainId: request.chainId,
      createdAt,
      trainSeconds,
      blends: Object.fromEntries(blends),
    });
    ctx.cached = { version, split, model };
    report(1, 'trained');
    log.info({ trainSeconds }, 'candidate saved');
    return {
      version,
      kind: kindName,
      status: doc.status,
      reused: false,
      dataWindow,
      split: { ...split.info },
      trainSeconds,
    };
  } catch (err) {
    log.error({ err }, 'training failed');
    await ctx.deps.registry.recordFailure({
      version,
      kind: kindName,
      dataWindow,
      seed,
      hyperparameters: { ...(model?.hyperparameters ?? request.hyperparameters) },
      testFraction,
      chainId: request.chainId,
      createdAt,
      error: errorMessage(err instanceof DeterministicFailure ? err.cause : err),
    });
    // Nothing to learn from, or a fit that failed, is not worth retrying (a nightly chain would
    // retrain on each of its attempts); loading and saving may be, as storage comes back.
    if (err instanceof DeterministicFailure) {
      throw new UnrecoverableError(`training failed: ${errorMessage(err.cause)}`);
    }
    if (err instanceof RangeError && /no interactions/.test(err.message)) {
      throw new UnrecoverableError(`training failed: ${err.message}`);
    }
    throw err;
  }
}

/** A failure of a step that would fail the same way if retried. */
class DeterministicFailure extends Error {
  constructor(override readonly cause: unknown) {
    super(errorMessage(cause));
  }
}

async function deterministic<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new DeterministicFailure(err);
  }
}
