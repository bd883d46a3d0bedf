/**
 * The two-tower ranking pipeline alone (no HTTP, no store): 1M known users, 64-dim vectors, 300
 * (about the HTTP benchmark's catalogue), 10k, 100k and 300k open markets. Per request: user
 * vector from id + 10 recent markets, scores over every open market (or, from 100k on, also
 * through the ANN index), candidate sources, blend, diversity, reasons. Baseline in the same run:
 * the popularity ranker on the same catalogue and users; the `ease` (2,500 modelled markets) and
 * `bpr-mf` (20k markets, users placed by their history) rankers beside it. Also: what the ANN index costs to build
 * and how close its feeds are to the exact scan's, RSS of the model snapshot, the cost of a
 * catalogue's market vectors under a new model (and the longest the event loop waits while a model
 * swap computes them in chunks), and of a catalogue refresh in which 1% of the markets changed
 * content (the rest is copied); and a whole model swap from the artifact on disk, against the
 * artifact format that kept the vocabularies inside its model file.
 */
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadTwoTower, saveTwoTower } from '../models/two-tower/artifact.js';
import type { TwoTowerParameters } from '../models/two-tower/parameters.js';
import { TwoTowerServing } from '../models/two-tower/serving.js';
import { buildAnnIndex } from '../src/feed/catalogue/ann-indexes.js';
import { catalogueSnapshot, type CatalogueSnapshot } from '../src/feed/catalogue/market-catalogue.js';
import { catalogueArrays } from '../src/feed/catalogue/catalogue-arrays.js';
import { marketIndex, marketIndexInChunks } from '../src/feed/catalogue/market-index.js';
import { rankFeed, type RankRequest } from '../src/feed/pipeline/rank-feed.js';
import { getRanker } from '../src/feed/rankers/rankers.js';
import type { UserContext } from '../src/feed/user/user-context.js';
import { userSignals } from '../src/feed/user/user-signals.js';
import { modelUserView } from '../src/feed/user/model-user-view.js';
import { topK } from '../models/vector-search/top-k.js';
import { Rng } from '../src/util/rng.js';
import { fmt, median, percentile, table, timeRuns } from './harness.js';
import { FORMAT2_VOCABULARY_FILES, writeFormat1ModelFile } from '../test/helpers/artifact-format1.js';
import {
  CATEGORIES,
  randomBpr,
  randomEase,
  randomTwoTower,
  syntheticCatalogue,
} from '../test/helpers/synthetic-ranking.js';
import { EaseServing } from '../models/ease/serving.js';
import { BprServing } from '../models/bpr-mf/serving.js';
import { marketScores } from '../src/feed/catalogue/market-index.js';

const REQUESTS = 1000;
const NOW = new Date('2026-11-23T12:00:00Z');

function userContext(i: number, markets: number): UserContext {
  return {
    userId: `user-${(i * 7919) % 1_000_000}`,
    dismissed: new Set(),
    categoryAffinity: new Map([[CATEGORIES[i % 8]!.toLowerCase(), 0.6]]),
    seriesAffinity: new Map(),
    attributes: {},
    known: true,
    history: Array.from({ length: 10 }, (_, k) => ({
      ticker: `KX${(i * 31 + k * 97) % markets}`,
      type: 'trade' as const,
    })),
  };
}

const USERS_COMPARED = 200;

/** `work`'s result, and its longest synchronous stretch between pauses (each pause is one event-loop turn). */
async function withStalls<T>(
  work: (pause: () => Promise<void>) => Promise<T>,
): Promise<{ result: T; longestStallMs: number }> {
  let longest = 0;
  let resumed = performance.now();
  const result = await work(async () => {
    longest = Math.max(longest, performance.now() - resumed);
    await new Promise((resolve) => setImmediate(resolve));
    resumed = performance.now();
  });
  return { result, longestStallMs: Math.max(longest, performance.now() - resumed) };
}

/** The catalogue as the next refresh finds it when every 100th market was retitled. */
function changedRefresh(catalogue: CatalogueSnapshot): CatalogueSnapshot {
  const markets = catalogue.markets.map((m, i) =>
    i % 100 === 0 ? { ...m, content: [...m.content, 'title:retitled'] } : m,
  );
  return catalogueSnapshot(NOW, markets, catalogue.neighbours);
}

/**
 * Builds the ANN index of `catalogue` (centroids included: a new model), times the pipeline through
 * it, and compares with the exact scan: recall of the embedding source's 200 candidates, and how
 * many of each feed's first 20 and of its whole list the exact feed has too.
 */
