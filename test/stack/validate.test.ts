import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCheckResults, summarizeToolOutput } from '../../src/stack/validate.js';

test('summarizeToolOutput keeps the error lines and drops banners and glob warnings', () => {
  const out = [
    'Checking /x/prometheus.yml',
    '  WARNING: file "/x/targets/custom/*.yml" for file_sd in scrape job "custom" does not exist',
    '  FAILED: /x/rules.yml: 5:15: group "x", rule 1, "a:b": could not parse expression: 1:9: parse error: unclosed left parenthesis',
    '',
  ].join('\n');
  assert.equal(
    summarizeToolOutput(out),
    '/x/rules.yml: 5:15: group "x", rule 1, "a:b": could not parse expression: 1:9: parse error: unclosed left parenthesis',
  );
});

test('summarizeToolOutput keeps warnings when they are all there is', () => {
  assert.equal(summarizeToolOutput('Checking a\nWARNING: odd\n'), 'WARNING: odd');
});

test('formatCheckResults prints one line per file', () => {
  const text = formatCheckResults([
    { file: 'a.yml', check: 'promtool check rules', ok: true, detail: '' },
    { file: 'b.yml', check: 'amtool check-config', ok: false, detail: 'bad route' },
  ]);
  assert.equal(text, 'ok    a.yml  (promtool check rules)\nFAIL  b.yml  (amtool check-config): bad route');
});

test("summarizeToolOutput keeps amtool's error, not its inventory", () => {
  const out =
    "Checking 'a.yml'  SUCCESS\nFound:\n - global config\n - route\n - 7 receivers\n  FAILED: template: slack.tmpl:20: unclosed action\n\namtool: error: failed to validate 1 file(s)\n";
  assert.equal(summarizeToolOutput(out), 'template: slack.tmpl:20: unclosed action');
});

test('summarizeToolOutput turns a logfmt error line into its message', () => {
  const out = [
    'ts=2026-11-25T14:04:42.935Z caller=main.go:78 level=info msg="Starting blackbox_exporter" version="(version=0.23.0)"',
    'ts=2026-11-25T14:04:42.935Z caller=main.go:82 level=error msg="Error loading config" err="error parsing config file: yaml: line 1: did not find expected node content"',
  ].join('\n');
  assert.equal(
    summarizeToolOutput(out),
    'Error loading config: error parsing config file: yaml: line 1: did not find expected node content',
  );
});

test('summarizeToolOutput says a YAML error once, though promtool writes it twice', () => {
  const out =
    'Checking /x/alerting_rules.yml\n  FAILED:\n/x/alerting_rules.yml: yaml: line 1: did not find expected key\n/x/alerting_rules.yml: yaml: line 1: did not find expected key\n';
  assert.equal(summarizeToolOutput(out), '/x/alerting_rules.yml: yaml: line 1: did not find expected key');
});
