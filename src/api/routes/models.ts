import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { MODEL_STATUSES, type ModelDoc, type ModelStatus } from '../../domain/model-doc.js';
import type { ModelRegistry } from '../../../models/registry/registry.js';
import { handle } from '../handler.js';
import { DEFAULT_KIND, hasKind, listKinds } from '../../../models/kinds.js';

export const byVersion = z.object({ version: z.string().min(1).max(256) });
const kind = z
  .string()
  .refine(hasKind, { message: `a model kind: ${listKinds().join(', ')}` })
  .describe('A model kind (two-tower, ease, bpr-mf)');
export const modelsQuery = z.object({
  status: z.enum(MODEL_STATUSES as [ModelStatus, ...ModelStatus[]]).optional(),
  kind: kind.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const rollbackBody = z.strictObject({
  version: z.string().min(1).max(256).optional(),
  /** Without a version: roll back this kind's active model (default: the default ranker's, two-tower). */
  kind: kind.optional(),
});
export const promoteBody = z.strictObject({ reason: z.string().max(500).optional() });

/** A model document as the API shows it (no storage internals). */
function view(doc: ModelDoc): Omit<ModelDoc, '_id'> {
  const { _id, ...rest } = doc as ModelDoc & { _id?: unknown };
  return rest;
}

/**
 * Data engineers' side of the model registry: list versions and their metrics, promote one by
 * hand (bypassing the gate), roll back to a previously active one. One model of each kind is
 * active; promoting or rolling back one kind leaves the others serving. Every route needs the API key.
 */
export function modelRoutes(deps: { registry: ModelRegistry; auth: RequestHandler }): Router {
  const router = Router();
  const { registry } = deps;
  router.get(
    '/models',
    deps.auth,
    handle({ query: modelsQuery }, async ({ query }) => {
      const [models, active] = await Promise.all([
        registry.listModels({
          ...(query.status ? { status: query.status } : {}),
          ...(query.kind ? { kind: query.kind } : {}),
          limit: query.limit,
        }),
        registry.activeModels(),
      ]);
      const activeByKind = Object.fromEntries(active.map((doc) => [doc.kind, doc.version]));
      return { active: activeByKind[DEFAULT_KIND] ?? null, activeByKind, models: models.map(view) };
    }),
  );
  router.post(
    '/models/rollback',
    deps.auth,
    handle({ body: rollbackBody }, async ({ body }) =>
      view(await registry.rollback(body.version, body.kind ? { kind: body.kind } : {})),
    ),
  );
  router.get(
    '/models/:version',
    deps.auth,
    handle({ params: byVersion }, async ({ params }) => view(await registry.require(params.version))),
  );
  router.post(
    '/models/:version/promote',
    deps.auth,
    handle({ params: byVersion, body: promoteBody }, async ({ params, body }) =>
      view(await registry.promoteManually(params.version, body.reason)),
    ),
  );
  return router;
}
