import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSelector, isSelector, parseSelector } from '../../src/slo/selector.js';

describe('parseSelector', () => {
  const good: [string, string][] = [
    ['http_requests_total', 'http_requests_total'],
    ['http_requests_total{}', 'http_requests_total'],
    ['http_requests_total{job="a", status=~"5.."}', 'http_requests_total{job="a",status=~"5.."}'],
    ['x{a!="1",b!~"2|3",}', 'x{a!="1",b!~"2|3"}'],
    ['x{path="/a\\"b"}', 'x{path="/a\\"b"}'],
    ['slo:availability:ratio_rate5m{service="gw"}', 'slo:availability:ratio_rate5m{service="gw"}'],
  ];
  for (const [text, canonical] of good) {
    it(`reads ${text}`, () => {
      const sel = parseSelector(text);
      assert.ok(isSelector(sel), JSON.stringify(sel));
      assert.equal(formatSelector(sel), canonical);
    });
  }
  const bad = ['sum(x)', 'rate(x[5m])', 'x[5m]', 'x{a=1}', 'x{a="1"', '{a="1"}', 'x{a~"1"}', 'x{a="1"} + y'];
  for (const text of bad) {
    it(`refuses ${text}`, () => assert.ok(!isSelector(parseSelector(text))));
  }
});
