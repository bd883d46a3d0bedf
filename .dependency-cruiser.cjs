/* global module */
/**
 * Dependency rules (`npm run lint`): no import cycles between files, and the layer picture of
 * docs/architecture.md ("Layers"), one rule per arrow it forbids. Folder cycles are checked by
 * scripts/check-folder-cycles.ts.
 */
const GROUND = '^src/(domain|config|log|util)/|^src/errors\\.ts$';
/** The top: commands, process roots, HTTP routes. */
const TOP = '^src/(cli|server|api|traffic)/';
/** The middle layer: what the servers and jobs are made of. */
const MIDDLE = '^src/(feed|experiments|features|ingest|simulator|exchange|client|reports)/';
/** Every folder of src/ the picture places. */
const PLACED = `${GROUND}|${TOP}|${MIDDLE}|^src/store/`;

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Files import in one direction: move the shared piece down instead.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'ground-stays-ground',
      comment: 'Domain types, config, logging and utilities depend on nothing else of Sibyl.',
      severity: 'error',
      from: { path: GROUND },
      to: { path: '^(src|jobs|models)/', pathNot: GROUND },
    },
    {
      name: 'store-below-application',
      comment: 'Storage knows no feature, model, job or server code.',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: '^(models|jobs)/|^src/', pathNot: `^src/store/|${GROUND}` },
    },
    {
      name: 'engine-behind-the-server',
      comment:
        "Only sibyl store's server (src/store/server) reaches its engine; everything else talks to storage through the driver. Shapes both need live in src/store/index-spec.ts.",
      severity: 'error',
      from: { pathNot: '^src/store/(server|engine)/' },
      to: { path: '^src/store/engine/' },
    },
    {
      name: 'models-below-jobs',
      comment: 'Jobs orchestrate models, never the other way round.',
      severity: 'error',
      from: { path: '^models/' },
      to: { path: '^jobs/' },
    },
    {
      name: 'models-on-ground',
      comment:
        'From src/, models import the ground layer only; storage reaches them through the CollectionSource port (src/domain/collections.ts).',
      severity: 'error',
      from: { path: '^models/' },
      to: { path: '^src/', pathNot: GROUND },
    },
    {
      name: 'nothing-imports-the-top',
      comment:
        'The CLI, the servers and the API sit on top: the middle layer and jobs/ never import them (a metric or helper both need moves down).',
      severity: 'error',
      from: { path: `${MIDDLE}|^jobs/` },
      to: { path: TOP },
    },
    {
      name: 'feed-below-experiments',
      comment:
        "Experiments implement the feed's ranker-assignment port (src/feed/rankers/ranker-assignment.ts); the feed never imports them.",
      severity: 'error',
      from: { path: '^src/feed/' },
      to: { path: '^src/experiments/' },
    },
    {
      name: 'models-kind-agnostic',
      comment:
        "src/ serves and evaluates any kind through models/core's interfaces and models/kinds.ts, never a kind's or a baseline's own code.",
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^models/(two-tower|ease|bpr-mf|baselines)/' },
    },
    {
      name: 'kernels-behind-vector-search',
      comment: 'Outside models/, vector search is models/vector-search: the kernels under it are its own.',
      severity: 'error',
      from: { path: '^(src|jobs)/' },
      to: { path: '^models/kernels/' },
    },
    {
      name: 'every-folder-placed',
      comment:
        'Every folder of src/ has a place in the layer picture: add a new one to docs/architecture.md and to these rules.',
      severity: 'error',
      from: { path: '^src/', pathNot: PLACED },
      to: {},
    },
    {
      name: 'jobs-only-from-the-top',
      comment: 'Only the CLI, the servers and the API (which triggers jobs) import jobs/.',
      severity: 'error',
      from: { path: '^(src|models)/', pathNot: TOP },
      to: { path: '^jobs/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^(test|bench|node_modules|dist)/' },
  },
};