async function withAnn(
  catalogue: CatalogueSnapshot,
  params: TwoTowerParameters,
  markets: number,
  req: RankRequest,
): Promise<{ ann: number[]; row: Record<string, string | number> }> {
  // A model of its own: its centroids are trained on this catalogue, as after a promotion.
  const serving = new TwoTowerServing('bench-ann', params);
  const config = getRanker('two-tower')!;
  const users = Array.from({ length: USERS_COMPARED }, (_, u) => userContext(u, markets));
  const exactFeeds = users.map((u) => rankFeed(catalogue, u, req, config, serving).map((x) => x.ticker));
  const index = marketIndex(catalogue, serving);
  const a = catalogueArrays(catalogue);
  const everything = new Uint8Array(markets).fill(1);
  const vectors = users.map((u) => {
    const history = userSignals(catalogue, a, u, config, serving).history;
    return modelUserView(u, history, serving, index, a.row)!.vector;
  });
  const exactNearest = vectors.map((v) => new Set(topK(index.scores(v), 200)));
  const pause = async () => {};
  let started = performance.now();
  const { result: ivf, longestStallMs: buildStallMs } = await withStalls((turn) =>
    buildAnnIndex(catalogue, serving, { pause: turn }),
  );
  const buildMs = performance.now() - started;
  const refreshed = changedRefresh(catalogue);
  marketIndex(refreshed, serving);
  started = performance.now();
  await buildAnnIndex(refreshed, serving, { pause });
  const rebuildMs = performance.now() - started;
  let found = 0;
  let probes = 0;
  vectors.forEach((v, u) => {
    for (const row of ivf.search(v, 200, everything, 1)) if (exactNearest[u]!.has(row)) found++;
    probes += ivf.lastProbes;
  });
  let top20 = 0;
  let whole = 0;
  users.forEach((u, j) => {
    const feed = rankFeed(catalogue, u, req, config, serving).map((x) => x.ticker);
    const exact = exactFeeds[j]!;
    const first = new Set(exact.slice(0, 20));
    const all = new Set(exact);
    top20 += feed.slice(0, 20).filter((t) => first.has(t)).length / 20;
    whole += feed.filter((t) => all.has(t)).length / Math.max(1, exact.length);
  });
  let i = 0;
  const ann = await timeRuns(
    REQUESTS,
    () => rankFeed(catalogue, userContext(i++, markets), req, config, serving),
    20,
  );
  const n = users.length;
  return {
    ann,
    row: {
      'open markets': markets.toLocaleString('en-US'),
      clusters: String(ivf.clusters),
      'build ms (new model)': buildMs,
      'longest stall ms': buildStallMs,
      'ms per refresh, 1% changed': rebuildMs,
      'clusters probed (mean)': probes / n,
      'recall of the 200 nearest': found / (200 * n),
      'feed top 20 shared with exact': top20 / n,
      'whole feed shared with exact': whole / n,
    },
  };
}

/**
 * A promoted model's swap as the API makes it: the artifact read from disk, the id maps, the
 * catalogue's market vectors, in steps with event-loop turns between. The longest event-loop delay
 * is what a request arriving meanwhile can wait. Baseline: the same tables with the model file of
 * format 1, whose vocabularies (1M user ids) were one JSON document.
 */
async function swapsFromDisk(params: TwoTowerParameters, catalogue: CatalogueSnapshot) {
  const current = await mkdtemp(path.join(tmpdir(), 'sibyl-bench-artifact-'));
  const format1 = await mkdtemp(path.join(tmpdir(), 'sibyl-bench-artifact-v1-'));
  try {
    const files = await saveTwoTower(params, current);
    for (const file of files.filter((f) => f !== 'two-tower.json' && !FORMAT2_VOCABULARY_FILES.includes(f)))
      await symlink(path.join(current, file), path.join(format1, file));
    await writeFormat1ModelFile(params, format1);
    const measure = async (dir: string) => {
      const runs = [];
      for (let r = 0; r < 3; r++) {
        const delay = monitorEventLoopDelay({ resolution: 1 });
        delay.enable();
        const t0 = performance.now();
        const pause = () => new Promise<void>((resolve) => setImmediate(resolve));
        await marketIndexInChunks(
          catalogue,
          await TwoTowerServing.create('swap', await loadTwoTower(dir), pause),
          pause,
        );
        runs.push({ ms: performance.now() - t0, stall: delay.max / 1e6 });
        delay.disable();
      }
      return { ms: median(runs.map((r) => r.ms)), stall: median(runs.map((r) => r.stall)) };
    };
    const before = await measure(format1);
    const after = await measure(current);
    return [
      {
        artifact: 'format 1: vocabularies in the model file (baseline)',
        'swap ms': before.ms,
        'longest event-loop delay ms': before.stall,
        'vs baseline': '1.00×',
      },
      {
        artifact: 'format 2: vocabularies as JSON lines, parsed in steps',
        'swap ms': after.ms,
        'longest event-loop delay ms': after.stall,
        'vs baseline': `${fmt(after.stall / before.stall)}×`,
      },
    ];
  } finally {
    await rm(current, { recursive: true, force: true });
    await rm(format1, { recursive: true, force: true });
  }
}

