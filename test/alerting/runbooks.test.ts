// Every runbook_url of every rule file under config/prometheus/ points at a
// heading that exists in docs/RUNBOOKS.md, and each runbook has its sections.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { githubAnchor, markdownAnchors, runbookAnchor } from '../../src/alerting/index.js';
import { fromRepo } from '../../src/paths.js';

const runbooks = readFileSync(fromRepo('docs/RUNBOOKS.md'), 'utf8');
const anchors = markdownAnchors(runbooks);

function ruleFiles(): string[] {
  return readdirSync(fromRepo('config/prometheus')).filter((f) => /\.ya?ml$/.test(f) && f !== 'prometheus.yml');
}

function alertsOf(file: string): Array<{ alert: string; url: string | undefined }> {
  const doc = parse(readFileSync(fromRepo('config/prometheus', file), 'utf8')) as {
    groups?: Array<{ rules?: Array<{ alert?: string; annotations?: Record<string, string> }> }>;
  } | null;
  return (doc?.groups ?? []).flatMap((g) =>
    (g.rules ?? []).filter((r) => r.alert).map((r) => ({ alert: r.alert ?? '', url: r.annotations?.runbook_url })),
  );
}

describe('runbooks', () => {
  test('githubAnchor follows GitHub: lower case, punctuation dropped, spaces to dashes', () => {
    assert.equal(githubAnchor('SLOAvailabilityFastBurn'), 'sloavailabilityfastburn');
    assert.equal(githubAnchor('Disk: predicted full (24h)'), 'disk-predicted-full-24h');
    assert.equal(githubAnchor('model_quality alerts'), 'model_quality-alerts');
    assert.deepEqual([...markdownAnchors('# A\n## A\n```\n# not a heading\n```\n### B c')], ['a', 'a-1', 'b-c']);
  });

  test('the SLO alerts of the SLO generator have their runbooks', () => {
    for (const a of ['sloavailabilityfastburn', 'sloavailabilityslowburn', 'slolatencyfastburn', 'slolatencyslowburn']) {
      assert.ok(anchors.has(a), `missing heading for #${a}`);
    }
  });

  test('every runbook_url in config/prometheus/*.yml resolves to a heading of docs/RUNBOOKS.md', () => {
    const files = ruleFiles();
    assert.ok(files.includes('alerting_rules.yml'));
    let checked = 0;
    for (const f of files) {
      for (const a of alertsOf(f)) {
        assert.ok(a.url, `${f}: ${a.alert} has no runbook_url`);
        const anchor = runbookAnchor(a.url);
        assert.ok(anchor, `${f}: ${a.alert}: runbook_url ${a.url} does not point into docs/RUNBOOKS.md`);
        assert.ok(anchors.has(anchor), `${f}: ${a.alert}: #${anchor} is not a heading of docs/RUNBOOKS.md`);
        checked++;
      }
    }
    assert.ok(checked >= 30, `only ${checked} alerts checked`);
  });

  test('each alert runbook says what it means, the impact, how to diagnose and how to mitigate', () => {
    const sections = runbooks.split(/^### /m).slice(1);
    assert.ok(sections.length >= 30);
    for (const s of sections) {
      const name = s.split('\n')[0];
      for (const part of ['**Meaning**', '**Impact**', '**Diagnosis**', '**Mitigation**'])
        assert.ok(s.includes(part), `${name}: no ${part}`);
    }
  });
});
