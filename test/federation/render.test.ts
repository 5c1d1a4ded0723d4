import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { FEDERATION_MATCHERS, parseStackArgs, renderFederationConfig } from '../../src/remote/index.js';

type Job = {
  job_name: string;
  honor_labels: boolean;
  scheme: string;
  metrics_path: string;
  params: Record<string, string[]>;
  static_configs: Array<{ targets: string[]; labels: Record<string, string> }>;
};

test('one federate job pulls the SLO series and ALERTS of every stack, honoring their labels', () => {
  const c = renderFederationConfig(parseStackArgs(['eu=http://prom-eu:9090', 'us=http://prom-us:9090']));
  const jobs = c.scrape_configs as Job[];
  assert.equal(jobs.length, 1);
  const j = jobs[0]!;
  assert.equal(j.honor_labels, true);
  assert.equal(j.metrics_path, '/federate');
  assert.deepEqual(j.params['match[]'], [...FEDERATION_MATCHERS]);
  assert.deepEqual(j.params['match[]'], ['{__name__=~"slo:.*"}', '{__name__="ALERTS"}']);
  assert.deepEqual(j.static_configs, [
    { targets: ['prom-eu:9090'], labels: { stack: 'eu' } },
    { targets: ['prom-us:9090'], labels: { stack: 'us' } },
  ]);
});

test('stacks behind https or a path prefix get a job of their own', () => {
  const c = renderFederationConfig([
    { name: 'a', url: 'http://a:9090' },
    { name: 'b', url: 'https://b.example/prometheus/' },
  ]);
  const jobs = c.scrape_configs as Job[];
  assert.deepEqual(
    jobs.map((j) => [j.job_name, j.scheme, j.metrics_path, j.static_configs[0]!.targets[0]]),
    [
      ['federate', 'http', '/federate', 'a:9090'],
      ['federate-2', 'https', '/prometheus/federate', 'b.example:443'],
    ],
  );
});

test('bad stack lists are refused', () => {
  assert.throws(() => renderFederationConfig([]), /at least one stack/);
  assert.throws(() => renderFederationConfig([{ name: 'EU', url: 'http://x:1' }]), /lower-case/);
  assert.throws(() => renderFederationConfig([{ name: 'eu', url: 'x:1' }]), /http\(s\)|not a URL/);
  assert.throws(
    () =>
      renderFederationConfig([
        { name: 'eu', url: 'http://a:1' },
        { name: 'eu', url: 'http://b:1' },
      ]),
    /named twice/,
  );
  assert.throws(() => parseStackArgs(['http://x:1']), /expected NAME=URL/);
});

test('promtool accepts the global config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlmon-federation-unit-'));
  try {
    const file = join(dir, 'prometheus.yml');
    writeFileSync(
      file,
      stringify(
        renderFederationConfig([
          { name: 'eu', url: 'http://prom-eu:9090' },
          { name: 'us', url: 'https://prom-us/p' },
        ]),
      ),
    );
    const r = spawnSync('promtool', ['check', 'config', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('federating protected stacks: the login and the CA go into every federate job', () => {
  const c = renderFederationConfig([{ name: 'eu', url: 'https://prom-eu:9090' }], {
    basicAuth: { username: 'admin', passwordFile: '/etc/prometheus/eu-password' },
    caFile: '/etc/prometheus/eu-ca.pem',
  }) as { scrape_configs: Array<Record<string, unknown>> };
  assert.deepEqual(c.scrape_configs[0]!.basic_auth, { username: 'admin', password_file: '/etc/prometheus/eu-password' });
  assert.deepEqual(c.scrape_configs[0]!.tls_config, { ca_file: '/etc/prometheus/eu-ca.pem' });
});
