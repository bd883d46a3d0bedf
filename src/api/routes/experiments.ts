import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Definitions } from '../../experiments/definitions/validate.js';
import { describeExperiment, findExperiment, reportResults } from '../../experiments/report.js';
import type { Store } from '../../store/types.js';
import { SibylError } from '../../errors.js';
import { handle } from '../handler.js';

const byKey = z.object({ key: z.string().min(1).max(256) });

export interface ExperimentControl {
  definitions: () => Definitions;
  /** Absent when a GrowthBook server owns the definitions. */
  setCoverage?: (key: string, coverage: number) => Promise<void>;
}

/** Product managers' side: experiments, their definitions, starting and stopping them, results. */
export function experimentRoutes(deps: {
  control: ExperimentControl;
  store: Store;
  auth: RequestHandler;
}): Router {
  const router = Router();
  const definitionsOf = () => deps.control.definitions();
  router.get(
    '/experiments',
    deps.auth,
    handle({}, () => {
      const definitions = definitionsOf();
      return { experiments: definitions.experiments.map((e) => describeExperiment(definitions, e)) };
    }),
  );
  router.get(
    '/experiments/:key',
    deps.auth,
    handle({ params: byKey }, ({ params }) => {
      const definitions = definitionsOf();
      return describeExperiment(definitions, findExperiment(definitions, params.key));
    }),
  );
  router.put(
    '/experiments/:key/coverage',
    deps.auth,
    handle(
      { params: byKey, body: z.strictObject({ coverage: z.number().min(0).max(1) }) },
      async ({ params, body }) => {
        findExperiment(definitionsOf(), params.key);
        if (!deps.control.setCoverage) {
          throw new SibylError(
            'conflict',
            'Experiments come from a GrowthBook server: start and stop them in its UI',
          );
        }
        await deps.control.setCoverage(params.key, body.coverage);
        return describeExperiment(definitionsOf(), findExperiment(definitionsOf(), params.key));
      },
    ),
  );
  router.get(
    '/experiments/:key/results',
    deps.auth,
    handle({ params: byKey }, ({ params }) => reportResults(deps.store, definitionsOf(), params.key)),
  );
  return router;
}
