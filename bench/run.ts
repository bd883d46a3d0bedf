/**
 * `npm run bench [-- name…]`: runs every benchmark (or the named ones) in turn and prints markdown
 * tables for BENCHMARKS.md. Each benchmark measures its baseline in the same run.
 */
const all: Record<string, () => Promise<{ default: () => Promise<void> }>> = {
  simulate: () => import('./simulate.js'),
  ingest: () => import('./ingest.js'),
  'import-csv': () => import('./import-csv.js'),
  feed: () => import('./feed.js'),
  features: () => import('./features.js'),
  experiments: () => import('./experiments.js'),
  train: () => import('./train.js'),
  nightly: () => import('./nightly.js'),
  blend: () => import('./blend.js'),
  ranking: () => import('./ranking.js'),
  demo: () => import('./demo.js'),
  store: () => import('./store.js'),
  'market-stream': () => import('./market-stream.js'),
  stream: () => import('./stream.js'),
  overload: () => import('./overload.js'),
  report: () => import('./report.js'),
};

// Names, not flags or their values (`-- demo --seconds 60`).
const wanted = process.argv
  .slice(2)
  .filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
const names = wanted.length ? wanted : Object.keys(all);
for (const name of names) {
  const load = all[name];
  if (!load) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(all).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n## ${name}`);
  await (await load()).default();
}
