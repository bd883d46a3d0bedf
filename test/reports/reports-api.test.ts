import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { auth, makeTestApi, type TestApi } from '../helpers/api.js';
import { HOUR_MS } from '../helpers/fixed-clock.js';
import {
  REPORT_DATE as DATE,
  REPORT_DAY_END as DAY_END,
  reportDayInteractions,
  reportDayMarkets as markets,
} from '../helpers/report-day.js';

async function settled(t: TestApi, statusUrl: string) {
  for (let i = 0; i < 400; i++) {
    const status = (await request(t.app).get(statusUrl).set(auth).expect(200)).body;
    if (status.state === 'completed' || status.state === 'failed') return status;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('job did not finish');
}

describe('daily reports through the API and the daily-report job', () => {
  let t: TestApi;
  beforeAll(async () => {
    // Served and traded an hour before the day ends; reported after it.
    t = await makeTestApi({ now: new Date(DAY_END.getTime() - HOUR_MS) });
    await request(t.app).put('/v1/markets').set(auth).send({ markets }).expect(200);
    const feed = (await request(t.app).get('/v1/users/u1/feed?limit=5').expect(200)).body;
    const trending = (await request(t.app).get('/v1/trending?userId=u2&limit=3').expect(200)).body;
    const similar = (await request(t.app).get('/v1/markets/KXA-1/similar?userId=u3').expect(200)).body;
    expect(trending.feedId).toEqual(expect.any(String));
    expect(similar.feedId).toEqual(expect.any(String));
    const shown = feed.items[0].ticker as string;
    const interactions = reportDayInteractions({
      shown,
      feedId: feed.feedId,
      trendingFeedId: trending.feedId,
    });
    await request(t.app).post('/v1/interactions').set(auth).send({ interactions }).expect(200);
    t.clock.advance(2 * HOUR_MS);
  });

  it('runs the job, lists the day and serves the report as JSON', async () => {
    const triggered = await request(t.app)
      .post('/v1/jobs/daily-report')
      .set(auth)
      .send({ date: DATE })
      .expect(202);
    const status = await settled(t, triggered.body.status);
    expect(status).toMatchObject({
      state: 'completed',
      result: {
        days: [{ date: DATE, version: 1, created: true, trades: 3, attributedTrades: 2, exceptions: 2 }],
      },
    });

    const list = await request(t.app).get('/v1/reports/daily').set(auth).expect(200);
    expect(list.body.days).toEqual([
      {
        date: DATE,
        latestVersion: 1,
        status: 'reconciled',
        versions: [expect.objectContaining({ version: 1, status: 'reconciled', trades: 3, exceptions: 2 })],
      },
    ]);

    const report = (await request(t.app).get(`/v1/reports/daily/${DATE}`).set(auth).expect(200)).body;
    expect(
      report.rows.map((r: Record<string, unknown>) => [
        r.surface,
        r.ranker,
        r.category,
        r.trades,
        r.notional,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['feed', expect.any(String), expect.any(String), 1, '3.050000'],
        ['trending', 'trending', 'Crypto', 1, '0.750000'],
      ]),
    );
    expect(report.rows.find((r: { surface: string }) => r.surface === 'similar')).toBeUndefined();
    expect(report.organic).toEqual({ trades: 1, traders: 1, contracts: '1.00', notional: '0.500000' });
    expect(report.total).toEqual({ trades: 3, traders: 3, contracts: '9.00', notional: '4.300000' });
    expect(report.tieOut.reconciled).toBe(true);
    expect(
      report.exceptions.items.map((x: { reason: string; eventId: string }) => [x.reason, x.eventId]),
    ).toEqual([
      ['feed_of_another_user', 'x1'],
      ['unknown_feed', 'x2'],
    ]);
  });

  it('serves CSV whose lines tie out', async () => {
    const res = await request(t.app).get(`/v1/reports/daily/${DATE}?format=csv`).set(auth).expect(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toBe(
      'kind,surface,ranker,rankerVersion,model,experiment,variation,category,impressions,clicks,ctr,trades,traders,contracts,notional,meanPosition',
    );
    expect(lines.slice(-3)).toEqual([
      'organic,,,,,,,,,,,1,1,1.00,0.500000,',
      'attributed_total,,,,,,,,,,,2,2,8.00,3.800000,',
      'total,,,,,,,,,,,3,3,9.00,4.300000,',
    ]);
  });

  it('answers 4xx naming the field for bad dates and formats, 404 for a day without a report, 401 without a key', async () => {
    const bad = await request(t.app).get('/v1/reports/daily/yesterday').set(auth).expect(400);
    expect(bad.body.error.details[0].path).toBe('params.date');
    const format = await request(t.app).get(`/v1/reports/daily/${DATE}?format=xml`).set(auth).expect(400);
    expect(format.body.error.details[0].path).toBe('query.format');
    await request(t.app).get('/v1/reports/daily/2026-11-01').set(auth).expect(404);
    await request(t.app).get(`/v1/reports/daily/${DATE}?version=2`).set(auth).expect(404);
    await request(t.app).get(`/v1/reports/daily/${DATE}`).expect(401);
    const notEnded = await request(t.app)
      .post('/v1/jobs/daily-report')
      .set(auth)
      .send({ date: '2026-11-22' })
      .expect(202);
    expect(await settled(t, notEnded.body.status)).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/has not ended/),
    });
  });

  it("exposes the newest day's attributed share, exceptions and tie-out as gauges", async () => {
    const metrics = (await request(t.app).get('/metrics').expect(200)).text;
    expect(metrics).toContain('sibyl_daily_report_attributed_share{measure="trades"} 0.666666');
    // $3.80 of $4.30.
    expect(metrics).toContain('sibyl_daily_report_attributed_share{measure="notional"} 0.88372');
    expect(metrics).toContain('sibyl_daily_report_exceptions{reason="unknown_feed"} 1');
    expect(metrics).toContain('sibyl_daily_report_reconciled 1');
  });
});
