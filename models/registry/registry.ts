import { CONFIG_DEFAULTS } from '../../src/config/env.js';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { SibylError } from '../../src/errors.js';
import type { Logger } from '../../src/log/logger.js';
import { coll, type CollectionSource } from '../../src/domain/collections.js';
import type { Collection, Filter } from 'mongodb';
import type { PersistentRecommender } from '../core/types.js';
import { DEFAULT_KIND, getKind } from '../kinds.js';
import { artifactDir, readManifest, updateManifest, writeArtifact, type Manifest } from './artifacts.js';
import type { ModelDoc, ModelStatus } from '../../src/domain/model-doc.js';
import type { ModelChange, ModelChangeNotifier } from './notify.js';

export interface ModelRegistryOptions {
  store: CollectionSource;
  /** Artifacts go to `<modelsDir>/<version>/` (SIBYL_MODELS_DIR). */
  modelsDir: string;
  /** Told after every promotion and rollback (Redis pub/sub when REDIS_URL is set). */
  notify?: ModelChangeNotifier;
  logger?: Logger;
  now?: () => Date;
  /**
   * Retired versions (rollback targets) and rejected ones whose artifacts are kept, each, newest
   * first; older ones lose their artifact directory (their documents stay, for history).
   * @defaultValue CONFIG_DEFAULTS.MODEL_KEEP_RETIRED
   */
  keepRetired?: number;
}

/** `two-tower` → `tt`, `popularity` → `p`. */
function kindPrefix(kind: string): string {
  return (
    kind
      .split(/[^A-Za-z0-9]+/)
      .filter(Boolean)
      .map((part) => part[0]!.toLowerCase())
      .join('') || 'm'
  );
}

