/* global module */
/**
 * Dependency rules (`npm run lint`): no import cycles between files, and the layer direction of
 * docs/architecture.md ("Layers"). Folder cycles are checked by scripts/check-folder-cycles.ts.
 */
const GROUND = '^src/(domain|config|log|util)/|^src/errors\\.ts$';

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
      name: 'jobs-only-from-the-top',
      comment: 'Only the CLI, the servers and the API (which triggers jobs) import jobs/.',
      severity: 'error',
      from: { path: '^(src|models)/', pathNot: '^src/(cli|server|api)/' },
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
