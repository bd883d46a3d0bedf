import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Definitions } from '../../experiments/definitions/validate.js';
import { describeExperiment, findExperiment, reportResults } from '../../experiments/report.js';
import type { Store } from '../../store/types.js';
import { SibylError } from '../../errors.js';
import { handle } from '../handler.js';
import { rankerNames } from '../../feed/rankers/rankers.js';

export const byKey = z.object({ key: z.string().min(1).max(256) });
export const coverageBody = z.strictObject({ coverage: z.number().min(0).max(1) });

export interface ExperimentControl {
  definitions: () => Definitions;
  /** Absent when a GrowthBook server owns the definitions. */
  setCoverage?: (key: string, coverage: number) => Promise<void>;
  /** Creates or replaces a ranker experiment rule; absent when a GrowthBook server owns the definitions. */
  saveRule?: (key: string, rule: unknown) => Promise<void>;
  /** The GrowthBook server the definitions come from, when they do. */
  growthbookUrl?: string;
}

const GROWTHBOOK_OWNS_THEM = 'Experiments come from a GrowthBook server: edit, start and stop them in its UI';

/** Product managers' side: experiments, their definitions, starting and stopping them, results. */
export function experimentRoutes(deps: {
  control: ExperimentControl;
  store: Store;
  auth: RequestHandler;
  /** Stamps results' computedAt. @defaultValue () => new Date() */
  now?: () => Date;
}): Router {
  const router = Router();
  const definitionsOf = () => deps.control.definitions();
  router.get(
    '/experiments',
    deps.auth,
    handle({}, () => {
      const definitions = definitionsOf();
      return {
        experiments: definitions.experiments.map((e) => describeExperiment(definitions, e)),
        // What an editor needs: whether it may edit, where read-only definitions live, what arms can serve.
        editable: deps.control.saveRule !== undefined,
        growthbookUrl: deps.control.growthbookUrl ?? null,
        rankers: rankerNames(),
      };
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
    handle({ params: byKey, body: coverageBody }, async ({ params, body }) => {
      findExperiment(definitionsOf(), params.key);
      if (!deps.control.setCoverage) throw new SibylError('conflict', GROWTHBOOK_OWNS_THEM);
      await deps.control.setCoverage(params.key, body.coverage);
      return describeExperiment(definitionsOf(), findExperiment(definitionsOf(), params.key));
    }),
  );
  // Creates or replaces a ranker experiment: the body is a GrowthBook experiment rule of the
  // feed-ranker feature, checked like the definition files. A new experiment starts as saved
  // (coverage 0 keeps it stopped until started).
  router.put(
    '/experiments/:key',
    deps.auth,
    handle({ params: byKey, body: z.unknown() }, async ({ params, body, res }) => {
      if (!deps.control.saveRule) throw new SibylError('conflict', GROWTHBOOK_OWNS_THEM);
      const existed = definitionsOf().experiments.some((e) => e.key === params.key);
      await deps.control.saveRule(params.key, body);
      res
        .status(existed ? 200 : 201)
        .json(describeExperiment(definitionsOf(), findExperiment(definitionsOf(), params.key)));
    }),
  );
  router.get(
    '/experiments/:key/results',
    deps.auth,
    handle({ params: byKey }, ({ params }) =>
      reportResults(deps.store, definitionsOf(), params.key, deps.now?.()),
    ),
  );
  return router;
}
