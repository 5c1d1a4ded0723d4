import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MlmonError } from '../../src/errors.js';
import { parsePortOverrides, settingsFromOptions } from '../../src/stack/options.js';
import { DEFAULT_PORTS } from '../../src/definition/index.js';

test('port overrides parse NAME=PORT pairs', () => {
  assert.deepEqual(parsePortOverrides(['prometheus=19090', 'node-exporter=19100']), { prometheus: 19090, 'node-exporter': 19100 });
});

test('bad port overrides are refused with a message naming the flag', () => {
  assert.throws(
    () => parsePortOverrides(['prometheus']),
    (e: unknown) => e instanceof MlmonError && /expected NAME=PORT/.test(e.message),
  );
  assert.throws(() => parsePortOverrides(['grafana=3000']), /unknown component "grafana"/);
  assert.throws(() => parsePortOverrides(['prometheus=70000']), /between 1 and 65535/);
});

test('defaults are the documented ports on 127.0.0.1, keeping a 30-day SLO period and its catch-up horizon', () => {
  const s = settingsFromOptions({}, {});
  assert.equal(s.host, '127.0.0.1');
  assert.equal(s.ports.prometheus, 9090);
  assert.equal(s.ports['inference-gateway'], DEFAULT_PORTS['inference-gateway']);
  assert.equal(s.retentionTime, '31d');
  assert.equal(s.profile, 'production');
});

test('two components on one port are refused', () => {
  assert.throws(() => settingsFromOptions({ port: ['alertmanager=9090'] }, {}), /port 9090 is given to both prometheus and alertmanager/);
});

test('the test profile scrapes and evaluates every second', () => {
  const s = settingsFromOptions({ profile: 'test' }, {});
  assert.equal(s.scrapeInterval, '1s');
  assert.equal(s.evaluationInterval, '1s');
});

test('--without drops a component and refuses unknown names', () => {
  assert.ok(!settingsFromOptions({ without: ['pushgateway'] }, {}).components.includes('pushgateway'));
  assert.throws(() => settingsFromOptions({ without: ['grafana'] }, {}), /unknown component/);
});

test('a malformed scrape interval is refused', () => {
  assert.throws(() => settingsFromOptions({ scrapeInterval: '15 seconds' }, {}), /--scrape-interval: "15 seconds" is not a duration/);
});