/** A new, unique, time-sortable version name: `tt-20261123T010203Z-1a2b3c`. */
export function newVersion(kind: string, at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${kindPrefix(kind)}-${stamp}-${randomBytes(3).toString('hex')}`;
}

export interface CandidateInput {
  version: string;
  kind: string;
  model: PersistentRecommender;
  dataWindow: { from: Date; to: Date };
  seed: number;
  testFraction: number;
  split?: Record<string, unknown>;
  chainId?: string;
  createdAt: Date;
  trainSeconds?: number;
  /** Learned blends of the served rankers that rank with this model (by ranker name). */
  blends?: ModelDoc['blends'];
}

/** What a failed training run records: a model document's identity and inputs, and the error. */
export type FailureInput = Pick<
  ModelDoc,
  'version' | 'kind' | 'dataWindow' | 'seed' | 'hyperparameters' | 'testFraction' | 'chainId' | 'createdAt'
> & { error: string };

/** What an evaluation of a candidate records with it (see jobs/model-pipeline/evaluate-step.ts). */
export type EvaluationInput = Required<Pick<ModelDoc, 'metrics' | 'comparisons' | 'evaluatedAt' | 'split'>> &
  Pick<ModelDoc, 'comparedWith'>;

export interface PromoteOptions {
  reason: string;
  /** Statuses the model may be promoted from. @defaultValue ['candidate', 'retired', 'rejected'] */
  from?: ModelStatus[];
  /** Published with the change. @defaultValue 'promote' */
  action?: ModelChange['action'];
  /**
   * Only promote while this version is the active one (`null`: while none is): what the gate
   * compared against. A ModelConflictError otherwise.
   */
  ifActive?: string | null;
  /** Written with the status change (the gate's decision, say). */
  set?: Partial<ModelDoc>;
}

/** SIBYL_MODELS_DIR's default. */
export const DEFAULT_MODELS_DIR = CONFIG_DEFAULTS.SIBYL_MODELS_DIR;

const PROMOTABLE: ModelStatus[] = ['candidate', 'retired', 'rejected'];
const BY_SEQ = { promotionSeq: -1, version: -1 } as const;

/** The documents of one kind; documents from before kinds were recorded are two-tower models. */
export function ofKind(kind: string): Filter<ModelDoc> {
  return kind === DEFAULT_KIND ? { $or: [{ kind }, { kind: { $exists: false } }] } : { kind };
}

/** A document as read, its kind filled in when it predates kinds (see ofKind). */
function withKind<T extends ModelDoc | null>(doc: T): T {
  if (doc && !doc.kind) return { ...doc, kind: DEFAULT_KIND };
  return doc;
}

/**
 * Model versions: their documents in `models`, their artifacts on disk, and which one is active.
 *
 * One model of each kind is active (the two-tower serves the default ranker, EASE and BPR-MF
 * their own rankers), without transactions (MongoDB and the embedded store alike): a promotion
 * stamps the new model `active` with a promotion sequence number higher than any before (ties, from
 * racing promotions, broken by version), then retires every other active model of its kind ranked
 * below the best one it sees. Whichever of two racing promoters settles last sees both and retires
 * the loser, and readers always take the active model of a kind with the highest (promotionSeq,
 * version), so even the instant between the two writes has one answer. Promoting or rolling back
 * one kind never touches another's active model.
 */
export class ModelRegistry {
  readonly modelsDir: string;
  private readonly models: Collection<ModelDoc>;
  private readonly now: () => Date;

  constructor(private readonly options: ModelRegistryOptions) {
    this.modelsDir = options.modelsDir;
    this.models = coll(options.store, 'models');
    this.now = options.now ?? (() => new Date());
  }

  artifactDir(version: string): string {
    return artifactDir(this.modelsDir, version);
  }

  /**
   * Where a model's artifact is found: under this process's SIBYL_MODELS_DIR (replicas may mount
   * the shared volume at different paths), else where the trainer recorded it.
   */
  async locate(doc: ModelDoc): Promise<{ dir: string; manifest: Manifest }> {
    const local = this.artifactDir(doc.version);
    try {
      return { dir: local, manifest: await readManifest(local) };
    } catch (err) {
      if (doc.artifactDir === local) throw err;
      return { dir: doc.artifactDir, manifest: await readManifest(doc.artifactDir) };
    }
  }

  /**
   * Saves a trained model's artifact (manifest last) and records it as a `candidate`. The
   * document is written only once the artifact is complete, so a candidate is always loadable.
   */
  async createCandidate(input: CandidateInput): Promise<ModelDoc> {
    const dir = this.artifactDir(input.version);
    const hyperparameters = { ...input.model.hyperparameters };
    await writeArtifact(dir, input.model, {
      version: input.version,
      kind: input.kind,
      dataWindow: { from: input.dataWindow.from.toISOString(), to: input.dataWindow.to.toISOString() },
      seed: input.seed,
      hyperparameters,
    });
    const doc: ModelDoc = {
      version: input.version,
      kind: input.kind,
      status: 'candidate',
      dataWindow: input.dataWindow,
      seed: input.seed,
      hyperparameters,
      testFraction: input.testFraction,
      ...(input.split ? { split: input.split } : {}),
      artifactDir: dir,
      ...(input.chainId ? { chainId: input.chainId } : {}),
      createdAt: input.createdAt,
      trainedAt: this.now(),
      ...(input.trainSeconds !== undefined ? { trainSeconds: input.trainSeconds } : {}),
      ...(input.model.lastFit ? { fit: { ...input.model.lastFit } } : {}),
      ...(input.blends && Object.keys(input.blends).length ? { blends: input.blends } : {}),
    };
    await this.models.insertOne(doc);
    return doc;
  }

  /** Records a training run that failed: status `failed`, the error kept, nothing else touched. */
  async recordFailure(input: FailureInput): Promise<ModelDoc> {
    const dir = this.artifactDir(input.version);
    // Whatever a failed save left behind is never loadable (no manifest); drop it anyway.
    await rm(dir, { recursive: true, force: true });
    const doc: ModelDoc = {
      version: input.version,
      kind: input.kind,
      status: 'failed',
      dataWindow: input.dataWindow,
      seed: input.seed,
      hyperparameters: input.hyperparameters,
      testFraction: input.testFraction,
      artifactDir: dir,
      ...(input.chainId ? { chainId: input.chainId } : {}),
      createdAt: input.createdAt,
      error: input.error,
    };
    await this.models.insertOne(doc);
    return doc;
  }

  async get(version: string): Promise<ModelDoc | undefined> {
    return withKind(await this.models.findOne({ version })) ?? undefined;
  }

  /** The document of `version`; a not_found SibylError otherwise. */
  async require(version: string): Promise<ModelDoc> {
    const doc = await this.get(version);
    if (!doc) throw new SibylError('not_found', `No model version "${version}"`);
    return doc;
  }

  /** Newest first, of every kind or one. */
  async listModels(
    options: { status?: ModelStatus; kind?: string; limit?: number } = {},
  ): Promise<ModelDoc[]> {
    const filter: Filter<ModelDoc> = {
      ...(options.status ? { status: options.status } : {}),
      ...(options.kind ? ofKind(options.kind) : {}),
    };
    const docs = await this.models
      .find(filter, {
        sort: { createdAt: -1, version: -1 },
        ...(options.limit ? { limit: options.limit } : {}),
      })
      .toArray();
    return docs.map(withKind);
  }

  /**
   * The latest model trained by chain `chainId` that did not fail; with `orFailed`, its failure
   * when that is all the chain left.
   */
  async latestOfChain(chainId: string, options: { orFailed?: boolean } = {}): Promise<ModelDoc | undefined> {
    const newest = { sort: { createdAt: -1 } } as const;
    const trained = await this.models.findOne({ chainId, status: { $ne: 'failed' } }, newest);
    if (trained || !options.orFailed) return withKind(trained) ?? undefined;
    return withKind(await this.models.findOne({ chainId }, newest)) ?? undefined;
  }

  /** The newest candidate (of `kind`, when given), if any. */
  async latestCandidate(kind?: string): Promise<ModelDoc | undefined> {
    const filter: Filter<ModelDoc> = { status: 'candidate', ...(kind ? ofKind(kind) : {}) };
    return withKind(await this.models.findOne(filter, { sort: { createdAt: -1 } })) ?? undefined;
  }

  /**
   * Records a candidate's evaluation: on its document (replacing the previous one's, including
   * what it was compared with), then in its manifest's metrics.
   */
  async recordEvaluation(version: string, evaluation: EvaluationInput): Promise<void> {
    const { comparedWith, ...rest } = evaluation;
    await this.models.updateOne(
      { version },
      comparedWith ? { $set: { ...rest, comparedWith } } : { $set: rest, $unset: { comparedWith: '' } },
    );
    await this.writeManifestMetrics(version, evaluation.metrics);
  }

  /** Merges fields into a model's document. */
  async update(version: string, set: Partial<ModelDoc>, filter: Filter<ModelDoc> = {}): Promise<boolean> {
    const result = await this.models.updateOne({ ...filter, version }, { $set: set });
    return result.matchedCount > 0;
  }

  /** How many versions are in each status, and how many were ever promoted (active now or retired since). */
  async counts(): Promise<{ byStatus: Partial<Record<ModelStatus, number>>; promoted: number }> {
    const rows = await this.models
      .aggregate<{ _id: ModelStatus; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }])
      .toArray();
    const byStatus = Object.fromEntries(rows.map((r) => [r._id, r.n])) as Partial<
      Record<ModelStatus, number>
    >;
    return { byStatus, promoted: (byStatus.active ?? 0) + (byStatus.retired ?? 0) };
  }

  /** The model of `kind` serving now, if any. */
  async activeModel(kind: string): Promise<ModelDoc | undefined> {
    const filter: Filter<ModelDoc> = { status: 'active', ...ofKind(kind) };
    return withKind(await this.models.findOne(filter, { sort: BY_SEQ })) ?? undefined;
  }

  /** The models serving now: the active one of each kind that has one, by kind name. */
  async activeModels(): Promise<ModelDoc[]> {
    const byKind = new Map<string, ModelDoc>();
    for (const doc of await this.models.find({ status: 'active' }, { sort: BY_SEQ }).toArray()) {
      const d = withKind(doc);
      if (!byKind.has(d.kind)) byKind.set(d.kind, d);
    }
    return [...byKind.values()].sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  }

  /** The manifest of a version's complete artifact; an ArtifactError if it is missing or incomplete. */
  async manifest(version: string): Promise<Manifest> {
    return (await this.locate(await this.require(version))).manifest;
  }

  /** Loads a version's model from its artifact through its kind (models/kinds.ts). */
  async loadModel(version: string): Promise<PersistentRecommender> {
    const { dir, manifest } = await this.locate(await this.require(version));
    return getKind(manifest.kind).load(dir);
  }

  /** Adds evaluation metrics to a version's manifest. */
  async writeManifestMetrics(version: string, metrics: Manifest['metrics']): Promise<void> {
    const { dir } = await this.locate(await this.require(version));
    await updateManifest(dir, { metrics });
  }

  /**
   * Makes `version` the active model and retires the one before. Refuses (conflict) a failed
   * model, one in a status not in `options.from`, or one whose artifact is incomplete. Promoting
   * the active model again changes nothing. Publishes the change when it took.
   */
  async promote(version: string, options: PromoteOptions): Promise<ModelDoc> {
    const doc = await this.require(version);
    if (doc.status === 'active') {
      await this.settleActive(doc.kind);
      return (await this.get(version)) ?? doc;
    }
    const from = options.from ?? PROMOTABLE;
    if (doc.status === 'failed') {
      throw new SibylError('conflict', `Model ${version} failed to train and cannot be promoted`, {
        status: doc.status,
        error: doc.error,
      });
    }
    if (!from.includes(doc.status)) {
      throw new SibylError(
        'conflict',
        `Model ${version} is ${doc.status}; only ${from.join(', ')} models can be promoted this way`,
        { status: doc.status },
      );
    }
    try {
      getKind((await this.locate(doc)).manifest.kind);
    } catch (err) {
      throw new SibylError('conflict', `Model ${version} cannot be loaded: ${(err as Error).message}`);
    }
    if (options.ifActive !== undefined) {
      const current = (await this.activeModel(doc.kind))?.version ?? null;
      if (current !== options.ifActive) {
        throw new SibylError(
          'conflict',
          `The active ${doc.kind} model changed (expected ${options.ifActive ?? 'none'}, found ${current ?? 'none'})`,
          { expected: options.ifActive, found: current },
        );
      }
    }
    const seq = await this.nextSeq();
    const at = this.now();
    const result = await this.models.updateOne(
      { version, status: doc.status },
      {
        $set: {
          ...options.set,
          status: 'active',
          promotionSeq: seq,
          promotedAt: at,
          promotionReason: options.reason,
        },
        $unset: { retiredAt: '' },
      },
    );
    if (result.matchedCount === 0) {
      throw new SibylError('conflict', `Model ${version} changed status while being promoted; try again`);
    }
    await this.settleActive(doc.kind);
    const after = await this.require(version);
    if (after.status === 'active') {
      await this.publish({ version, action: options.action ?? 'promote' });
    }
    await this.pruneArtifactsQuietly();
    return after;
  }

  /**
   * An operator's promotion (API, CLI): bypasses the gate, but the model must not have failed and
   * its artifact must actually load.
   */
  async promoteManually(version: string, reason?: string): Promise<ModelDoc> {
    const doc = await this.require(version);
    if (doc.status === 'failed') {
      throw new SibylError('conflict', `Model ${version} failed to train and cannot be promoted`, {
        status: doc.status,
        error: doc.error,
      });
    }
    if (doc.status !== 'active') {
      try {
        await this.loadModel(version);
      } catch (err) {
        throw new SibylError(
          'conflict',
          `Model ${version} cannot be loaded: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
    return this.promote(version, {
      reason: reason ? `manual: ${reason}` : 'manual promotion',
      from: PROMOTABLE,
    });
  }

  /**
   * Makes a previously active model active again: `toVersion`, or by default the most recently
   * retired one of `options.kind` (the model of that kind active before the current one) whose
   * artifact is still complete. Other kinds' active models are left alone.
   */
  async rollback(toVersion?: string, options: { reason?: string; kind?: string } = {}): Promise<ModelDoc> {
    let target = toVersion ? await this.require(toVersion) : undefined;
    const kind = target?.kind ?? options.kind ?? DEFAULT_KIND;
    if (target && options.kind && target.kind !== options.kind) {
      throw new SibylError(
        'conflict',
        `Model ${target.version} is a ${target.kind} model, not ${options.kind}`,
        {
          kind: target.kind,
        },
      );
    }
    const current = await this.activeModel(kind);
    if (target) {
      if (target.status === 'active') return target;
      if (target.status !== 'retired') {
        throw new SibylError(
          'conflict',
          `Model ${target.version} is ${target.status}, not a previously active (retired) model; promote it instead`,
          { status: target.status },
        );
      }
    } else {
      const retired = await this.models
        .find({ status: 'retired', promotionSeq: { $exists: true }, ...ofKind(kind) }, { sort: BY_SEQ })
        .toArray();
      for (const doc of retired) {
        const loadable = await this.locate(doc).then(
          () => true,
          () => false,
        );
        if (loadable) {
          target = doc;
          break;
        }
      }
      if (!target) throw new SibylError('conflict', `No previously active ${kind} model to roll back to`);
    }
    return this.promote(target.version, {
      reason: options.reason ?? `rollback from ${current?.version ?? 'none'}`,
      from: ['retired'],
      action: 'rollback',
    });
  }

  /**
   * Deletes the artifacts of retired versions beyond the newest `keepRetired` of their kind (by when
   * they were last active) and of rejected ones beyond the newest `keepRetired` of their kind: a
   * nightly retrain would otherwise fill the disk with a model a day. The active model and candidates are never touched,
   * nor anything outside SIBYL_MODELS_DIR. Returns the versions whose artifacts were removed.
   */
  async pruneArtifacts(): Promise<string[]> {
    const keep = this.options.keepRetired ?? CONFIG_DEFAULTS.MODEL_KEEP_RETIRED;
    const removed: string[] = [];
    // Per kind: a kind retrained nightly never takes another's rollback targets with it.
    const beyondKeep = (docs: ModelDoc[]) => {
      const seen = new Map<string, number>();
      return docs.filter((doc) => {
        const kind = doc.kind ?? DEFAULT_KIND;
        const n = (seen.get(kind) ?? 0) + 1;
        seen.set(kind, n);
        return n > keep;
      });
    };
    const unpruned = (status: ModelStatus) => ({ status, artifactRemovedAt: { $exists: false } });
    const projection = { version: 1, kind: 1, status: 1 };
    const stale = [
      ...beyondKeep(await this.models.find(unpruned('retired'), { sort: BY_SEQ, projection }).toArray()),
      ...beyondKeep(
        await this.models
          .find(unpruned('rejected'), { sort: { createdAt: -1, version: -1 }, projection })
          .toArray(),
      ),
    ];
    for (const doc of stale) {
      const dir = this.artifactDir(doc.version);
      // Claimed first, so a rollback never picks a version whose artifact is going away.
      const claimed = await this.update(
        doc.version,
        { artifactRemovedAt: this.now() },
        { status: doc.status, artifactRemovedAt: { $exists: false } },
      );
      if (!claimed) continue;
      await rm(dir, { recursive: true, force: true });
      removed.push(doc.version);
    }
    if (removed.length) this.options.logger?.info({ removed, keep }, 'old model artifacts removed');
    return removed;
  }

  /** One more than the highest promotion sequence number so far. */
  private async nextSeq(): Promise<number> {
    const top = await this.models.findOne(
      { promotionSeq: { $exists: true } },
      { sort: { promotionSeq: -1 }, projection: { promotionSeq: 1 } },
    );
    return (top?.promotionSeq ?? 0) + 1;
  }

  /** Retires every active model of `kind` ranked below the best active one of that kind. */
  private async settleActive(kind: string): Promise<void> {
    const top = await this.activeModel(kind);
    if (!top) return;
    const seq = top.promotionSeq ?? 0;
    await this.models.updateMany(
      {
        status: 'active',
        $and: [
          ofKind(kind),
          {
            $or: [
              { promotionSeq: { $exists: false } },
              { promotionSeq: { $lt: seq } },
              { promotionSeq: seq, version: { $lt: top.version } },
            ],
          },
        ],
      },
      { $set: { status: 'retired', retiredAt: this.now() } },
    );
  }

  /** Pruning is housekeeping: a failure is logged, never fails the promotion or rejection that asked for it. */
  async pruneArtifactsQuietly(): Promise<void> {
    try {
      await this.pruneArtifacts();
    } catch (err) {
      this.options.logger?.warn({ err }, 'could not remove old model artifacts');
    }
  }

  private async publish(change: ModelChange): Promise<void> {
    if (!this.options.notify) return;
    try {
      await this.options.notify(change);
    } catch (err) {
      // The change is committed; replicas that missed the message find it by polling.
      this.options.logger?.warn({ err, change }, 'could not publish model change');
    }
  }
}
