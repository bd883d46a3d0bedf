import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ServingModel } from '../../../models/core/types.js';
import type { Logger } from '../../log/logger.js';
import type { CatalogueSnapshot } from './market-catalogue.js';
import { marketIndex } from './market-index.js';
import { copyKnownRuns, SnapshotModelMap } from './snapshot-model-map.js';
import { IvfIndex, ivfClusterCount } from '../../../models/vector-search/ivf-index.js';
import { assignRows, sphericalKMeans } from '../../../models/vector-search/kmeans.js';

/** Per model: its centroids. */
const clustering = new WeakMap<ServingModel, { centroids: Float32Array; clusters: number }>();
/** Per snapshot and model: the index, and each row's cluster (where the next snapshot's rows start). */
const indexes = new SnapshotModelMap<{ ivf: IvfIndex; assignment: Int32Array }>();

/** The ANN index of this catalogue snapshot under `model`, once built (never built on demand). */
export function annIndex(catalogue: CatalogueSnapshot, model: ServingModel): IvfIndex | undefined {
  return indexes.get(catalogue, model)?.ivf;
}

export interface AnnBuildOptions {
  /** Catalogues with fewer open markets are scanned exactly (no index is built). */
  minMarkets: number;
  /** Awaited between chunks of work. @defaultValue one event-loop turn */
  pause?: () => Promise<void>;
}

/**
 * Builds the ANN index of a catalogue snapshot under a model, in the background: centroids once per
 * model (spherical k-means, √n of them, on a sample of its first large catalogue), then each
 * refresh places only markets that are new or changed, and lays the rows out by cluster (a
 * refresh with the same markets, content unchanged, shares the previous index at once). Work
 * runs in chunks with a pause between them, so requests keep being served; until an index is
 * ready, feeds use the exact scan. Requests arriving while one builds replace each other: only
 * the latest (catalogue, model) pair is built next.
 */
export class AnnIndexBuilder {
  private wanted: { catalogue: CatalogueSnapshot; model: ServingModel } | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly options: AnnBuildOptions,
    private readonly logger?: Logger,
  ) {}

  request(catalogue: CatalogueSnapshot, model: ServingModel): void {
    if (
      // Spherical clusters need unit vectors; `score` models (EASE, BPR-MF) are scanned exactly.
      model.space !== 'cosine' ||
      catalogue.markets.length < this.options.minMarkets ||
      annIndex(catalogue, model) ||
      indexes.shareIfSameRows(catalogue, model)
    )
      return;
    this.wanted = { catalogue, model };
    // Started on a later turn: the caller may be preparing a snapshot not yet published.
    this.running ??= Promise.resolve()
      .then(() => this.drain())
      .finally(() => (this.running = undefined));
  }

  /** Resolves once no build is pending. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.wanted) {
      const { catalogue, model } = this.wanted;
      this.wanted = undefined;
      try {
        const started = performance.now();
        const newModel = !clustering.has(model);
        await buildAnnIndex(catalogue, model, this.options);
        // Each catalogue refresh with changed markets rebuilds: only a new model's first is news.
        this.logger?.[newModel ? 'info' : 'debug'](
          {
            markets: catalogue.markets.length,
            model: model.version,
            ms: Math.round(performance.now() - started),
          },
          'ANN index built',
        );
      } catch (err) {
        this.logger?.error({ err, model: model.version }, 'ANN index build failed; feeds use the exact scan');
      }
    }
  }
}

/** Builds (and registers) the index of `catalogue` under `model`; see AnnIndexBuilder. */
export async function buildAnnIndex(
  catalogue: CatalogueSnapshot,
  model: ServingModel,
  options: Omit<AnnBuildOptions, 'minMarkets'> = {},
): Promise<IvfIndex> {
  const shared = indexes.shareIfSameRows(catalogue, model);
  if (shared) return shared.ivf;
  const pause = options.pause ?? (() => nextTurn());
  const index = marketIndex(catalogue, model);
  const { size: n, dim: d } = index;
  let known = clustering.get(model);
  if (!known) {
    const clusters = ivfClusterCount(n);
    const centroids = await sphericalKMeans(index.vectors, n, d, {
      clusters,
      iterations: 8,
      sampleSize: 64 * clusters,
      pause,
    });
    known = { centroids, clusters };
    clustering.set(model, known);
  }
  // Markets of the last snapshot keep their cluster while their content (so their vector) is unchanged.
  const assignment = new Int32Array(n);
  const last = indexes.latest(model);
  const missing = last
    ? copyKnownRuns(last.catalogue, catalogue.markets, (from, to, previous) =>
        assignment.set(last.value.assignment.subarray(previous, previous + to - from), from),
      )
    : Array.from(catalogue.markets.keys());
  if (missing.length === n) {
    // Every row (a new model): assigned in place, no gathered copy of the vectors.
    await assignRows(index.vectors, n, d, known.centroids, known.clusters, assignment, pause);
  } else if (missing.length > 0) {
    const rows = new Float32Array(missing.length * d);
    missing.forEach((i, j) => rows.set(index.row(i), j * d));
    const clusters = new Int32Array(missing.length);
    await assignRows(rows, missing.length, d, known.centroids, known.clusters, clusters, pause);
    missing.forEach((i, j) => (assignment[i] = clusters[j]!));
  }
  const ivf = await IvfIndex.build(index.vectors, n, d, known.centroids, known.clusters, assignment, pause);
  return indexes.set(catalogue, model, { ivf, assignment }).ivf;
}
