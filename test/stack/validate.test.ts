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
