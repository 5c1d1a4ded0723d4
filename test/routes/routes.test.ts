// Every row of the routing table, the fallback and the Watchdog, checked with
// the real `amtool config routes test` against the committed Alertmanager config.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { ROUTES } from '../../src/alerting/index.js';
import { fromRepo } from '../../src/paths.js';

interface RouteCase {
  row: string;
  labels: Record<string, string>;
  receivers: string[];
  repeat_interval: string;
}

interface AmRoute {
  receiver: string;
  group_by?: string[];
  matchers?: string[];
  repeat_interval?: string;
  routes?: AmRoute[];
}

const configFile = fromRepo('config/alertmanager/alertmanager.yml');
const cases = parse(readFileSync(fromRepo('test/routes/routes.yaml'), 'utf8')) as RouteCase[];
const config = parse(readFileSync(configFile, 'utf8')) as { route: AmRoute };

/** Our own reading of a matcher list, only for finding the matched route's
 * repeat_interval (amtool does not print it); amtool stays the judge of receivers. */
function matches(matchers: string[], labels: Record<string, string>): boolean {
  return matchers.every((m) => {
    const r = /^(\w+)(=~|!~|!=|=)"(.*)"$/.exec(m);
    assert.ok(r, `matcher ${m} not understood by the test`);
    const [, name = '', op, want = ''] = r;
    const have = labels[name] ?? '';
    if (op === '=') return have === want;
    if (op === '!=') return have !== want;
    const re = new RegExp(`^(?:${want})$`);
    return op === '=~' ? re.test(have) : !re.test(have);
  });
}

function matchedRoute(labels: Record<string, string>): AmRoute {
  const root = config.route;
  return root.routes?.find((r) => matches(r.matchers ?? [], labels)) ?? root;
}

function amtoolRoutes(labels: Record<string, string>, verify: string[]): { status: number | null; out: string } {
  const args = ['config', 'routes', 'test', `--config.file=${configFile}`, `--verify.receivers=${verify.join(',')}`];
  for (const [k, v] of Object.entries(labels)) args.push(`${k}=${v}`);
  const res = spawnSync('amtool', args, { encoding: 'utf8', timeout: 20_000 });
  return { status: res.status, out: `${res.stdout}${res.stderr}`.trim() };
}

describe('amtool config routes test', () => {
  for (const c of cases) {
    test(`${c.row} → ${c.receivers.join(', ')} every ${c.repeat_interval}`, () => {
      const { status, out } = amtoolRoutes(c.labels, c.receivers);
      assert.equal(status, 0, `amtool: ${out}`);
      assert.equal(out.split('\n')[0], c.receivers.join(','));
      assert.equal(matchedRoute(c.labels).repeat_interval, c.repeat_interval);
    });
  }

  test('a wrong expectation makes amtool fail (the cases can fail)', () => {
    const { status } = amtoolRoutes({ alertname: 'ServiceDown', severity: 'critical', category: 'availability', service: 'x' }, [
      'slack-infra',
    ]);
    assert.notEqual(status, 0);
  });

  test('the SLO fast burn and HighErrorRate of one service share one notification group (one page per outage)', () => {
    const burn = matchedRoute({
      alertname: 'SLOAvailabilityFastBurn',
      severity: 'critical',
      category: 'slo',
      service: 'inference-gateway',
    });
    const errors = matchedRoute({ alertname: 'HighErrorRate', severity: 'critical', category: 'errors', service: 'inference-gateway' });
    assert.equal(burn, errors, 'the same route');
    assert.deepEqual(burn.group_by, ['service'], 'grouped by service alone, not by alert name');
  });

  test('every route of the table has at least one case, and so does the fallback', () => {
    const hit = new Set(cases.map((c) => matchedRoute(c.labels)));
    for (const r of config.route.routes ?? []) assert.ok(hit.has(r), `no case for route ${JSON.stringify(r.matchers)}`);
    assert.ok(hit.has(config.route), 'no case for the fallback');
    assert.equal((config.route.routes ?? []).length, ROUTES.length);
  });
});
