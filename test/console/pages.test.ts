/** The console in a real headless Chromium: every page loads without console
 * errors and shows the known data, filtering works, a silence made from the
 * page lands in Alertmanager, and an unreachable Prometheus shows the error
 * state. Screenshots go to test-output/console/. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { startConsole } from '../../src/console/index.js';
import { freePort } from '../../src/net.js';
import { collectErrors, launchBrowser, screenshot, type Browser } from './browser.js';
import { postAlerts, startKnownWorld, type KnownWorld } from './fixtures.js';

let w: KnownWorld;
let browser: Browser;

before(async () => {
  w = await startKnownWorld();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await w?.stop();
});

async function open(path: string, base = w.console.url): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.context.newPage();
  const errors = collectErrors(page);
  await page.goto(base + path);
  await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', { timeout: 20_000 });
  return { page, errors };
}

const rowTexts = (page: Page) => page.$$eval('#slo-table tbody tr', (rows) => rows.map((r) => r.getAttribute('data-id')));

describe('console pages in Chromium', () => {
  it('SLO list shows every SLO with its values, and filters by service and state', async () => {
    const { page, errors } = await open('/slos');
    assert.equal(await page.getAttribute('body', 'data-state'), 'ready');
    // Default order: worst state first.
    assert.deepEqual(await rowTexts(page), [
      'checkout/availability',
      'inference-gateway/availability',
      'inference-gateway/latency',
      'search/availability',
    ]);
    const checkout = page.locator('tr[data-id="checkout/availability"]');
    const cells = await checkout.locator('td').allInnerTexts();
    assert.equal(cells[2], '99.9%');
    assert.equal(cells[4], '99.950%');
    assert.match(cells[5]!, /^50\.0%/);
    // A young stack says what the budget covers, and the gaps of its tiles.
    assert.match(cells[5]!, /budget over the first 1d 2h of 30d/);
    assert.match(cells[5]!, /⚠ \d+ of 313 tiles missed/);
    assert.doesNotMatch(
      await page.locator('tr[data-id="inference-gateway/availability"] td').nth(5).innerText(),
      /budget over|tiles missed/,
    );
    assert.equal(cells[6], '18h 0m'); // 0.5 × 30d / 20
    assert.match(cells[7]!, /1h 20\.0×/);
    assert.equal(cells[8], 'page');
    assert.equal(await page.locator('tr[data-id="search/availability"] td').nth(6).innerText(), '–');
    assert.match(await page.locator('#fetched').innerText(), /fetched .* refreshes every 30s/);
    await screenshot(page, 'slo-list');

    await page.selectOption('#filter-service', 'inference-gateway');
    assert.deepEqual(await rowTexts(page), ['inference-gateway/availability', 'inference-gateway/latency']);
    await page.selectOption('#filter-state', 'ticket');
    assert.deepEqual(await rowTexts(page), ['inference-gateway/availability']);
    assert.match(page.url(), /service=inference-gateway/);
    assert.match(page.url(), /state=ticket/);
    await page.selectOption('#filter-service', '');
    await page.selectOption('#filter-state', '');
    // Sorting by budget left, ascending, then descending.
    await page.click('th[data-sort="budget"]');
    assert.deepEqual((await rowTexts(page)).slice(0, 3), [
      'inference-gateway/availability',
      'checkout/availability',
      'inference-gateway/latency',
    ]);
    await page.click('th[data-sort="budget"]');
    assert.equal((await rowTexts(page))[0], 'checkout/availability');
    // The filtered URL is stable: loading it shows the filtered list.
    const again = await open('/slos?state=page');
    assert.deepEqual(await rowTexts(again.page), ['checkout/availability']);
    assert.deepEqual(errors, []);
    assert.deepEqual(again.errors, []);
    await page.close();
    await again.page.close();
  });

  it('SLO detail draws the three charts, the rules with Prometheus links and the firing alert', async () => {
    const { page, errors } = await open('/slos/inference-gateway/availability?range=6h');
    assert.equal(await page.locator('.uplot').count(), 3);
    assert.equal(await page.locator('#state').innerText(), 'ticket');
    assert.match(await page.locator('#firing').innerText(), /SLOAvailabilitySlowBurn/);
    assert.match(await page.locator('#recent').innerText(), /still firing/);
    const link = page.locator('#rules a', { hasText: 'open in Prometheus' }).first();
    assert.match((await link.getAttribute('href')) ?? '', new RegExp(`^${w.prometheus.url}/graph\\?g0\\.expr=`));
    assert.equal(await page.locator('#ranges a[aria-current="true"]').innerText(), '6h');
    // The burn chart's legend names each window and the thresholds.
    const legend = await page.locator('#chart-burn .u-legend').innerText();
    for (const label of ['1h', '3d', '14.4×', '1×']) assert.ok(legend.includes(label), `legend has ${label}`);
    await screenshot(page, 'slo-detail');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('model pages show drift, accuracy, mix and freshness', async () => {
    const list = await open('/models');
    assert.equal(await list.page.locator('#model-table tbody tr').count(), 1);
    const cells = await list.page.locator('tr[data-model="iris"] td').allInnerTexts();
    assert.equal(cells[1], 'classification');
    // No alert fires for iris here, yet PSI 0.4 is past its threshold: the badge says so.
    assert.match(cells[2]!, /^attention\s+v2: petal_length drifted/);
    assert.equal(cells[3], 'v2');
    assert.equal(cells[4], 'v2, v3');
    assert.equal(cells[6], '25%');
    assert.match(cells[7]!, /0\.400\s+petal_length/);
    await screenshot(list.page, 'model-list');
    const { page, errors } = await open('/models/iris');
    assert.equal(await page.locator('#features tbody tr').count(), 4);
    assert.match(await page.locator('tr[data-feature="petal_length"]').innerText(), /0\.400/);
    assert.equal(await page.locator('#health').innerText(), 'attention');
    assert.equal(await page.locator('#versions-table tbody tr').count(), 2);
    assert.match(await page.locator('tr[data-version="v3"]').innerText(), /^v3\s+40\s+0\.050/);
    assert.equal(await page.locator('#psi-heatmap').count(), 1);
    assert.equal(await page.locator('.uplot').count(), 2);
    assert.match(await page.locator('#mix').innerText(), /versicolor\s+50\.0%/);
    await screenshot(page, 'model-detail');
    assert.deepEqual(list.errors, []);
    assert.deepEqual(errors, []);
    await list.page.close();
    await page.close();
  });

  it('alerts page marks inhibited alerts and silences one through Alertmanager', async () => {
    await postAlerts(w.alertmanager.url, [
      {
        labels: { alertname: 'SLOAvailabilityFastBurn', severity: 'critical', category: 'slo', service: 'checkout', slo: 'availability' },
        annotations: { summary: 'checkout burns its budget' },
      },
      { labels: { alertname: 'HighErrorRate', severity: 'warning', category: 'errors', service: 'checkout' } },
      { labels: { alertname: 'FeatureDrift', severity: 'warning', category: 'model_quality', model: 'iris', feature: 'petal_length' } },
    ]);
    await fetch(`${w.sink.httpUrl}/slack/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: '[FIRING:1] SLOAvailabilityFastBurn' }),
    });
    const { page, errors } = await open('/alerts');
    const state = (name: string) => page.locator(`tr[data-alertname="${name}"]`).getAttribute('data-state');
    for (let i = 0; i < 50 && (await state('HighErrorRate')) !== 'inhibited'; i++) {
      await page.waitForTimeout(200);
      await page.reload();
      await page.waitForSelector('body[data-state="ready"]');
    }
    assert.equal(await state('SLOAvailabilityFastBurn'), 'firing');
    assert.equal(await state('HighErrorRate'), 'inhibited');
    assert.match(await page.locator('#notes-table').innerText(), /SLOAvailabilityFastBurn/);
    await screenshot(page, 'alerts');

    const row = page.locator('tr[data-alertname="FeatureDrift"]');
    await row.locator('select.silence-duration').selectOption('4h');
    await row.locator('button.silence').click();
    await page.waitForSelector('#silence-result');
    assert.match(await page.locator('#silence-result').innerText(), /Silenced FeatureDrift for 4h/);
    const silences = (await (await fetch(`${w.alertmanager.url}/api/v2/silences`)).json()) as Array<{
      matchers: Array<{ name: string; value: string }>;
      status: { state: string };
    }>;
    const mine = silences.find((s) => s.matchers.some((m) => m.name === 'alertname' && m.value === 'FeatureDrift'));
    assert.ok(mine, 'the silence is in Alertmanager');
    assert.equal(mine.status.state, 'active');
    assert.equal(await state('FeatureDrift'), 'silenced');
    await screenshot(page, 'alerts-silenced');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('an unreachable Prometheus shows the error state without a stack trace', async () => {
    const dead = await freePort();
    const c = await startConsole({
      host: '127.0.0.1',
      port: 0,
      prometheusUrl: `http://127.0.0.1:${dead}`,
      alertmanagerUrl: w.alertmanager.url,
      configDir: w.configDir,
    });
    try {
      const { page } = await open('/slos', c.url);
      assert.equal(await page.getAttribute('body', 'data-state'), 'error');
      const banner = await page.locator('#banner').innerText();
      assert.match(banner, new RegExp(`Prometheus cannot be reached at http://127\\.0\\.0\\.1:${dead} \\(connection refused\\)`));
      assert.doesNotMatch(await page.locator('body').innerText(), /\n\s*at |Error:|\.js:\d+/);
      assert.match(await page.locator('#app').innerText(), /No data: see the message above/);
      await screenshot(page, 'prometheus-unreachable');
      await page.close();
    } finally {
      await c.close();
    }
  });
});
