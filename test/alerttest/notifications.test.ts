import assert from 'node:assert/strict';
import { test } from 'node:test';
import { breaksQuiet, matchesDelivery, parseTitle, subjectOf } from '../../src/alerttest/notifications.js';
import type { NotificationRecord } from '../../src/sink/index.js';

const rec = (r: Partial<NotificationRecord> & Pick<NotificationRecord, 'integration'>): NotificationRecord => ({
  id: 'x',
  time: '2026-01-01T00:00:00.000Z',
  channel: '',
  summary: '',
  status: undefined,
  payload: {},
  ...r,
});

test('titles of the mlmon templates give alert name, service and status', () => {
  assert.deepEqual(parseTitle('[FIRING:2] CRITICAL ServiceDown (inference-gateway)'), {
    alertname: 'ServiceDown',
    service: 'inference-gateway',
    status: 'firing',
  });
  assert.deepEqual(parseTitle('[RESOLVED] WARNING FeatureDrift'), { alertname: 'FeatureDrift', service: undefined, status: 'resolved' });
  // The email subject appends the summary after a colon.
  assert.equal(parseTitle('[FIRING:1] WARNING NodeCPUHigh: CPU of x is 97% busy').alertname, 'NodeCPUHigh');
  assert.equal(parseTitle('hello').alertname, undefined);
});

test('PagerDuty events are read from class, component and event_action', () => {
  const trigger = rec({
    integration: 'pagerduty',
    payload: { event_action: 'trigger', payload: { class: 'HighErrorRate', component: 'inference-gateway' } },
  });
  assert.deepEqual(subjectOf(trigger), { alertname: 'HighErrorRate', service: 'inference-gateway', status: 'firing' });
  const resolve = rec({ integration: 'pagerduty', payload: { event_action: 'resolve', payload: { class: 'HighErrorRate' } } });
  assert.equal(subjectOf(resolve).status, 'resolved');
});

test('webhooks are read from the group labels', () => {
  const hb = rec({ integration: 'webhook', channel: 'heartbeat', payload: { status: 'firing', groupLabels: { alertname: 'Watchdog' } } });
  assert.deepEqual(subjectOf(hb), { alertname: 'Watchdog', service: undefined, status: 'firing' });
  assert.ok(matchesDelivery(hb, { alertname: 'Watchdog', integration: 'webhook', channel: 'heartbeat', status: 'firing' }));
});

test('a delivery matches only the right integration, channel, alert, service and status', () => {
  const slack = rec({ integration: 'slack', channel: '#ml-team', summary: '[FIRING:1] WARNING FeatureDrift' });
  assert.ok(matchesDelivery(slack, { alertname: 'FeatureDrift', integration: 'slack', channel: '#ml-team', status: 'firing' }));
  assert.ok(!matchesDelivery(slack, { alertname: 'FeatureDrift', integration: 'slack', channel: '#alerts', status: 'firing' }));
  assert.ok(!matchesDelivery(slack, { alertname: 'FeatureDrift', integration: 'slack', channel: '#ml-team', status: 'resolved' }));
  assert.ok(!matchesDelivery(slack, { alertname: 'FeatureDrift', integration: 'pagerduty', status: 'firing' }));
  assert.ok(!matchesDelivery(slack, { alertname: 'FeatureDrift', service: 'x', integration: 'slack', status: 'firing' }));
});

test('a quiet rule is broken only by a notification matching all its fields', () => {
  const page = rec({ integration: 'pagerduty', payload: { event_action: 'trigger', payload: { class: 'FeatureDrift' } } });
  assert.ok(breaksQuiet(page, { why: 'no page', integration: 'pagerduty' }));
  assert.ok(!breaksQuiet(page, { why: 'no slack', integration: 'slack' }));
  assert.ok(!breaksQuiet(page, { why: 'no resolve', integration: 'pagerduty', status: 'resolved' }));
  const slow = rec({ integration: 'slack', channel: '#alerts', summary: '[FIRING:1] WARNING SLOAvailabilitySlowBurn (inference-gateway)' });
  assert.ok(breaksQuiet(slow, { why: 'inhibited', alertname: 'SLOAvailabilitySlowBurn', status: 'firing' }));
  assert.ok(!breaksQuiet(slow, { why: 'other', alertname: 'SLOAvailabilityFastBurn' }));
});
