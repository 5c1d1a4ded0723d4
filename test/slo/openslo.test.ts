import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MlmonError } from '../../src/errors.js';
import { parse } from 'yaml';
import { fromRepo } from '../../src/paths.js';
import { buildSloModels, loadSloSpecFile, parseSloSpec, renderSloRuleFiles } from '../../src/slo/index.js';

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

/** The rule files alone (the catalog also holds the descriptions, which differ). */
function ruleFilesOf(files: ReturnType<typeof renderSloRuleFiles>): ReturnType<typeof renderSloRuleFiles> {
  return files.filter((f) => f.file.endsWith('.yml'));
}

describe('OpenSLO openslo/v1', () => {
  it('renders the same rules as the equivalent mlmon spec (bad over total, the burnrate condition as a burn rate)', () => {
    const doc = openSlo(
      [
        metric('bad', 'http_requests_total{job="inference-gateway",route="/predict",status=~"5.."}'),
        metric('total', 'http_requests_total{job="inference-gateway",route="/predict"}'),
      ].join('\n'),
    );
    const fromOpenSlo = renderSloRuleFiles(parseSloSpec(doc, 'slo.yaml'), { profile: 'production' });
    const withBurnRate =
      native + '        alerting:\n          burn_rates:\n            - {burn_rate: 14.4, long_window: 1h, op: gte, for: 5m}\n';
    const fromNative = renderSloRuleFiles(parseSloSpec(withBurnRate, 'slo.yaml'), { profile: 'production' });
    assert.deepEqual(ruleFilesOf(fromOpenSlo), ruleFilesOf(fromNative));
  });

  it("gives a policy without conditions the workbook's four alerts, as the mlmon spec does by default", () => {
    const doc = openSlo(
      [
        metric('bad', 'http_requests_total{job="inference-gateway",route="/predict",status=~"5.."}'),
        metric('total', 'http_requests_total{job="inference-gateway",route="/predict"}'),
      ].join('\n'),
    ).replace(/ {8}conditions:[\s\S]*$/, "        description: the workbook's alerts\n");
    const fromOpenSlo = renderSloRuleFiles(parseSloSpec(doc, 'slo.yaml'), { profile: 'production' });
    assert.deepEqual(
      ruleFilesOf(fromOpenSlo),
      ruleFilesOf(renderSloRuleFiles(parseSloSpec(native, 'slo.yaml'), { profile: 'production' })),
    );
  });

  it('honours burnrate conditions inline and by reference: threshold, op, windows, alertAfter, severity, policy labels', () => {
    const spec = loadSloSpecFile(fromRepo('test/rules/slo/openslo/slos.yaml'));
    const [slo] = buildSloModels(spec, 'production');
    assert.deepEqual(
      slo?.windows.tiers.map((t) => [t.speed, t.burnRate, t.long.name, t.short.name, t.severity, t.orEqual, t.forSeconds, t.labels]),
      [
        ['fast', 10, '2h', '10m', 'critical', true, undefined, { team: 'ml' }],
        ['slow', 2, '1d', '3h', 'warning', false, 600, undefined],
      ],
    );
    const names = slo?.windows.windows.map((w) => `${w.name}:${w.source}`) ?? [];
    for (const w of ['10m:raw', '2h:raw', '3h:counts', '1d:counts', '5m:raw', '3d:counts'])
      assert.ok(names.includes(w), `${w} in ${names.join(' ')}`);
    const alerts = parse(renderSloRuleFiles(spec, { profile: 'production' })[1]!.content) as {
      groups: { rules: { alert: string; expr: string; for?: string; labels: Record<string, string> }[] }[];
    };
    const rules = alerts.groups.flatMap((g) => g.rules).filter((r) => r.alert.endsWith('Burn'));
    assert.deepEqual(
      rules.map((r) => [r.alert, r.labels.severity, r.for]),
      [
        ['SLOAvailabilityFastBurn', 'critical', undefined],
        ['SLOAvailabilitySlowBurn', 'warning', '10m'],
      ],
    );
    assert.match(rules[0]!.expr, /burn_rate:2h\{[^}]*\} >= 10\n/);
    assert.match(rules[1]!.expr, /burn_rate:1d\{[^}]*\} \* on \(service, slo\) clamp_max\(.*, 1\) > 2\n/);
  });

  it("scales the conditions' windows and alertAfter in the test profile like the periods", () => {
    const [slo] = buildSloModels(loadSloSpecFile(fromRepo('test/rules/slo/openslo/slos.yaml')), 'test');
    assert.deepEqual(
      slo?.windows.tiers.map((t) => [t.long.name, t.short.name, t.forSeconds]),
      [
        ['2m', '20s', undefined],
        ['24m', '3m', 10],
      ],
    );
  });

  it("takes the severity from the condition, then the policy's labels, then 6x and up pages", () => {
    const sev = (extra: string, threshold = '14.4') => {
      const doc = openSlo([metric('good', 'x_total{ok="1"}'), metric('total', 'x_total')].join('\n'))
        .replace('threshold: 14.4', `threshold: ${threshold}`)
        .replace('        name: page-on-burn\n', `        name: page-on-burn\n${extra}`);
      return buildSloModels(parseSloSpec(doc, 'slo.yaml'), 'production')[0]?.windows.tiers[0]?.severity;
    };
    assert.equal(sev(''), 'critical');
    assert.equal(sev('', '3'), 'warning');
    assert.equal(sev('        labels: {severity: info}\n'), 'info');
  });

  it('reads a good-over-total ratio of histogram buckets as a latency SLI', () => {
    const doc = openSlo(
      [
        metric('good', 'http_request_duration_seconds_bucket{route="/predict",le="0.3"}'),
        metric('total', 'http_request_duration_seconds_count{route="/predict"}'),
      ].join('\n'),
    ).replace('name: availability', 'name: latency');
    const [slo] = buildSloModels(parseSloSpec(doc, 'slo.yaml'), 'production');
    assert.equal(slo?.kind, 'latency');
    assert.equal(slo?.latency?.thresholdSeconds, 0.3);
    assert.match(renderSloRuleFiles(parseSloSpec(doc, 'slo.yaml'), { profile: 'production' })[1]!.content, /alert: SLOLatencyFastBurn/);
  });

  it('switches alerts off when the SLO has no alert policy', () => {
    const doc = openSlo([metric('good', 'up{job="a"}'), metric('total', 'up')].join('\n')).replace(/ {2}alertPolicies:[\s\S]*$/, '');
    const [slo] = buildSloModels(parseSloSpec(doc, 'slo.yaml'), 'production');
    assert.equal(slo?.alerting.enabled, false);
  });

  it('mixes with an mlmon spec document in one file', () => {
    const doc =
      native +
      '---\n' +
      openSlo([metric('good', 'x_total{ok="1"}'), metric('total', 'x_total')].join('\n')).replace(
        'name: availability',
        'name: predictions',
      );
    const slos = buildSloModels(parseSloSpec(doc, 'slo.yaml'), 'production');
    assert.deepEqual(
      slos.map((s) => s.name),
      ['availability', 'predictions'],
    );
  });

  it('refuses alert policies it cannot honour, with the line and what to do', () => {
    const base = openSlo([metric('good', 'x_total{ok="1"}'), metric('total', 'x_total')].join('\n'));
    const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    const refused = (text: string, needle: string, message: RegExp, lineOffset = 0) =>
      assert.throws(
        () => parseSloSpec(text, 'slo.yaml'),
        (e: unknown) =>
          e instanceof MlmonError && e.location === `slo.yaml:${lineOf(text, needle) + lineOffset}` && message.test(e.message),
        `${needle} ${message}`,
      );
    refused(base.replace('op: gte', 'op: lt'), 'op: lt', /op must be gt or gte/);
    refused(base.replace('threshold: 14.4', 'threshold: -1'), 'threshold: -1', /above 0/);
    refused(base.replace('kind: burnrate', 'kind: threshold'), 'kind: threshold', /only burnrate/);
    refused(base.replace('alertAfter: 5m', 'alertAfter: 5m\n                repeat: 1h'), 'repeat: 1h', /repeat/);
    refused(
      base.replace('        name: page-on-burn\n', '        name: page-on-burn\n        labels: {severity: high}\n'),
      '- kind: AlertPolicy',
      /severity "high" must be critical, warning or info/,
    );
    refused(
      base.replace('      spec:\n        conditions:', '      spec:\n        alertWhenNoData: true\n        conditions:'),
      'alertWhenNoData',
      /no traffic gives no sample/,
    );
    refused(base + '        notificationTargets:\n          - targetRef: pager\n', 'notificationTargets', /Alertmanager routes/);
    refused(
      base.replace(/ {10}- kind: AlertCondition[\s\S]*$/, '          - conditionRef: missing\n'),
      'conditionRef: missing',
      /no AlertCondition named "missing"/,
    );
    refused(
      base.replace(/ {4}- kind: AlertPolicy[\s\S]*$/, '    - alertPolicyRef: nowhere\n'),
      'alertPolicyRef: nowhere',
      /no AlertPolicy named "nowhere"/,
    );
    // The second policy's own line, the one above its `spec: {}`.
    refused(base + '    - kind: AlertPolicy\n      spec: {}\n', 'spec: {}', /has no conditions/, -1);
  });

  it('refuses what it cannot honour, with the line', () => {
    const doc = openSlo([metric('good', 'x_total'), metric('total', 'x_total')].join('\n')).replace('Occurrences', 'Timeslices');
    assert.throws(
      () => parseSloSpec(doc, 'slo.yaml'),
      (e: unknown) => e instanceof MlmonError && e.location === 'slo.yaml:8' && /Occurrences/.test(e.message),
    );
    const query = openSlo([metric('good', 'sum(rate(x_total[5m]))'), metric('total', 'x_total')].join('\n'));
    assert.throws(
      () => parseSloSpec(query, 'slo.yaml'),
      (e: unknown) => e instanceof MlmonError && e.location === 'slo.yaml:22',
    );
  });
});