export default async function run(): Promise<void> {
  const rng = Rng.of(1, 'bench-ranking');
  const rssBefore = process.memoryUsage().rss / 2 ** 20;
  const params = randomTwoTower(1_000_000, 20_000, rng);
  const serving = new TwoTowerServing('bench', params);
  const rssModel = process.memoryUsage().rss / 2 ** 20 - rssBefore;
  // The experiment arms' kinds: EASE over 2,500 markets, BPR-MF over the two-tower's 20k, with no
  // trained user (each request places its user by their 10 recent markets: the uncached cost).
  const pause = async () => {};
  const ease = await EaseServing.create('bench-ease', randomEase(2_500, rng), pause);
  const bpr = await BprServing.create('bench-bpr', randomBpr(20_000, rng), pause);
  const req: RankRequest = {
    now: NOW,
    categories: [],
    minCloseTime: new Date(NOW.getTime() + 30 * 60_000),
    maxPerEvent: 2,
  };
  const rows: Record<string, string | number>[] = [];
  const annRows: Record<string, string | number>[] = [];
  let rssWith10k = 0;
  let swapRows: Record<string, string | number>[] = [];
  for (const markets of [300, 10_000, 100_000, 300_000]) {
    const catalogue = syntheticCatalogue(markets, rng, NOW);
    catalogueArrays(catalogue);
    let t0 = performance.now();
    marketIndex(catalogue, serving);
    const vectorsMs = performance.now() - t0;
    if (markets === 10_000) {
      rssWith10k = process.memoryUsage().rss / 2 ** 20;
      swapRows = await swapsFromDisk(params, catalogue);
    }
    // A model swap: the model's id maps, then these vectors, in chunks with event-loop turns between.
    const { longestStallMs } = await withStalls(async (pause) =>
      marketIndexInChunks(catalogue, await TwoTowerServing.create('bench-swap', params, pause), pause),
    );
    // A refresh in which 1% of the markets changed content: only those are embedded again.
    t0 = performance.now();
    marketIndex(changedRefresh(catalogue), serving);
    const refreshMs = performance.now() - t0;
    let i = 0;
    const popularity = await timeRuns(
      REQUESTS,
      () => rankFeed(catalogue, userContext(i++, markets), req, getRanker('popularity')!),
      20,
    );
    i = 0;
    const twoTower = await timeRuns(
      REQUESTS,
      () => rankFeed(catalogue, userContext(i++, markets), req, getRanker('two-tower')!, serving),
      20,
    );
    const kindTimes: [string, number[]][] = [];
    for (const [ranker, model] of [
      ['ease', ease],
      ['bpr-mf', bpr],
    ] as const) {
      marketScores(catalogue, model);
      i = 0;
      kindTimes.push([
        ranker,
        await timeRuns(
          REQUESTS,
          () => rankFeed(catalogue, userContext(i++, markets), req, getRanker(ranker)!, model),
          20,
        ),
      ]);
    }
    const measured: [string, number[]][] = [
      ['popularity (baseline)', popularity],
      ['two-tower', twoTower],
      ...kindTimes,
    ];
    if (markets >= 100_000) {
      const { ann, row } = await withAnn(catalogue, params, markets, req);
      measured.push(['two-tower, ANN index', ann]);
      annRows.push(row);
    }
    for (const [ranker, times] of measured) {
      rows.push({
        'open markets': markets.toLocaleString('en-US'),
        ranker,
        'p50 ms': percentile(times, 50),
        'p99 ms': percentile(times, 99),
        'vs popularity p50': `${fmt(percentile(times, 50) / percentile(popularity, 50))}×`,
        'market vectors ms (new model)': ranker === 'two-tower' ? vectorsMs : '—',
        'longest stall ms, swap in chunks': ranker === 'two-tower' ? longestStallMs : '—',
        'ms per refresh, 1% changed': ranker === 'two-tower' ? refreshMs : '—',
      });
    }
  }
  table(
    `Ranking pipeline service time (no HTTP, no store), 1M known users, dim 64, ${REQUESTS} requests each`,
    rows,
  );
  table(
    `ANN index (IVF, √n clusters, scans ≥ 1/8 of the rows) against the exact scan, ${USERS_COMPARED} users`,
    annRows,
  );
  table(
    'Model swap from the artifact on disk (load, id maps, 10k markets’ vectors), 1M users, median of 3',
    swapRows,
  );
  table('Memory', [
    { what: 'model snapshot: 1M users, 20k trained markets, dim 64', 'RSS MB': rssModel },
    { what: 'process with that model and a 10k-market catalogue, indexes built', 'RSS MB': rssWith10k },
  ]);
}
