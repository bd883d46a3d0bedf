import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { SibylError } from '../../errors.js';
import { latestReport, listReports } from '../../reports/daily-reports.js';
import { reportCsv } from '../../reports/report-csv.js';
import type { Store } from '../../store/types.js';
import { handle } from '../handler.js';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

export const reportsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(366).default(30),
  from: date.optional(),
  to: date.optional(),
});
export const reportDateParams = z.object({ date });
export const reportQuery = z.strictObject({
  version: z.coerce.number().int().min(1).optional().describe('Default: the latest'),
  format: z.enum(['json', 'csv']).default('json'),
});

/** The daily reconciled reports (finance and product): read only; the `daily-report` job writes them. */
export function reportRoutes(deps: { store: Store; auth: RequestHandler }): Router {
  const router = Router();
  router.get(
    '/reports/daily',
    deps.auth,
    handle({ query: reportsQuery }, async ({ query }) => ({ days: await listReports(deps.store, query) })),
  );
  router.get(
    '/reports/daily/:date',
    deps.auth,
    handle({ params: reportDateParams, query: reportQuery }, async ({ params, query, res }) => {
      const report = await latestReport(deps.store, params.date, query.version);
      if (!report) {
        throw new SibylError(
          'not_found',
          query.version
            ? `No version ${query.version} of the report of ${params.date}`
            : `No report of ${params.date} yet: run the daily-report job or sibyl report daily --date ${params.date}`,
        );
      }
      const { _id, ...body } = report;
      if (query.format === 'json') return body;
      res
        .type('text/csv')
        .attachment(`sibyl-daily-${report.date}-v${report.version}.csv`)
        .send(reportCsv(report));
      return undefined;
    }),
  );
  return router;
}
