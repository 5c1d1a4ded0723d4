import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePorts } from '../../src/net.js';
import { FindingLog } from '../support/reliability/index.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const log = new FindingLog('web-config');

/** TEST-ONLY credentials, committed on purpose: they protect nothing but the
 * throwaway Prometheus and Alertmanager this test starts on loopback. The hash is
 * bcrypt (cost 10) of TEST_PASSWORD, made once with
 * `python3 -c "import crypt; print(crypt.crypt('mlmon-test-only-password', crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1024)))"`
 * (no bcrypt tool or package ships here; htpasswd -nbB does the same elsewhere). */
const TEST_USER = 'mlmon';
const TEST_PASSWORD = 'mlmon-test-only-password';
const TEST_PASSWORD_BCRYPT = '$2b$10$uik.Hw/jvV12oMA/93qr6.CtMtHk9P6nv5kKy5RuDhHA9o5mnfI7u';

function get(url: string, ca: string, auth?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      { ca, headers: auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {}, timeout: 5000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

async function waitUp(url: string, ca: string): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    try {
      if ((await get(url, ca, `${TEST_USER}:${TEST_PASSWORD}`)) === 200) return;
    } catch {
      /* not yet */
    }
    if (Date.now() - t0 > 30_000) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('Prometheus and Alertmanager behind --web.config.file (TLS + basic auth)', { timeout: 120_000 }, () => {
  let dir: string;
  let ca: string;
  const children: ChildProcess[] = [];
  let ports: number[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlmon-rel-tls-'));
    const ssl = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(ssl.status, 0, ssl.stderr);
    ca = readFileSync(join(dir, 'cert.pem'), 'utf8');
    writeFileSync(
      join(dir, 'web.yml'),
      `tls_server_config:\n  cert_file: ${join(dir, 'cert.pem')}\n  key_file: ${join(dir, 'key.pem')}\n  min_version: TLS12\nbasic_auth_users:\n  ${TEST_USER}: ${TEST_PASSWORD_BCRYPT}\n`,
      { mode: 0o600 },
    );
    writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\n');
    writeFileSync(join(dir, 'alertmanager.yml'), 'route:\n  receiver: none\nreceivers:\n  - name: none\n');
    ports = await freePorts(2);
    const start = (program: string, args: string[]) => {
      const c = spawn(program, args, { stdio: 'ignore' });
      children.push(c);
    };
    start('prometheus', [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${ports[0]}`,
      `--web.config.file=${join(dir, 'web.yml')}`,
    ]);
    start('prometheus-alertmanager', [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'am')}`,
      `--web.listen-address=127.0.0.1:${ports[1]}`,
      '--cluster.listen-address=',
      `--web.config.file=${join(dir, 'web.yml')}`,
    ]);
  });

  after(async () => {
    for (const c of children) {
      if (c.pid && c.exitCode === null) {
        const gone = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
        if (c.exitCode === null) c.kill('SIGKILL');
      }
    }
    rmSync(dir, { recursive: true, force: true });
    log.save();
  });

  test('promtool accepts the web config', () => {
    const r = spawnSync('promtool', ['check', 'web-config', join(dir, 'web.yml')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  for (const [i, name] of [
    [0, 'Prometheus'],
    [1, 'Alertmanager'],
  ] as const) {
    test(`${name} answers only over TLS and only with the password`, async () => {
      const base = `https://127.0.0.1:${ports[i]}`;
      await waitUp(`${base}/-/ready`, ca);
      const plain = await fetch(`http://127.0.0.1:${ports[i]}/-/ready`).then(
        (r) => r.status,
        () => 0,
      );
      const anonymous = await get(`${base}/-/ready`, ca);
      const wrong = await get(`${base}/-/ready`, ca, `${TEST_USER}:not-the-password`);
      const right = await get(`${base}/-/ready`, ca, `${TEST_USER}:${TEST_PASSWORD}`);
      const api = await get(`${base}/${i === 0 ? 'api/v1/status/buildinfo' : 'api/v2/status'}`, ca);
      log.verify(
        'security',
        `${name} with --web.config.file (self-signed TLS, bcrypt basic auth)`,
        `plain HTTP → ${plain === 0 ? 'refused' : `HTTP ${plain}`}; HTTPS no password → ${anonymous}; wrong password → ${wrong}; right password → ${right}; API without password → ${api}`,
        () => {
          assert.notEqual(plain, 200, 'plain HTTP is not served');
          assert.equal(anonymous, 401);
          assert.equal(wrong, 401);
          assert.equal(right, 200);
          assert.equal(api, 401);
        },
      );
    });
  }
});

describe('mlmon up --tls-cert-file/--tls-key-file: the protected programs serve HTTPS with the login', { timeout: 240_000 }, () => {
  let dir: string;
  let stack: TestStack | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlmon-rel-tls-up-'));
    const ssl = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(ssl.status, 0, ssl.stderr);
    stack = await startTestStack([
      '--tls-cert-file',
      join(dir, 'cert.pem'),
      '--tls-key-file',
      join(dir, 'key.pem'),
      '--scrape-interval',
      '1s',
    ]);
  });

  after(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
    log.save();
  });

  test('every component healthy over HTTPS, every target scraped, plain HTTP refused', async () => {
    const s = stack!;
    const ca = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const password = readFileSync(join(s.dataDir, 'secrets', 'admin-password'), 'utf8').trim();
    const status = s.mlmon(['status', '--data-dir', s.dataDir]);
    const base = `https://127.0.0.1:${s.ports.prometheus}`;
    const plain = await fetch(`http://127.0.0.1:${s.ports.prometheus}/-/ready`).then(
      (r) => r.status,
      () => 0,
    );
    let down: string[] = [];
    const t0 = Date.now();
    for (;;) {
      const body = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest(
          `${base}/api/v1/targets`,
          { ca, headers: { authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` } },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve(text));
          },
        );
        req.on('error', reject);
        req.end();
      });
      const targets = (JSON.parse(body) as { data: { activeTargets: Array<{ scrapePool: string; health: string; scrapeUrl: string }> } })
        .data.activeTargets;
      down = targets.filter((t) => t.health !== 'up').map((t) => `${t.scrapePool} ${t.scrapeUrl}`);
      if ((targets.length > 0 && down.length === 0) || Date.now() - t0 > 60_000) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    log.verify(
      'security',
      '`mlmon up --tls-cert-file --tls-key-file` (self-signed certificate): status, scrapes, probes and alerts over HTTPS',
      `mlmon status exit ${status.code}; plain HTTP to Prometheus → ${plain === 0 ? 'refused' : `HTTP ${plain}`}; targets not up: ${down.length ? down.join(', ') : 'none'}`,
      () => {
        assert.equal(status.code, 0, status.stdout + status.stderr);
        assert.notEqual(plain, 200);
        assert.deepEqual(down, []);
      },
    );
  });
});
