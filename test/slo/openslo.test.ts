import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MlmonError } from '../../src/errors.js';
import { buildSloModels, parseSloSpec, renderSloRuleFiles } from '../../src/slo/index.js';

const openSlo = (ratio: string, extra = '') => `apiVersion: openslo/v1
kind: SLO
metadata:
  name: availability
  displayName: Prediction availability
spec:
  service: inference-gateway
  budgetingMethod: Occurrences
  timeWindow:
    - duration: 30d
      isRolling: true
  indicator:
    metadata:
      name: predict-errors
    spec:
      ratioMetric:
        counter: true
${ratio}
  objectives:
    - target: 0.995
  alertPolicies:
    - kind: AlertPolicy
      metadata:
        name: page-on-burn
      spec:
        conditions:
          - kind: AlertCondition
            spec:
              condition:
                kind: burnrate
                op: gte
                threshold: 14.4
                lookbackWindow: 1h
                alertAfter: 5m
${extra}`;

const metric = (key: string, query: string) => `        ${key}:
          metricSource:
            type: Prometheus
            spec:
              query: ${query}`;

const native = `version: mlmon/v1
services:
  - name: inference-gateway
    slos:
      - name: availability
        objective: 99.5
        period: 30d
        sli:
          events:
            bad: http_requests_total{job="inference-gateway",route="/predict",status=~"5.."}
            total: http_requests_total{job="inference-gateway",route="/predict"}
`;

describe('OpenSLO openslo/v1', () => {
  it('renders the same rules as the equivalent mlmon spec (bad over total, alerts included)', () => {
    const doc = openSlo(
      [metric('bad', 'http_requests_total{job="inference-gateway",route="/predict",status=~"5.."}'), metric('total', 'http_requests_total{job="inference-gateway",route="/predict"}')].join('\n'),
    );
    const fromOpenSlo = renderSloRuleFiles(parseSloSpec(doc, 'slo.yaml'), { profile: 'production' });
    const fromNative = renderSloRuleFiles(parseSloSpec(native, 'slo.yaml'), { profile: 'production' });
    assert.deepEqual(fromOpenSlo, fromNative);
  });

  it('reads a good-over-total ratio of histogram buckets as a latency SLI', () => {
    const doc = openSlo(
      [metric('good', 'http_request_duration_seconds_bucket{route="/predict",le="0.3"}'), metric('total', 'http_request_duration_seconds_count{route="/predict"}')].join('\n'),
    ).replace('name: availability', 'name: latency');
    const [slo] = buildSloModels(parseSloSpec(doc, 'slo.yaml'), 'production');
    assert.equal(slo?.kind, 'latency');
    assert.equal(slo?.latency?.thresholdSeconds, 0.3);
    assert.match(renderSloRuleFiles(parseSloSpec(doc, 'slo.yaml'), { profile: 'production' })[1]!.content, /alert: SLOLatencyFastBurn/);
  });

  it('switches alerts off when the SLO has no alert policy', () => {
    const doc = openSlo([metric('good', 'up{job="a"}'), metric('total', 'up')].join('\n')).replace(/  alertPolicies:[\s\S]*$/, '');
    const [slo] = buildSloModels(parseSloSpec(doc, 'slo.yaml'), 'production');
    assert.equal(slo?.alerting.enabled, false);
  });

  it('mixes with an mlmon spec document in one file', () => {
    const doc = native + '---\n' + openSlo([metric('good', 'x_total{ok="1"}'), metric('total', 'x_total')].join('\n')).replace('name: availability', 'name: predictions');
    const slos = buildSloModels(parseSloSpec(doc, 'slo.yaml'), 'production');
    assert.deepEqual(slos.map((s) => s.name), ['availability', 'predictions']);
  });

  it('refuses what it cannot honour, with the line', () => {
    const doc = openSlo([metric('good', 'x_total'), metric('total', 'x_total')].join('\n')).replace('Occurrences', 'Timeslices');
    assert.throws(
      () => parseSloSpec(doc, 'slo.yaml'),
      (e: unknown) => e instanceof MlmonError && e.location === 'slo.yaml:8' && /Occurrences/.test(e.message),
    );
    const query = openSlo([metric('good', 'sum(rate(x_total[5m]))'), metric('total', 'x_total')].join('\n'));
    assert.throws(() => parseSloSpec(query, 'slo.yaml'), (e: unknown) => e instanceof MlmonError && e.location === 'slo.yaml:22');
  });
});
