/** Grafana beside the stack: the compose service (pinned, non-root, health
 * check, loopback, required admin password, no anonymous access), its
 * provisioning, and `mlmon grafana` for a Grafana of one's own. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'yaml';
import { CONTAINER_ACCESS, MOUNTS, interpolateCompose } from '../../src/container/index.js';
import { defaultSettings, GRAFANA, GRAFANA_DIRS, stackPaths, writeState } from '../../src/definition/index.js';
import { fromRepo, mlmonBin } from '../../src/paths.js';

type Service = Record<string, unknown> & { environment: Record<string, string>; volumes: string[]; ports: string[] };
const composeText = readFileSync(fromRepo('docker-compose.yml'), 'utf8');
const grafana = (parse(composeText) as { services: Record<string, Service> }).services.grafana!;
const tmp = mkdtempSync(join(tmpdir(), 'mlmon-grafana-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('compose runs Grafana pinned, as its own non-root user, on loopback :3000, with a health check', () => {
  assert.equal(grafana.image, GRAFANA.image);
  assert.match(String(grafana.image), /^grafana\/grafana:\d+\.\d+\.\d+$/);
  assert.equal(grafana.user, String(GRAFANA.uid));
  assert.notEqual(GRAFANA.uid, 0);
  assert.deepEqual(grafana.ports, ['${MLMON_BIND_ADDRESS:-127.0.0.1}:3000:3000']);
  assert.match(JSON.stringify(grafana.healthcheck), /\/api\/health/);
  assert.deepEqual(grafana.depends_on, { prometheus: { condition: 'service_healthy' } });
});

test('anonymous access and sign-up are off, and compose refuses to start Grafana without an admin password from .env', () => {
  assert.equal(grafana.environment.GF_AUTH_ANONYMOUS_ENABLED, 'false');
  assert.equal(grafana.environment.GF_USERS_ALLOW_SIGN_UP, 'false');
  assert.match(grafana.environment.GF_SECURITY_ADMIN_PASSWORD!, /^\$\{GRAFANA_ADMIN_PASSWORD:\?.+\}$/);
  assert.throws(() => interpolateCompose(composeText, { MLMON_LOGIN_DIR: './docker/local/login' }), /GRAFANA_ADMIN_PASSWORD/);
  const set = parse(
    interpolateCompose(composeText, { GRAFANA_ADMIN_PASSWORD: 'chosen-by-the-user', MLMON_LOGIN_DIR: './docker/local/login' }),
  ) as {
    services: Record<string, Service>;
  };
  assert.equal(set.services.grafana!.environment.GF_SECURITY_ADMIN_PASSWORD, 'chosen-by-the-user');
});

test('the provisioning and the dashboards are mounted read-only where the provider reads them', () => {
  assert.ok(grafana.volumes.includes(`./${GRAFANA_DIRS.provisioning}:${GRAFANA.provisioningMount}:ro`));
  assert.ok(grafana.volumes.includes(`./${GRAFANA_DIRS.dashboards}:${GRAFANA.dashboardsMount}:ro`));
  const provider = parse(readFileSync(fromRepo(GRAFANA_DIRS.provisioning, 'dashboards', 'mlmon.yaml'), 'utf8')) as {
    providers: Array<{ type: string; options: { path: string }; allowUiUpdates: boolean }>;
  };
  assert.deepEqual(
    provider.providers.map((p) => [p.type, p.options.path, p.allowUiUpdates]),
    [['file', GRAFANA.dashboardsMount, false]],
  );
  const ds = parse(readFileSync(fromRepo(GRAFANA_DIRS.provisioning, 'datasources', 'mlmon.yaml'), 'utf8')) as {
    datasources: Array<{
      uid: string;
      url: string;
      editable: boolean;
      basicAuth: boolean;
      basicAuthUser: string;
      secureJsonData: { basicAuthPassword: string };
    }>;
  };
  assert.deepEqual(
    ds.datasources.map((d) => [d.uid, d.url, d.editable]),
    [[GRAFANA.datasource.uid, 'http://prometheus:9090', false]],
  );
  // Prometheus asks for the login: the datasource presents it, the password read from the mounted login folder.
  const [d] = ds.datasources;
  assert.equal(d!.basicAuth, true);
  assert.equal(d!.basicAuthUser, CONTAINER_ACCESS.username);
  assert.equal(d!.secureJsonData.basicAuthPassword, `$__file{${CONTAINER_ACCESS.passwordFile}}`);
  assert.ok(
    grafana.volumes.some((v) => v.endsWith(`:${MOUNTS.login}:ro`)),
    'the login folder is mounted read-only',
  );
});

function grafanaCli(...args: string[]) {
  return spawnSync(process.execPath, [mlmonBin, 'grafana', ...args], { encoding: 'utf8' });
}

test('mlmon grafana tells a Grafana of one’s own the datasource (uid, URL, login file) and writes provisioning that names the password file, never the password', () => {
  const dataDir = join(tmp, 'data');
  const paths = stackPaths(dataDir);
  const passwordFile = join(paths.secretsDir, 'admin-password');
  const settings = defaultSettings({
    dataDir,
    access: { username: 'ops', passwordFile, webConfigFile: join(paths.secretsDir, 'web-config.yml') },
  });
  settings.ports.prometheus = 19390;
  mkdirSync(dataDir, { recursive: true });
  const now = new Date().toISOString();
  writeState(paths.stateFile, {
    supervisorPid: 0,
    phase: 'stopped',
    startedAt: now,
    updatedAt: now,
    error: null,
    settings,
    components: [],
  });
  const out = join(tmp, 'provisioning');
  const r = grafanaCli('--data-dir', dataDir, '--out', out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /uid: +mlmon-prometheus/);
  assert.match(r.stdout, /http:\/\/127\.0\.0\.1:19390/);
  assert.ok(r.stdout.includes(passwordFile));
  const ds = readFileSync(join(out, 'datasources', 'mlmon.yaml'), 'utf8');
  const doc = parse(ds) as {
    datasources: Array<{ uid: string; url: string; basicAuthUser: string; secureJsonData: Record<string, string> }>;
  };
  assert.deepEqual(doc.datasources[0]!.uid, GRAFANA.datasource.uid);
  assert.equal(doc.datasources[0]!.url, 'http://127.0.0.1:19390');
  assert.equal(doc.datasources[0]!.basicAuthUser, 'ops');
  assert.equal(doc.datasources[0]!.secureJsonData.basicAuthPassword, `$__file{${passwordFile}}`);
  const provider = parse(readFileSync(join(out, 'dashboards', 'mlmon.yaml'), 'utf8')) as {
    providers: Array<{ options: { path: string } }>;
  };
  assert.equal(provider.providers[0]!.options.path, fromRepo(GRAFANA_DIRS.dashboards));
  assert.equal(statSync(join(out, 'datasources', 'mlmon.yaml')).mode & 0o022, 0, 'not writable by others');
});

test('mlmon grafana without a stack says how to start one, once, and exits 1', () => {
  const r = grafanaCli('--data-dir', join(tmp, 'nothing-here'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^mlmon: no stack state in .*\n {2}Start the stack with `mlmon up` first/);
});
