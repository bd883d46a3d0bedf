/**
 * Offline-evaluation throughput: building a log, splitting it, and fitting and evaluating each
 * baseline on a synthetic log of N rows (users in taste groups over Zipf-popular items).
 *
 *   npx tsx bench/eval.ts [rows=1000000] [recommenders=all]
 */
import { pathToFileURL } from 'node:url';
import { InteractionLogBuilder } from '../models/data/interaction-log.js';
import { evaluateRecommender } from '../models/eval/evaluate.js';
import { RECOMMENDER_LIST } from '../models/eval/recommenders.js';
import { temporalSplit } from '../models/eval/split.js';
import { Rng } from '../src/util/rng.js';

export default async function bench(rows = 1_000_000, recommenders?: string[]): Promise<void> {
  const rng = Rng.of(1, 'bench-eval');
  const numUsers = Math.max(100, Math.round(rows / 40));
  const numItems = Math.max(50, Math.round(rows / 250));
  const groups = 20;
  const t0 = performance.now();
  const builder = new InteractionLogBuilder(rows);
  const start = Date.UTC(2026, 0, 1);
  const span = 30 * 86_400_000;
  for (let r = 0; r < rows; r++) {
    const u = rng.int(numUsers);
    // 70% within the user's group's slice of the catalogue, Zipf-ish by squaring a uniform.
    const x = rng.next() ** 2;
    const item =
      rng.next() < 0.7
        ? ((u % groups) + groups * Math.floor(x * (numItems / groups))) % numItems
        : Math.floor(x * numItems);
    builder.add(`user-${u}`, `item-${item}`, start + rng.next() * span, 1);
  }
  const log = builder.build();
  const tBuild = performance.now();
  const split = temporalSplit(log, { testFraction: 0.2 });
  const tSplit = performance.now();
  console.log(
    `${rows.toLocaleString('en-US')} rows, ${log.userIds.length.toLocaleString('en-US')} users, ${log.itemIds.length.toLocaleString('en-US')} items`,
  );
  console.log(
    `build ${((tBuild - t0) / 1000).toFixed(2)}s (incl. generation), split ${((tSplit - tBuild) / 1000).toFixed(2)}s: ${JSON.stringify(split.info)}`,
  );
  console.log(
    '\n| recommender | fit s | eval s | ndcg@10 | recall@10 | coverage |\n|---|---|---|---|---|---|',
  );
  for (const entry of RECOMMENDER_LIST) {
    if (recommenders && !recommenders.includes(entry.name)) continue;
    const rec = entry.create();
    const a = performance.now();
    await rec.fit(split.train, { seed: 42 });
    const b = performance.now();
    const { metrics } = await evaluateRecommender(rec, split, { k: 10 });
    const c = performance.now();
    console.log(
      `| ${entry.name} | ${((b - a) / 1000).toFixed(2)} | ${((c - b) / 1000).toFixed(2)} | ${metrics['ndcg@10']!.toFixed(4)} | ${metrics['recall@10']!.toFixed(4)} | ${metrics.coverage!.toFixed(4)} |`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = Number(process.argv[2] ?? 1_000_000);
  const recommenders = process.argv[3]?.split(',');
  await bench(rows, recommenders);
}
