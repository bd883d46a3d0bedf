/**
 * The daily report over a busy day: 1,000,000 impressions, clicks and trades in one New York day
 * (plus the feed exposures of the window before it), in `sibyl store` as its own process on a
 * journaled data directory, as the demo runs it. Measured: `runDailyReport` (load, attribute,
 * aggregate, tie out against the store's own totals, store or confirm the version). Baseline in
 * the same run: a plain count of the same day's interactions by type, one aggregation in the store.
 */
import { ensureIndexes } from '../src/store/collections.js';
import { reportDay } from '../src/reports/report-day.js';
import { runDailyReport } from '../src/reports/run-daily-report.js';
import { Rng } from '../src/util/rng.js';
import { median, peakRssMb, table, timeRuns } from './harness.js';
import { startStoreProcess } from './store-process.js';

const DATE = '2026-11-20';
const ZONE = 'America/New_York';
/** `npm run bench -- report --interactions N` for another size. */
const flag = process.argv.indexOf('--interactions');
const IN_DAY = flag > 0 ? Number(process.argv[flag + 1]) : 1_000_000;
const BEFORE = IN_DAY / 20;
const USERS = 50_000;
const MARKETS = 2_000;
const RUNS = 3;
const DAY = reportDay(DATE, ZONE, '00:00');
const SETTINGS = { windowHours: 24, clickThroughOnly: false };
const RANKERS = ['two-tower', 'popularity', 'category-affinity'];

function* interactions(rng: Rng): Generator<Record<string, unknown>> {
  const span = DAY.end.getTime() - DAY.start.getTime();
  const received = new Date(DAY.end.getTime() - 1);
  for (let n = 0; n < IN_DAY + BEFORE; n++) {
    const before = n >= IN_DAY;
    const ts = new Date(
      before ? DAY.start.getTime() - 1 - rng.int(86_400_000) : DAY.start.getTime() + rng.int(span),
    );
    const user = rng.int(USERS);
    const base = {
      eventId: `b-${n}`,
      userId: `user-${user}`,
      // Users favour a few markets, so trades meet earlier exposures of theirs.
      ticker: `M-${(user * 7 + rng.int(12)) % MARKETS}`,
      ts,
      receivedAt: received,
    };
    const kind = rng.next();
    if (!before && kind < 0.15) {
      const contractsHundredths = 100 * (1 + rng.int(50));
      const priceMicros = 10_000 * (1 + rng.int(99));
      yield {
        ...base,
        type: 'trade',
        side: rng.chance(0.5) ? 'yes' : 'no',
        contracts: contractsHundredths / 100,
        price: priceMicros / 1e6,
        contractsHundredths,
        priceMicros,
        notionalMicros: (contractsHundredths * priceMicros) / 100,
      };
      continue;
    }
    const feed = user * 10 + rng.int(10);
    const ranker = RANKERS[feed % RANKERS.length]!;
    yield {
      ...base,
      type: kind < 0.45 ? 'click' : 'impression',
      feedId: `feed-${feed}`,
      position: rng.int(20),
      attribution: {
        surface: 'feed',
        ranker,
        rankerVersion: 1,
        model: ranker === 'two-tower' ? 'tt-bench' : null,
        experiment: { key: 'rankers', variation: String(feed % 2) },
      },
    };
  }
}

export default async function run(): Promise<void> {
  const server = await startStoreProcess();
  const { store } = server;
  try {
    await ensureIndexes(store);
    await store.collection('markets').insertMany(
      Array.from({ length: MARKETS }, (_, i) => ({
        ticker: `M-${i}`,
        eventTicker: `E-${i}`,
        title: `Market ${i}`,
        category: ['Economics', 'Crypto', 'Politics', 'Sports'][i % 4],
        status: 'open',
      })),
    );
    const loadStart = performance.now();
    let batch: Record<string, unknown>[] = [];
    for (const doc of interactions(Rng.of(22, 'bench-report'))) {
      batch.push(doc);
      if (batch.length === 10_000) {
        await store.collection('interactions').insertMany(batch, { ordered: false });
        batch = [];
      }
    }
    if (batch.length) await store.collection('interactions').insertMany(batch, { ordered: false });
    const loadSeconds = (performance.now() - loadStart) / 1000;

    const count = await timeRuns(RUNS, () =>
      store
        .collection('interactions')
        .aggregate([
          { $match: { ts: { $gte: DAY.start, $lt: DAY.end } } },
          { $group: { _id: '$type', n: { $sum: 1 } } },
        ])
        .toArray(),
    );
    let last: Awaited<ReturnType<typeof runDailyReport>> | undefined;
    const phases: Awaited<ReturnType<typeof runDailyReport>>['timings'][] = [];
    const report = await timeRuns(
      RUNS,
      async () => {
        last = await runDailyReport(store, {
          date: DATE,
          timeZone: ZONE,
          cutoff: '00:00',
          settings: SETTINGS,
          now: new Date(DAY.end.getTime() + 3_600_000),
        });
        phases.push(last.timings);
      },
      0,
    );
    const r = last!.report;
    table(
      `Daily report, ${IN_DAY.toLocaleString('en-US')} interactions in the day (+${BEFORE.toLocaleString('en-US')} before it), load ${loadSeconds.toFixed(1)} s`,
      [
        {
          step: 'count by type over the day (baseline)',
          'median s': median(count) / 1000,
          runs: count.map((t) => (t / 1000).toFixed(2)).join(', '),
          'vs baseline': '1.00×',
        },
        {
          step: 'daily report (load, attribute, aggregate, tie out, store)',
          'median s': median(report) / 1000,
          runs: report.map((t) => (t / 1000).toFixed(2)).join(', '),
          'vs baseline': `${(median(report) / median(count)).toFixed(1)}×`,
        },
      ],
    );
    const phase = (k: 'loadMs' | 'totalsMs' | 'buildMs' | 'saveMs') =>
      (median(phases.map((p) => p[k])) / 1000).toFixed(2);
    console.log(
      `\nphases (median s): load the day's ${phases[0]!.events.toLocaleString('en-US')} events ${phase('loadMs')}, store totals ${phase('totalsMs')} (concurrently), build ${phase('buildMs')}, store ${phase('saveMs')}`,
    );
    console.log(
      `\nreport v${r.version} ${r.status}: ${r.total.trades} trades (${r.attributed.trades} attributed, ${r.organic.trades} organic), $${r.total.notional}; ${r.rows.length} rows; client peak RSS ${peakRssMb().toFixed(0)} MB, store peak RSS ${server.peakRssMb().toFixed(0)} MB`,
    );
  } finally {
    await server.stop();
  }
}
