import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { SibylError } from '../errors.js';

interface Schemas<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  params?: P;
  query?: Q;
  body?: B;
}

export interface HandlerInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  req: Request;
  res: Response;
}

/**
 * The one way routes are written: params, query and body are validated by their schemas (a 400
 * naming each bad field otherwise), the result is sent as JSON, and thrown SibylErrors become
 * their status codes in the error handler.
 */
export function handle<
  P extends z.ZodType = z.ZodUnknown,
  Q extends z.ZodType = z.ZodUnknown,
  B extends z.ZodType = z.ZodUnknown,
>(
  schemas: Schemas<P, Q, B>,
  fn: (input: HandlerInput<z.output<P>, z.output<Q>, z.output<B>>) => Promise<unknown> | unknown,
  status = 200,
): RequestHandler {
  return async (req, res, next) => {
    try {
      const params = parsePart(schemas.params, req.params, 'params');
      const query = parsePart(schemas.query, req.query, 'query');
      const body = parsePart(schemas.body, req.body, 'body');
      const result = await fn({ params, query, body, req, res } as HandlerInput<
        z.output<P>,
        z.output<Q>,
        z.output<B>
      >);
      if (!res.headersSent) res.status(status).json(result);
    } catch (err) {
      next(err);
    }
  };
}

function parsePart(schema: z.ZodType | undefined, value: unknown, part: string): unknown {
  if (!schema) return value;
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  // An unknown field is named by its own path, as in batches (`body.dryRun: Unrecognized key`).
  const details = parsed.error.issues.flatMap((issue) =>
    (issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path]).map(
      (path) => ({
        path: [part, ...path.map(String)].join('.'),
        message: issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message,
      }),
    ),
  );
  const fields = details.map((d) => d.path).join(', ');
  throw new SibylError(
    part === 'body' ? 'validation_failed' : 'invalid_request',
    `Invalid ${part}: ${fields}`,
    details,
  );
}
