/** `mlmon compose configure`: the compose Alertmanager gets real credentials
 * from .env, checked by amtool, with the secrets only in group-readable files
 * of a git-ignored folder that docker-compose.yml mounts through one variable. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'yaml';
import {
  COMPOSE_VARIABLES,
  CONTAINER_SECRETS_DIR,
  checkComposeCredentials,
  composePathOf,
  configureCompose,
  containerSettings,
  describeConfigureResult,
  interpolateCompose,
  setDotEnvValues,
  type ComposeConfigureResult,
} from '../../src/container/index.js';
import { isMlmonError } from '../../src/errors.js';
import { fromRepo, repoRoot } from '../../src/paths.js';
import { composeValidator } from './compose-schema.js';

const tmp = mkdtempSync(join(tmpdir(), 'mlmon-compose-configure-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Obviously fake values, shaped so that no secret scanner takes them for real ones. */
const SECRETS = {
  SLACK_WEBHOOK_URL: 'https://hooks.slack.example/services/FAKE/not-a-real-webhook-4711',
  PAGERDUTY_ROUTING_KEY: 'fakefakefakefakefakefakefake4711',
  SMTP_PASSWORD: 'fake-smtp-password-4711',
  HEARTBEAT_URL: 'https://heartbeat.example/ping/fake-token-4711',
};
const FULL_ENV = [
  '# credentials of a compose user',
  `SLACK_WEBHOOK_URL=${SECRETS.SLACK_WEBHOOK_URL}`,
  'SLACK_CHANNEL_ML=ml-oncall',
  `PAGERDUTY_ROUTING_KEY=${SECRETS.PAGERDUTY_ROUTING_KEY}`,
  'SMTP_SMARTHOST=smtp.example.com:587',
  'SMTP_FROM=alertmanager@example.com',
  'SMTP_TO=oncall@example.com',
  'SMTP_USERNAME=alertmanager',
  `SMTP_PASSWORD=${SECRETS.SMTP_PASSWORD}`,
  `HEARTBEAT_URL=${SECRETS.HEARTBEAT_URL}`,
  'MLMON_BIND_ADDRESS=127.0.0.1',
  '',
].join('\n');

let n = 0;
function workspace(envText: string): { envFile: string; outDir: string; dir: string } {
  const dir = join(tmp, `ws-${n++}`);
  const outDir = join(dir, 'docker', 'local', 'alertmanager');
  const envFile = join(dir, '.env');
  rmSync(dir, { recursive: true, force: true });
  spawnSync('mkdir', ['-p', dir]);
  writeFileSync(envFile, envText, { mode: 0o600 });
  return { envFile, outDir, dir };
}

function configure(
  ws: { envFile: string; outDir: string; dir: string },
  extra: Partial<Parameters<typeof configureCompose>[0]> = {},
): Promise<ComposeConfigureResult> {
  return configureCompose({
    envFile: ws.envFile,
    outDir: ws.outDir,
    composeDir: ws.dir,
    templatesDir: fromRepo('config', 'alertmanager', 'templates'),
    settings: containerSettings(),
    // Only the .env of the workspace: the test must not pick up the caller's credentials.
    env: {},
    ...extra,
  });
}

