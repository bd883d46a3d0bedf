import { readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestReport, saveReport } from '../../src/reports/daily-reports.js';
import { API_KEY, auth, makeTestApi, type TestApi } from '../helpers/api.js';
import { hasChromium, launchChromium, CHROMIUM_PATH } from '../helpers/browser.js';
import { buildDashboard } from '../helpers/dashboard-build.js';
import { HOUR_MS } from '../helpers/fixed-clock.js';
import {
  REPORT_DATE as DATE,
  REPORT_DAY_END as DAY_END,
  hoursBeforeDayEnd as at,
  reportDayInteractions,
  reportDayMarkets as markets,
} from '../helpers/report-day.js';
import { UNLABELLED_OR_UNFOCUSABLE } from './page-checks.js';

/** With UPDATE_SCREENSHOTS=1 the page's screenshot replaces docs/screenshots/reports.png. */
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : undefined;

const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000 });

if (!hasChromium)
  console.warn(
    `dashboard report browser tests SKIPPED: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`,
  );

describe.skipIf(!hasChromium)('the Daily reports page in a real browser', () => {
  let t: TestApi;
  let server: Server;
  let base: string;
  let browser: Browser;
  let page: Page;
  let assetsDir: string;
  let shown: string;
  const consoleErrors: string[] = [];

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...auth, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  /** The daily-report job for DATE through the job runner, as the scheduler or `POST /v1/jobs` runs it. */
  async function runReportJob() {
    const queued = await call('POST', '/v1/jobs/daily-report', { date: DATE });
    expect(queued.status).toBe(202);
    for (let i = 0; i < 400; i++) {
      const status = (await call('GET', queued.body.status as string)).body;
      if (status.state === 'completed') return status;
      if (status.state === 'failed') throw new Error(`daily-report failed: ${String(status.error)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('daily-report did not finish');
  }

  /** The tie-out line's figure as shown, and the exact decimal it shows. */
  const tieOut = async (line: string, measure: string) => {
    const cell = page.locator(`tr[data-tie-out="${line}"] td[data-measure="${measure}"]`);
    return { shown: (await cell.textContent())?.trim(), value: await cell.getAttribute('data-value') };
  };

  beforeAll(async () => {
    assetsDir = await buildDashboard();
    // Feeds served and traded in the day's last hours; the report runs after it ends.
    t = await makeTestApi({
      now: new Date(DAY_END.getTime() - HOUR_MS),
      config: { SIBYL_DASHBOARD_DIR: assetsDir },
    });
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    expect((await call('PUT', '/v1/markets', { markets })).status).toBe(200);
    const feed = (await call('GET', '/v1/users/u1/feed?limit=5')).body as {
      feedId: string;
      items: { ticker: string }[];
    };
    const trending = (await call('GET', '/v1/trending?userId=u2&limit=3')).body as { feedId: string };
    shown = feed.items[0]!.ticker;
    const interactions = reportDayInteractions({
      shown,
      feedId: feed.feedId,
      trendingFeedId: trending.feedId,
    });
    expect((await call('POST', '/v1/interactions', { interactions })).status).toBe(200);
    t.clock.advance(2 * HOUR_MS);
    await runReportJob();

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1366, height: 768 }, acceptDownloads: true });
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(String(err)));
    // Straight to the reports (this API serves no experiments, the default page).
    await page.goto(`${base}/dashboard#/reports`);
    await page.getByLabel('API key').fill(API_KEY);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Daily reports' }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await rm(assetsDir, { recursive: true, force: true });
  });

  it('lists the day as reconciled and shows its tie-out, rows and exceptions', async () => {
    await page.getByRole('link', { name: 'Daily reports' }).click();
    const day = page.locator(`tr[data-report-day="${DATE}"]`);
    await day.waitFor();
    expect(await day.locator('.badge').first().textContent()).toBe('reconciled');
    expect(await day.textContent()).toMatch(/v1.*reconciled.*3 trades/);
    await expect.soft(page.evaluate<string[]>(UNLABELLED_OR_UNFOCUSABLE)).resolves.toEqual([]);

    await day.getByRole('link', { name: DATE }).click();
    await page.getByRole('heading', { name: `Daily report ${DATE}` }).waitFor();
    await eventually(() => page.locator('[data-tie-out-status]').textContent()).toBe('reconciled');
    // $3.05 + $0.75 attributed, $0.50 organic: the sum shown is the day's total, to the micro-dollar.
    expect(await tieOut('attributed', 'notional')).toEqual({ shown: '$3.80', value: '3.800000' });
    expect(await tieOut('organic', 'notional')).toEqual({ shown: '$0.50', value: '0.500000' });
    expect(await tieOut('sum', 'notional')).toEqual({ shown: '$4.30', value: '4.300000' });
    expect(await tieOut('total', 'notional')).toEqual({ shown: '$4.30', value: '4.300000' });
    expect(await tieOut('sum', 'contracts')).toEqual({ shown: '9.00', value: '9.00' });
    expect((await tieOut('total', 'trades')).shown).toBe('3');
    // One row per served surface and category; the trending row's notional is the API's string.
    const trendingRow = page.locator('.report-rows tbody tr', { hasText: 'trending' });
    expect(await trendingRow.textContent()).toMatch(/Crypto.*\$0\.75/);
    // Each exception under its reason code, with the event listed.
    expect(await page.locator('[data-exception="feed_of_another_user"]').textContent()).toMatch(
      /feed_of_another_user · 1.*x1.*u4/,
    );
    expect(await page.locator('[data-exception="unknown_feed"]').textContent()).toMatch(/x2.*not-a-feed/);
    expect(await page.getByRole('heading', { name: /restates/ }).count()).toBe(0);
    expect(await page.evaluate<string[]>(UNLABELLED_OR_UNFOCUSABLE)).toEqual([]);
  });

  it('shows a restatement’s changes after late events, and switches between versions', async () => {
    // A trade u1 made from the feed, sent an hour after the day ended: the rerun restates the day.
    const late = [
      {
        eventId: 't4',
        userId: 'u1',
        ticker: shown,
        type: 'trade',
        ts: at(2.5),
        side: 'yes',
        contracts: '2',
        price: '0.5',
      },
    ];
    expect((await call('POST', '/v1/interactions', { interactions: late })).status).toBe(200);
    t.clock.advance(HOUR_MS);
    await runReportJob();

    await page.getByRole('link', { name: 'Daily reports' }).click();
    const day = page.locator(`tr[data-report-day="${DATE}"]`);
    await eventually(() => day.locator('.versions li').count()).toBe(2);
    await day.getByRole('link', { name: DATE }).click();
    await page.getByRole('heading', { name: 'Version 2 restates version 1' }).waitFor();
    expect(await page.getByLabel('Version', { exact: true }).inputValue()).toBe('2');
    expect(await tieOut('total', 'notional')).toEqual({ shown: '$5.30', value: '5.300000' });
    expect(await tieOut('sum', 'notional')).toEqual({ shown: '$5.30', value: '5.300000' });
    expect(await page.locator('tr[data-change="total.notional"]').textContent()).toMatch(
      /\$4\.30.*\$5\.30.*\+\$1\.00/,
    );
    expect(await page.locator('tr[data-change="attributed.trades"]').textContent()).toMatch(/2.*3.*\+1/);
    expect(await page.locator('tr[data-change="exceptions.arrived_after_cutoff"]').textContent()).toMatch(
      /0.*1.*\+1/,
    );
    expect(await page.locator('[data-exception="arrived_after_cutoff"]').textContent()).toMatch(/t4.*u1/);

    // The CSV of the version shown, fetched with the session and saved by the browser.
    const [saved] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download CSV (v2)' }).click(),
    ]);
    expect(saved.suggestedFilename()).toBe(`sibyl-daily-${DATE}-v2.csv`);
    const csv = await readFile((await saved.path())!, 'utf8');
    expect(csv.trim().split('\n').at(-1)).toBe('total,,,,,,,,,,,4,3,11.00,5.300000,');

    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'reports.png'), fullPage: true });
    expect(await page.evaluate<string[]>(UNLABELLED_OR_UNFOCUSABLE)).toEqual([]);

    // Version 1 as it was first reported, untouched by the restatement.
    await page.getByLabel('Version', { exact: true }).selectOption('1');
    await eventually(() => tieOut('total', 'notional')).toEqual({ shown: '$4.30', value: '4.300000' });
    expect(await page.getByRole('heading', { name: /restates/ }).count()).toBe(0);
    expect(await page.locator('[data-exception="arrived_after_cutoff"]').count()).toBe(0);
    expect(new URL(page.url()).hash).toBe(`#/reports/${DATE}/1`);
  });

  it('marks a day that does not tie out as unreconciled, with its breaks', async () => {
    // The report's one writer, given the day's figures with a trade missing from the organic side
    // (what a dropped trade would look like): the page must not pass it off as reconciled.
    const v2 = (await latestReport(t.store, DATE))!;
    const { _id: _, version: _v, createdAt: _c, restates: _r, ...draft } = v2;
    await saveReport(
      t.store,
      {
        ...draft,
        date: '2026-11-20',
        organic: { trades: 0, traders: 0, contracts: '0.00', notional: '0.000000' },
        status: 'unreconciled',
        tieOut: {
          reconciled: false,
          breaks: [{ measure: 'trades', attributedPlusOrganic: '3', total: '4' }],
        },
      },
      t.clock.now(),
    );
    await page.getByRole('link', { name: 'Daily reports' }).click();
    const day = page.locator('tr[data-report-day="2026-11-20"]');
    await eventually(() => day.locator('.badge').first().textContent()).toBe('unreconciled');
    await day.getByRole('link', { name: '2026-11-20' }).click();
    await eventually(() => page.locator('[data-tie-out-status]').textContent()).toBe('unreconciled');
    expect(await page.getByRole('alert').textContent()).toMatch(/Does not tie out: trades 3 ≠ 4/);
    expect((await tieOut('sum', 'trades')).shown).toBe('3');
    expect((await tieOut('total', 'trades')).shown).toBe('4');
  });

  it('logged nothing to the console', () => {
    expect(consoleErrors).toEqual([]);
  });
});
