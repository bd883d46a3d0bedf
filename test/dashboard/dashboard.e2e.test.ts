import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUpExperiments, type Experiments } from '../../src/experiments/setup.js';
import { ActiveModel } from '../../src/feed/active-model.js';
import { silentLogger } from '../../src/log/logger.js';
import { ensureIndexes } from '../../src/store/collections.js';
import type { MongoStore } from '../../src/store/mongo-store.js';
import { ModelRegistry, newVersion } from '../../models/registry/registry.js';
import { ActiveModelWatcher } from '../../models/registry/watcher.js';
import type { PersistentRecommender } from '../../models/core/types.js';
import { loadTrainingData } from '../../models/data/from-store.js';
import { getKind } from '../../models/kinds.js';
import { runTraffic } from '../../src/traffic/run-traffic.js';
import { API_KEY, auth, makeTestApi, type TestApi } from '../helpers/api.js';
import { hasChromium, launchChromium, CHROMIUM_PATH } from '../helpers/browser.js';
import { buildDashboard } from '../helpers/dashboard-build.js';
import { PAINTED_CANVASES, UNLABELLED_OR_UNFOCUSABLE } from './page-checks.js';
import { TEST_END } from '../helpers/fixed-clock.js';
import { simulateToStore } from '../helpers/simulation.js';
import { openTestStore } from '../helpers/store.js';
import { trainedModel } from '../helpers/tiny-model.js';

/** With UPDATE_SCREENSHOTS=1 the pages' screenshots replace those in docs/screenshots (README shows them). */
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : undefined;
const MINUTE = 60_000;

/** What the page shows once it has caught up (a deadline for a loaded machine, not a timing claim). */
const eventually = <T>(read: () => Promise<T>, options = { timeout: 15_000 }) => expect.poll(read, options);

if (!hasChromium)
  console.warn(`dashboard browser tests SKIPPED: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`);