function routeOf(configFile: string, labels: string[]): string {
  const r = spawnSync('amtool', ['config', 'routes', 'test', `--config.file=${configFile}`, ...labels], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return r.stdout.trim();
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

type Receiver = {
  name: string;
  pagerduty_configs?: Array<Record<string, unknown>>;
  slack_configs?: Array<Record<string, unknown>>;
  webhook_configs?: Array<Record<string, unknown>>;
};
type AmConfig = { global: Record<string, unknown>; receivers: Receiver[]; templates: string[] };

test('with fake credentials: critical SLO alerts page PagerDuty and post to Slack, by amtool on the written file', async () => {
  const ws = workspace(FULL_ENV);
  const r = await configure(ws);
  assert.deepEqual(r.real, ['slack', 'pagerduty', 'email', 'heartbeat']);
  assert.deepEqual(r.viaSink, []);
  const file = join(ws.outDir, 'alertmanager.yml');

  assert.equal(routeOf(file, ['severity=critical', 'category=slo', 'service=inference-gateway', 'slo=availability']), 'page-oncall');
  assert.equal(routeOf(file, ['alertname=ServiceDown', 'severity=critical', 'category=availability']), 'page-oncall');
  assert.equal(routeOf(file, ['severity=warning', 'category=slo']), 'slack-alerts');
  assert.equal(routeOf(file, ['severity=warning', 'category=model_quality']), 'slack-ml-team');

  const am = parse(readFileSync(file, 'utf8')) as AmConfig;
  const page = am.receivers.find((x) => x.name === 'page-oncall')!;
  const pd = page.pagerduty_configs![0]!;
  assert.equal(pd.routing_key_file, `${CONTAINER_SECRETS_DIR}/pagerduty_routing_key`);
  assert.equal(pd.routing_key, undefined);
  assert.equal(pd.url, 'https://events.pagerduty.com/v2/enqueue');
  assert.equal(page.slack_configs![0]!.channel, '#alerts');
  assert.equal(am.global.slack_api_url_file, `${CONTAINER_SECRETS_DIR}/slack_webhook_url`);
  assert.equal(am.global.smtp_auth_password_file, `${CONTAINER_SECRETS_DIR}/smtp_password`);
  assert.equal(am.receivers.find((x) => x.name === 'slack-ml-team')!.slack_configs![0]!.channel, '#ml-oncall');
  assert.deepEqual(am.templates, ['../templates/*.tmpl']);
  // Each *_file path in the container is a file of the folder, holding the secret itself.
  assert.equal(readFileSync(join(ws.outDir, 'secrets', 'pagerduty_routing_key'), 'utf8'), SECRETS.PAGERDUTY_ROUTING_KEY);
  assert.equal(readFileSync(join(ws.outDir, 'secrets', 'slack_webhook_url'), 'utf8'), SECRETS.SLACK_WEBHOOK_URL);
  assert.equal(readFileSync(join(ws.outDir, 'secrets', 'smtp_password'), 'utf8'), SECRETS.SMTP_PASSWORD);
  assert.match(readFileSync(file, 'utf8'), /^# Generated by `mlmon compose configure`/);
});

test('secrets are only in 0640 files of 0750 folders, given to one group; never in the output or the compose variables', async () => {
  const ws = workspace(FULL_ENV);
  const r = await configure(ws);
  const expectedGid = process.getuid?.() === 0 ? 65534 : process.getgid?.();
  assert.equal(r.gid, expectedGid);
  for (const d of [ws.outDir, join(ws.outDir, 'secrets')]) {
    assert.equal(statSync(d).mode & 0o777, 0o750, d);
    assert.equal(statSync(d).gid, r.gid, d);
  }
  const written = filesUnder(ws.outDir);
  assert.deepEqual(written.map((f) => relative(ws.outDir, f)).sort(), [
    'alertmanager.yml',
    'secrets/pagerduty_routing_key',
    'secrets/slack_webhook_url',
    'secrets/smtp_password',
  ]);
  for (const f of written) {
    assert.equal(statSync(f).mode & 0o777, 0o640, f);
    assert.equal(statSync(f).gid, r.gid, f);
  }
  // Which file holds which secret: each credential in its own file; the
  // heartbeat URL (no url_file in Alertmanager 0.26) inline in the 0640 config.
  const holders = (secret: string) => written.filter((f) => readFileSync(f, 'utf8').includes(secret)).map((f) => relative(ws.outDir, f));
  assert.deepEqual(holders(SECRETS.PAGERDUTY_ROUTING_KEY), ['secrets/pagerduty_routing_key']);
  assert.deepEqual(holders(SECRETS.SLACK_WEBHOOK_URL), ['secrets/slack_webhook_url']);
  assert.deepEqual(holders(SECRETS.SMTP_PASSWORD), ['secrets/smtp_password']);
  assert.deepEqual(holders(SECRETS.HEARTBEAT_URL), ['alertmanager.yml']);
  const output = [...describeConfigureResult(r, ws.envFile), r.check, JSON.stringify(r)].join('\n');
  for (const s of Object.values(SECRETS)) assert.ok(!output.includes(s), 'no secret in what the command prints');
  // The committed container config and compose file never see them.
  for (const f of ['docker-compose.yml', 'docker/alertmanager/alertmanager.yml']) {
    const text = readFileSync(fromRepo(f), 'utf8');
    for (const s of Object.values(SECRETS)) assert.ok(!text.includes(s), f);
  }
  // The caller's .env keeps its lines, secrets and owner-only mode.
  const env = readFileSync(ws.envFile, 'utf8');
  assert.ok(env.startsWith(FULL_ENV), env);
  assert.equal(statSync(ws.envFile).mode & 0o777, 0o600);
});

test('the .env then points docker-compose.yml at the folders; without the Alertmanager one the committed sink-only folder is mounted; both pass the Compose schema', async () => {
  const ws = workspace(FULL_ENV);
  const r = await configure(ws);
  assert.deepEqual(r.variables, {
    MLMON_LOGIN_DIR: './docker/local/login',
    MLMON_ALERTMANAGER_CONFIG_DIR: './docker/local/alertmanager',
    MLMON_SECRETS_GID: String(r.gid),
  });
  const env = readFileSync(ws.envFile, 'utf8');
  assert.match(env, /^MLMON_ALERTMANAGER_CONFIG_DIR=\.\/docker\/local\/alertmanager$/m);
  assert.match(env, /^MLMON_LOGIN_DIR=\.\/docker\/local\/login$/m);
  assert.match(env, new RegExp(`^MLMON_SECRETS_GID=${r.gid}$`, 'm'));

  const text = readFileSync(fromRepo('docker-compose.yml'), 'utf8');
  const validate = composeValidator();
  const am = (vars: Record<string, string>) => {
    const c = parse(
      interpolateCompose(text, { GRAFANA_ADMIN_PASSWORD: 'a-required-password', MLMON_LOGIN_DIR: r.variables.MLMON_LOGIN_DIR, ...vars }),
    ) as {
      services: Record<string, { volumes: string[]; group_add: string[]; command: string[] }>;
    };
    assert.equal(validate(c), true, JSON.stringify(validate.errors, null, 2));
    return c.services.alertmanager!;
  };
  const configured = am({
    MLMON_ALERTMANAGER_CONFIG_DIR: r.variables.MLMON_ALERTMANAGER_CONFIG_DIR!,
    MLMON_SECRETS_GID: String(r.gid),
  });
  assert.ok(configured.volumes.includes('./docker/local/alertmanager:/etc/alertmanager/config:ro'), configured.volumes.join(' '));
  assert.deepEqual(configured.group_add.map(String), [String(r.gid)]);
  assert.ok(configured.command.includes('--config.file=/etc/alertmanager/config/alertmanager.yml'));
  const committed = am({});
  assert.ok(committed.volumes.includes('./docker/alertmanager:/etc/alertmanager/config:ro'), committed.volumes.join(' '));
  assert.deepEqual(committed.group_add.map(String), [COMPOSE_VARIABLES.secretsGid.default]);
  // The default folder is the committed one, and it holds the sink-only config.
  assert.ok(existsSync(fromRepo(COMPOSE_VARIABLES.alertmanagerConfigDir.default, 'alertmanager.yml')));
  // The default output folder is git-ignored.
  assert.equal(
    spawnSync('git', ['check-ignore', '-q', 'docker/local/alertmanager/secrets/slack_webhook_url'], { cwd: repoRoot }).status,
    0,
  );
});

test('running it again after removing a credential removes its stale secret file', async () => {
  const ws = workspace(FULL_ENV);
  await configure(ws);
  writeFileSync(ws.envFile, FULL_ENV.replace(/^PAGERDUTY_ROUTING_KEY=.*$/m, 'PAGERDUTY_ROUTING_KEY=').replace(/^HEARTBEAT_URL=.*$/m, ''), {
    mode: 0o600,
  });
  const r = await configure(ws);
  assert.deepEqual(r.viaSink, ['pagerduty', 'heartbeat']);
  assert.ok(!existsSync(join(ws.outDir, 'secrets', 'pagerduty_routing_key')));
  const text = readFileSync(join(ws.outDir, 'alertmanager.yml'), 'utf8');
  assert.ok(text.includes('http://notification-sink:9097/v2/enqueue'));
  assert.ok(!text.includes(SECRETS.HEARTBEAT_URL));
});

async function refusal(envText: string): Promise<{ message: string; outExists: boolean }> {
  const ws = workspace(envText);
  try {
    await configure(ws);
  } catch (e) {
    assert.ok(isMlmonError(e), String(e));
    return { message: e.format(), outExists: existsSync(ws.outDir) };
  }
  assert.fail('expected a refusal');
}

test('bad or half-set credentials are refused, naming the variable and what to do, without echoing it and without writing', async () => {
  const cases: Array<[string, RegExp]> = [
    [
      'PAGERDUTY_URL=https://events.eu.pagerduty.com/v2/enqueue\n',
      /PAGERDUTY_URL: is set but PAGERDUTY_ROUTING_KEY is empty[\s\S]*Set PAGERDUTY_ROUTING_KEY/,
    ],
    ['SMTP_TO=oncall@example.com\n', /SMTP_TO: is set but SMTP_SMARTHOST is empty/],
    ['SMTP_SMARTHOST=smtp.example.com:587\nSMTP_FROM=a@example.com\n', /SMTP_TO: is required when SMTP_SMARTHOST is set/],
    [
      'SMTP_SMARTHOST=smtp.example.com:587\nSMTP_FROM=a@example.com\nSMTP_TO=b@example.com\nSMTP_USERNAME=u\n',
      /SMTP_PASSWORD: is required when SMTP_USERNAME is set/,
    ],
    [`PAGERDUTY_ROUTING_KEY=https://events.pagerduty.com/v2/enqueue\n`, /PAGERDUTY_ROUTING_KEY: holds a URL/],
    ['SLACK_WEBHOOK_URL=hooks-slack-fake-4711\n', /SLACK_WEBHOOK_URL: is not a URL/],
    ['SLACK_WEBHOOK_URL=ftp://fake.example/4711\n', /SLACK_WEBHOOK_URL: must be an http\(s\) URL/],
    ['SLACK_CHANNEL_INFRA=not a channel\n', /SLACK_CHANNEL_INFRA: "not a channel" is not a Slack channel name/],
  ];
  for (const [env, re] of cases) {
    const r = await refusal(env);
    assert.match(r.message, re, env);
    assert.ok(!r.message.includes('fake-4711') && !r.message.includes('fake.example/4711'), `no value echoed: ${r.message}`);
    assert.equal(r.outExists, false, `nothing written for ${env}`);
  }
});

test('amtool has the last word: a config it refuses is reported without the secrets and nothing is written', async () => {
  // A channel name our parser accepts but that breaks nothing else cannot
  // reach amtool's refusal; an unreadable templates folder can.
  const ws = workspace(FULL_ENV);
  const badTemplates = join(ws.dir, 'templates');
  spawnSync('mkdir', ['-p', badTemplates]);
  writeFileSync(join(badTemplates, 'broken.tmpl'), '{{ define "x" }}{{ .Oops ');
  await assert.rejects(configure(ws, { templatesDir: badTemplates }), (e: unknown) => {
    assert.ok(isMlmonError(e));
    const text = e.format();
    assert.match(text, /amtool check-config refused/);
    for (const s of Object.values(SECRETS)) assert.ok(!text.includes(s));
    return true;
  });
  assert.equal(existsSync(ws.outDir), false);
});

test('the credential checks alone (pure)', () => {
  assert.doesNotThrow(() => checkComposeCredentials({}));
  assert.doesNotThrow(() => checkComposeCredentials({ SLACK_CHANNEL_ALERTS: '#alerts', SMTP_REQUIRE_TLS: 'true' }));
  assert.throws(() => checkComposeCredentials({ PAGERDUTY_ROUTING_KEY: 'abc def' }), /PAGERDUTY_ROUTING_KEY: contains spaces/);
  assert.throws(() => checkComposeCredentials({ SMTP_PASSWORD: 'x' }), /SMTP_PASSWORD: is set but SMTP_SMARTHOST is empty/);
});

test('.env update keeps every other line and replaces an existing assignment', () => {
  const before = '# mine\nSLACK_WEBHOOK_URL=x\nexport MLMON_ALERTMANAGER_GID=1\n';
  const after = setDotEnvValues(before, { MLMON_ALERTMANAGER_GID: '1000', MLMON_ALERTMANAGER_CONFIG_DIR: './d' }, 'note');
  assert.equal(after, '# mine\nSLACK_WEBHOOK_URL=x\nMLMON_ALERTMANAGER_GID=1000\n\n# note\nMLMON_ALERTMANAGER_CONFIG_DIR=./d\n');
  assert.equal(setDotEnvValues('', { A: '1' }, 'c'), '# c\nA=1\n');
  assert.equal(setDotEnvValues('constructor=1\n', { A: '1' }, 'c'), 'constructor=1\n\n# c\nA=1\n');
  assert.equal(composePathOf('/x/repo/docker/local/am', '/x/repo'), './docker/local/am');
  assert.equal(composePathOf('/elsewhere/am', '/x/repo'), '/elsewhere/am');
});

test('compose interpolation as docker compose does it', () => {
  const env = { SET: 'v', EMPTY: '' };
  assert.equal(interpolateCompose('${SET:-d} ${EMPTY:-d} ${UNSET:-d} ${EMPTY-d} ${UNSET-d} ${SET} $${SET}', env), 'v d d  d v ${SET}');
});

test('the command line: mlmon compose configure prints the summary and exits 1 with the error on bad input', () => {
  const ws = workspace(FULL_ENV);
  // The harness registers the room's commands the way src/cli/main.ts does.
  const harness = `
    import { Command } from 'commander';
    import { registerContainerCommands } from ${JSON.stringify(fromRepo('dist/src/container/index.js'))};
    const program = new Command();
    registerContainerCommands(program);
    try { await program.parseAsync(process.argv.slice(process.argv.indexOf('compose')), { from: 'user' }); } catch (e) { process.stderr.write('mlmon: ' + e.format() + '\\n'); process.exit(1); }
  `;
  const run = (envFile: string) =>
    spawnSync(
      process.execPath,
      ['--input-type=module', '-e', harness, '--', 'compose', 'configure', '--env-file', envFile, '--out', ws.outDir],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '' },
      },
    );
  const ok = run(ws.envFile);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /amtool check-config: SUCCESS/);
  assert.match(ok.stdout, /pagerduty\s+real destination/);
  assert.match(ok.stdout, /secrets\/pagerduty_routing_key\s+0640/);
  for (const s of Object.values(SECRETS)) assert.ok(!ok.stdout.includes(s) && !ok.stderr.includes(s));
  const badEnv = join(ws.dir, 'bad.env');
  writeFileSync(badEnv, 'PAGERDUTY_URL=https://events.pagerduty.com/v2/enqueue\n', { mode: 0o600 });
  const bad = run(badEnv);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^mlmon: environment \(\.env\): PAGERDUTY_URL: is set but PAGERDUTY_ROUTING_KEY is empty/);
});
