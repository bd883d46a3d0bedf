import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Definitions } from '../../experiments/definitions/validate.js';
import { describeExperiment, findExperiment, reportResults } from '../../experiments/report.js';
import type { Store } from '../../store/types.js';
import { handle } from '../handler.js';

const byKey = z.object({ key: z.string().min(1).max(256) });

/** Product managers' read side: experiments, their definitions and their results. */
export function experimentRoutes(deps: {
  definitions: () => Definitions;
  store: Store;
  auth: RequestHandler;
}): Router {
  const router = Router();
  router.get(
    '/experiments',
    deps.auth,
    handle({}, () => {
      const definitions = deps.definitions();
      return { experiments: definitions.experiments.map((e) => describeExperiment(definitions, e)) };
    }),
  );
  router.get(
    '/experiments/:key',
    deps.auth,
    handle({ params: byKey }, ({ params }) => {
      const definitions = deps.definitions();
      return describeExperiment(definitions, findExperiment(definitions, params.key));
    }),
  );
  router.get(
    '/experiments/:key/results',
    deps.auth,
    handle({ params: byKey }, ({ params }) => reportResults(deps.store, deps.definitions(), params.key)),
  );
  return router;
}