describe.skipIf(!hasChromium)('the dashboard in a real browser', () => {
  let store: MongoStore;
  let experiments: Experiments;
  let t: TestApi;
  let server: Server;
  let base: string;
  let browser: Browser;
  let page: Page;
  let modelsDir: string;
  let assetsDir: string;
  let watcher: ActiveModelWatcher;
  let easeVersion: string;
  const versions: string[] = [];
  const consoleErrors: string[] = [];

  /** Every visible control has an accessible name and is reachable with Tab. */
  async function expectLabelledAndFocusable() {
    expect(await page.evaluate<string[]>(UNLABELLED_OR_UNFOCUSABLE)).toEqual([]);
  }

  /** Charts that drew something (a canvas of blank pixels means Chart.js did not render). */
  const paintedCharts = () => page.evaluate<number>(PAINTED_CANVASES);

  async function screenshot(name: string) {
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  beforeAll(async () => {
    assetsDir = await buildDashboard();
    store = await openTestStore({ indexes: false });
    await ensureIndexes(store);
    await simulateToStore(store, { seed: 3, users: 80, days: 3, end: TEST_END });

    // Two model versions, the second active, and a rejected candidate with the gate's reason.
    modelsDir = await mkdtemp(join(tmpdir(), 'sibyl-dashboard-models-'));
    let at = TEST_END.getTime() - 3 * 24 * 60 * MINUTE;
    const registry = new ModelRegistry({ store, modelsDir, now: () => new Date(at) });
    const tickers = (await store.collection('markets').find({ status: 'open' }).limit(200).toArray()).map(
      (m) => String(m.ticker),
    );
    const serving = new Map<string, PersistentRecommender>();
    for (const [i, ndcg] of [0.21, 0.24, 0.22].entries()) {
      at += 24 * 60 * MINUTE;
      const dataWindow = { from: new Date(at - 7 * 24 * 60 * MINUTE), to: new Date(at) };
      // Two-tower models, as the default ranker serves them.
      const model = await trainedModel(tickers, i + 1);
      const doc = await registry.createCandidate({
        version: newVersion('two-tower', new Date(at)),
        kind: 'two-tower',
        model,
        dataWindow,
        seed: i + 1,
        testFraction: 0.1,
        createdAt: new Date(at),
      });
      versions.push(doc.version);
      const promote = i < 2;
      await registry.update(doc.version, {
        trainedAt: new Date(at),
        metrics: { candidate: { 'ndcg@10': ndcg, 'recall@10': ndcg * 1.6, mrr: ndcg * 0.8 } },
        gate: {
          metric: 'ndcg@10',
          margin: 0.005,
          decision: promote ? 'promote' : 'reject',
          reason: promote
            ? `ndcg@10 beats the active model and the best baseline by more than 0.005`
            : 'ndcg@10 does not beat the active model: the lower bound of the difference is -0.004',
          values: { candidate: ndcg },
        },
      });
      if (promote) await registry.promote(doc.version, { reason: 'gate' });
      else await registry.update(doc.version, { status: 'rejected' });
      serving.set(doc.version, model);
    }
    // And an EASE model for the experiment arms: its own kind, its own active version.
    const data = await loadTrainingData(store, { to: TEST_END });
    const ease = getKind('ease').create();
    await ease.fit(
      {
        log: data.log,
        numUsers: data.log.userIds.length,
        numItems: data.log.itemIds.length,
        cutoffMs: TEST_END.getTime(),
      },
      { seed: 1 },
    );
    const easeDoc = await registry.createCandidate({
      version: newVersion('ease', new Date(at)),
      kind: 'ease',
      model: ease,
      dataWindow: { from: new Date(at - 7 * 24 * 60 * MINUTE), to: new Date(at) },
      seed: 1,
      testFraction: 0.1,
      createdAt: new Date(at),
    });
    easeVersion = easeDoc.version;
    await registry.update(easeVersion, {
      trainedAt: new Date(at),
      metrics: { candidate: { 'ndcg@10': 0.19, 'recall@10': 0.3, mrr: 0.15 } },
      gate: {
        rule: 'not-worse',
        metric: 'ndcg@10',
        margin: 0.005,
        decision: 'promote',
        reason: 'ndcg@10 0.1900: the first model of its kind (an experiment judges it)',
        values: { candidate: 0.19 },
      },
    });
    await registry.promote(easeVersion, { reason: 'gate' });
    serving.set(easeVersion, ease);
    // Feeds follow the registry's active model as `sibyl serve` does (polled here, without Redis).
    const active = new ActiveModel(async (version) => serving.get(version)!, silentLogger);
    watcher = new ActiveModelWatcher({ registry, pollSeconds: 1, logger: silentLogger });
    active.watch(watcher);
    await watcher.start();
    for (const d of watcher.current) await active.follow(d.kind, d);

    const now = new Date(TEST_END.getTime() + 30 * MINUTE);
    experiments = (await setUpExperiments(
      { dir: 'experiments', overridesRefreshMs: 3_600_000 },
      store,
      silentLogger,
      {
        now: () => t.clock.now(),
      },
    ))!;
    t = await makeTestApi({
      store,
      now,
      experiments,
      assignment: experiments.assigner,
      model: active,
      // The traders' second day moves the clock 24 h on: the login lasts through it.
      config: {
        SIBYL_DASHBOARD_DIR: assetsDir,
        SIBYL_MODELS_DIR: modelsDir,
        SIBYL_DASHBOARD_SESSION_HOURS: 72,
      },
    });
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    if (SCREENSHOTS) await mkdir(SCREENSHOTS, { recursive: true });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(String(err)));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await watcher?.stop();
    await new Promise((resolve) => server?.close(resolve));
    await experiments?.close();
    await rm(modelsDir, { recursive: true, force: true });
    await rm(assetsDir, { recursive: true, force: true });
  });

  it('asks for a login; the API answers 401 without a session', async () => {
    expect((await fetch(`${base}/v1/experiments`)).status).toBe(401);
    await page.goto(`${base}/dashboard`);
    await page.getByLabel('API key').waitFor();
    await screenshot('login');
    await expectLabelledAndFocusable();
    // By keyboard alone: Tab to the field, type, Enter.
    await page.keyboard.press('Tab');
    await page.keyboard.type('not-the-key');
    await page.keyboard.press('Enter');
    await eventually(() => page.locator('#api-key-error').textContent()).toMatch(/not one of the API keys/);
    await page.getByLabel('API key').fill(API_KEY);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Experiments' }).waitFor();
  });

  it('creates an experiment, showing a validation error beside the field until it is fixed', async () => {
    await page.getByRole('link', { name: 'New experiment' }).click();
    await page.getByLabel('Key').fill('trending-vs-popularity');
    await page.getByLabel('Name', { exact: true }).fill('Trending vs popularity');
    await page.getByLabel('Arm 1 name').fill('Control (popularity)');
    await page.getByLabel('Arm 1 ranker').selectOption('popularity');
    await page.getByLabel('Arm 2 name').fill('Trending');
    await page.getByLabel('Arm 2 ranker').selectOption('trending');
    await page.getByLabel('Arm 1 weight').fill('0.5');
    await page.getByLabel('Arm 2 weight').fill('0.4');
    await page.getByRole('button', { name: 'Create experiment' }).click();

    const weightsError = page.locator('#weights-error');
    await eventually(() => weightsError.textContent()).toMatch(/sum to 0.9, not 1/);
    expect(await page.getByLabel('Arm 2 weight').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Arm 2 weight').getAttribute('aria-describedby')).toBe('weights-error');
    // Nothing was stored.
    expect((await fetch(`${base}/v1/experiments/trending-vs-popularity`, { headers: auth })).status).toBe(
      404,
    );
    await screenshot('experiment-form');
    await expectLabelledAndFocusable();

    await page.getByLabel('Arm 2 weight').fill('0.5');
    await page.getByRole('button', { name: 'Create experiment' }).click();
    const row = page.locator('tr[data-experiment="trending-vs-popularity"]');
    await row.waitFor();
    expect(await row.locator('.badge').textContent()).toBe('stopped');
    expect(await row.textContent()).toMatch(/popularity.*50%.*trending.*50%/);

    // Edited: the form starts from the stored rule; the list shows the new split.
    await row.getByRole('link', { name: /^Edit/ }).click();
    expect(await page.getByLabel('Key').isDisabled()).toBe(true);
    expect(await page.getByLabel('Arm 2 ranker').inputValue()).toBe('trending');
    await page.getByLabel('Arm 1 weight').fill('0.4');
    await page.getByLabel('Arm 2 weight').fill('0.6');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await eventually(() => row.textContent()).toMatch(/popularity.*40%.*trending.*60%/);
    expect(await row.locator('.badge').textContent()).toBe('stopped');
  });

  it('starts it, sees exposures and activity arrive from the traders in the results and charts, and stops it', async () => {
    // The shipped experiment's rule comes first: stopped, every user reaches the new one.
    await page
      .locator('tr[data-experiment="ranker-two-tower-vs-popularity"]')
      .getByRole('button', { name: /^Stop/ })
      .click();
    const row = page.locator('tr[data-experiment="trending-vs-popularity"]');
    await row.getByRole('button', { name: /^Start/ }).click();
    await eventually(() => row.locator('.badge').textContent()).toBe('running');
    await screenshot('experiments');
    await expectLabelledAndFocusable();

    await page.getByRole('link', { name: 'Trending vs popularity' }).click();
    await page.getByRole('heading', { name: /Results: Trending vs popularity/ }).waitFor();
    const exposedOnPage = async () =>
      (await page.locator('td[data-metric="exposedUsers"]').allTextContents())
        .map((n) => Number(n.replace(/,/g, '')))
        .reduce((x, y) => x + y, 0);
    expect(await exposedOnPage()).toBe(0);

    // The demo's traders (`sibyl traffic`) use the public API for two days: they open their feeds
    // (and are exposed), read on, click and trade. Results arrive as the page is refreshed.
    for (const day of [1, 2]) {
      const stats = await runTraffic({
        api: base,
        apiKey: API_KEY,
        seed: 3,
        users: 80,
        days: 3,
        rate: 40,
        durationSeconds: 1.5,
        run: `dashboard-${day}`,
        now: t.clock.now,
      });
      expect(stats.errors).toEqual({});
      expect(stats.sessions).toBeGreaterThan(0);
      await experiments.exposures.flush();
      await page.getByRole('button', { name: 'Refresh' }).click();
      const stored = await store
        .collection('exposures')
        .countDocuments({ experimentId: 'trending-vs-popularity' });
      expect(stored).toBeGreaterThan(0);
      await eventually(exposedOnPage).toBe(stored);
      t.clock.advance(24 * 60 * MINUTE);
    }
    const results = (await (
      await fetch(`${base}/v1/experiments/trending-vs-popularity/results`, { headers: auth })
    ).json()) as { daily: unknown[]; comparisons: { result: { confidenceInterval: unknown } }[] };
    expect(results.daily).toHaveLength(2);
    expect(await page.getByText('Chance to beat control').count()).toBe(1);
    // Exposed users, CTR and trades by day; the lift chart too once an interval exists.
    const intervals = results.comparisons.some((c) => c.result.confidenceInterval !== null);
    await eventually(paintedCharts).toBe(intervals ? 4 : 3);
    await screenshot('results');
    await expectLabelledAndFocusable();

    await page.getByRole('button', { name: /^Stop/ }).click();
    await eventually(() => page.locator('.summary .badge').textContent()).toBe('stopped');
    const after = await fetch(`${base}/v1/users/user-77/feed?limit=3`);
    expect(((await after.json()) as { experiment: unknown }).experiment).toBeNull();
  });

  it('rolls back the model after a confirmation, and the feed reports the model rolled back to', async () => {
    const feedModel = async () =>
      ((await (await fetch(`${base}/v1/users/u1/feed?limit=3`)).json()) as { model: string | null }).model;
    expect(await feedModel()).toBe(versions[1]);

    await page.getByRole('link', { name: 'Models' }).click();
    await page.getByRole('heading', { name: 'Models' }).waitFor();
    expect(await page.locator('[data-active-model="two-tower"]').textContent()).toBe(versions[1]);
    expect(await page.locator('[data-active-model="ease"]').textContent()).toBe(easeVersion);
    expect(await page.locator(`tr[data-model="${versions[2]}"]`).textContent()).toMatch(
      /reject.*does not beat the active model/,
    );
    await eventually(paintedCharts).toBe(1);
    await screenshot('models');
    await expectLabelledAndFocusable();

    // Keyboard: open the confirmation, Escape cancels it and nothing changes.
    const rollBack = page.getByRole('button', { name: 'Roll back two-tower…' });
    await rollBack.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Roll back the active two-tower model?' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.locator('[data-active-model="two-tower"]').textContent()).toBe(versions[1]);

    await rollBack.click();
    await dialog.getByRole('button', { name: 'Roll back' }).click();
    await eventually(() => page.locator('[data-active-model="two-tower"]').textContent()).toBe(versions[0]);
    // Rolling back the two-tower leaves EASE's active model alone.
    expect(await page.locator('[data-active-model="ease"]').textContent()).toBe(easeVersion);
    // The API's watcher notices the rollback and the feed ranks with the older model.
    await eventually(feedModel, { timeout: 20_000 }).toBe(versions[0]);

    // Promoting the rejected candidate by hand, also after a confirmation.
    await page
      .locator(`tr[data-model="${versions[2]}"]`)
      .getByRole('button', { name: /^Promote/ })
      .click();
    await page
      .getByRole('dialog', { name: `Promote ${versions[2]}?` })
      .getByRole('button', { name: 'Promote' })
      .click();
    await eventually(() => page.locator('[data-active-model="two-tower"]').textContent()).toBe(versions[2]);
    await eventually(feedModel, { timeout: 20_000 }).toBe(versions[2]);
  });

  it('previews a user’s feed under each arm side by side', async () => {
    await page.getByRole('link', { name: 'Feed preview' }).click();
    await page.getByLabel('User id').fill('user-3');
    await page.getByLabel('Experiment').selectOption('trending-vs-popularity');
    await page.getByRole('button', { name: 'Show feeds' }).click();
    const columns = page.locator('.feed-column');
    await eventually(() => columns.count()).toBe(2);
    expect(await columns.nth(0).getAttribute('data-ranker')).toBe('popularity');
    expect(await columns.nth(1).getAttribute('data-ranker')).toBe('trending');
    for (const i of [0, 1]) {
      expect(await columns.nth(i).locator('li').count()).toBe(10);
      expect(await columns.nth(i).locator('li').first().textContent()).toMatch(/score \d/);
    }
    await screenshot('feed-preview');
    await expectLabelledAndFocusable();
  });

  it('triggers a job and shows its run', async () => {
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByLabel('Job').selectOption('refresh-features');
    await page.getByRole('button', { name: 'Run now' }).click();
    await eventually(() => page.getByRole('status').textContent()).toMatch(/Queued refresh-features/);
    const run = page.locator('tr[data-run="refresh-features"]').first();
    await eventually(() => run.locator('.badge').textContent(), { timeout: 30_000 }).toBe('completed');
    // A run that fails shows its error: evaluating when no candidate was trained.
    await page.getByLabel('Job').selectOption('evaluate');
    await page.getByRole('button', { name: 'Run now' }).click();
    const failed = page.locator('tr[data-run="evaluate"]').first();
    await eventually(() => failed.locator('.badge').textContent(), { timeout: 30_000 }).toBe('failed');
    expect(await failed.locator('.reason').textContent()).toMatch(/candidate/i);
    await screenshot('jobs');
    await expectLabelledAndFocusable();
  });

  it('logs out, and logged no error but the two requests refused on purpose', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('API key').waitFor();
    expect((await page.request.get(`${base}/v1/experiments`)).status()).toBe(401);
    // The browser logs each refused request as a failed load: the wrong key (401) and the experiment
    // whose weights did not sum to 1 (422), both typed on purpose above. Nothing else.
    expect(consoleErrors).toEqual([
      expect.stringMatching(/status of 401/),
      expect.stringMatching(/status of 422/),
    ]);
  });
});
