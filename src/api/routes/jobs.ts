import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { JOB_NAMES, JOBS, isJobName, type JobName, type JobRunner } from '../../../jobs/job-types.js';
import { recentRuns } from '../../../jobs/job-runs.js';
import { SibylError } from '../../errors.js';
import type { Store } from '../../store/types.js';
import { handle } from '../handler.js';

export const jobNameParams = z.object({ name: z.string() });
export const jobIdParams = z.object({ id: z.string().min(1).max(256) });
export const jobRunsQuery = z.object({
  name: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** Admin routes for data engineers: trigger a job, follow it, list recent runs. */
export function jobRoutes(deps: { runner: JobRunner; store: Store; auth: RequestHandler }): Router {
  const router = Router();
  router.post(
    '/jobs/:name',
    deps.auth,
    handle(
      { params: jobNameParams, body: z.unknown() },
      async ({ params, body }) => {
        if (!isJobName(params.name)) {
          throw new SibylError('not_found', `No job named "${params.name}"; jobs: ${JOB_NAMES.join(', ')}`);
        }
        const name: JobName = params.name;
        const payload = JOBS[name].payload.safeParse(body ?? {});
        if (!payload.success) {
          throw new SibylError(
            'validation_failed',
            `Invalid payload for ${name}`,
            payload.error.issues.map((i) => ({
              path: ['body', ...i.path.map(String)].join('.'),
              message: i.message,
            })),
          );
        }
        const result = await deps.runner.trigger(name, payload.data as never);
        return { ...result, status: `/v1/jobs/${encodeURIComponent(result.id)}` };
      },
      202,
    ),
  );
  router.get(
    '/jobs/:id',
    deps.auth,
    handle({ params: jobIdParams }, async ({ params }) => {
      const status = await deps.runner.status(params.id);
      if (!status)
        throw new SibylError('not_found', `No job "${params.id}" (finished jobs are kept for 7 days)`);
      return status;
    }),
  );
  router.get(
    '/job-runs',
    deps.auth,
    handle({ query: jobRunsQuery }, async ({ query }) => {
      // The names too, so a client can offer every job to trigger.
      return { jobs: JOB_NAMES, runs: await recentRuns(deps.store, query) };
    }),
  );
  return router;
}
