// The SLO files the run directory gets: refused when they are stale against the
// spec (the console and Prometheus would disagree), and when the stack cannot
// evaluate them (a scrape interval too long for the shortest window, a retention
// shorter than the period).
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { defaultSettings } from '../../src/definition/index.js';
import { isMlmonError } from '../../src/errors.js';
import { fromRepo } from '../../src/paths.js';
import { ruleSources } from '../../src/stack/sources.js';

const dir = mkdtempSync(join(tmpdir(), 'mlmon-slo-sources-'));
const configDir = join(dir, 'config');
cpSync(fromRepo('config'), configDir, { recursive: true });
const spec = join(configDir, 'slos.yaml');
const shipped = readFileSync(spec, 'utf8');

function refusal(run: () => unknown): { code: string; message: string; hint: string } {
  try {
    run();
  } catch (e) {
    assert.ok(isMlmonError(e), String(e));
    return { code: e.code, message: e.message, hint: e.hint ?? '' };
  }
  assert.fail('accepted');
}

describe('SLO files of the run directory', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the committed files, when they are what the spec renders', () => {
    const files = ruleSources(defaultSettings({ configDir })).map((f) => f.path);
    assert.ok(files.includes('recording_rules.yml') && files.includes('slo_alerting_rules.yml'), files.join(', '));
  });

  test('refused when the spec changed and the rules were not generated again, naming every stale file', () => {
    // Whatever the shipped objective, this one differs from it.
    writeFileSync(spec, shipped.replace(/objective: [0-9.]+/, 'objective: 12.34'));
    try {
      const r = refusal(() => ruleSources(defaultSettings({ configDir })));
      assert.equal(r.code, 'slo_rules_stale');
      assert.match(
        r.message,
        /recording_rules\.yml, .*slo_alerting_rules\.yml, .*slo_catalog\.json are stale against .*slos\.yaml; nothing was changed/,
      );
      assert.match(r.hint, /mlmon slo rules --spec .*slos\.yaml --out .*prometheus/);
      // The test profile renders from the spec itself: nothing to be stale.
      assert.ok(ruleSources(defaultSettings({ configDir, profile: 'test', scrapeInterval: '1s' })).length > 0);
    } finally {
      writeFileSync(spec, shipped);
    }
  });

  test('refused when a scrape interval leaves the shortest window fewer than 4 scrapes, saying which interval would do', () => {
    const r = refusal(() => ruleSources(defaultSettings({ configDir, scrapeInterval: '40s' })));
    assert.equal(r.code, 'slo_window_too_short');
    assert.match(r.message, /reads a 1m(10s)? window, which holds fewer than 4 scrapes at a scrape interval of 40s/);
    assert.match(r.hint, /Scrape every 1[57]s or more often/);
  });

  test("refused when Prometheus' retention is shorter than a period and its catch-up", () => {
    const r = refusal(() => ruleSources(defaultSettings({ configDir, retentionTime: '30d' })));
    assert.equal(r.code, 'slo_period_beyond_retention');
    assert.match(r.message, /an SLO period of 30d needs 30d2h of data, but Prometheus keeps 30d/);
  });
});
