import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resultsTable, scenarioList } from '../../src/alerttest/report.js';
import type { ScenarioResult } from '../../src/alerttest/runner.js';
import { SCENARIOS } from '../../src/alerttest/scenarios.js';

const result = (over: Partial<ScenarioResult>): ScenarioResult => ({
  id: 'x',
  number: 1,
  title: 't',
  passed: true,
  checks: [],
  fireSeconds: 8.4,
  notifySeconds: 9.2,
  theory: { seconds: 8.64, pipelineSeconds: 3, basis: 'workbook' },
  notes: [],
  durationSeconds: 30,
  ...over,
});

test('the results table shows times next to theory and names what failed', () => {
  const text = resultsTable(
    [
      result({ id: 'error-burst' }),
      result({
        id: 'drift',
        number: 3,
        passed: false,
        fireSeconds: undefined,
        notifySeconds: undefined,
        checks: [{ what: 'FeatureDrift fires in Prometheus', ok: false, detail: 'not firing' }],
        notes: ['a note'],
      }),
    ],
    'test',
  );
  assert.match(text, /error-burst\s+pass\s+8\.4s\s+9\.2s\s+8\.6s \+ ≤3\.0s/);
  assert.match(text, /drift\s+FAIL\s+-\s+-/);
  assert.match(text, /drift failed: FeatureDrift fires in Prometheus \(not firing\)/);
  assert.match(text, /drift: a note/);
  assert.match(text, /1\/2 passed/);
});

test('the scenario list shows every scenario with its number, in the run order', () => {
  const lines = scenarioList(SCENARIOS).split('\n').slice(1);
  SCENARIOS.forEach((s, i) => assert.match(lines[i] ?? '', new RegExp(`^${i + 1}\\s+${s.id}\\s`)));
});
