/** The folder `mlmon compose configure` writes, run the way the compose file
 * runs it, without a Docker engine: the real Alertmanager in its own mount
 * namespace with the folder bind-mounted read-only at /etc/alertmanager/config
 * and the templates at /etc/alertmanager/templates (the compose volumes), as
 * user nobody with the configured group added (`user: nobody` of the image +
 * `group_add`). A critical SLO alert must reach PagerDuty with the key read
 * from the secret file and Slack through the webhook read from its file (both
 * the local sink here); without the group, Alertmanager cannot read the folder.
 * Needs root (mount namespace, setpriv): skipped otherwise. */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { configureCompose, containerSettings } from '../../src/container/index.js';
import { freePorts, waitForHttp } from '../../src/net.js';
import { fromRepo } from '../../src/paths.js';
import { startNotificationSink, type NotificationSink } from '../../src/sink/index.js';
import { stopChild } from '../support/process.js';

const NOBODY = 65534;
/** A group no file of this machine uses: only the folder and the "container" get it. */
const SECRETS_GID = 4242;
const ROUTING_KEY = 'fakeroutingkeyfakeroutingkey4711';

const tmp = mkdtempSync(join(tmpdir(), 'mlmon-configured-am-'));
// nobody must reach its storage folder below this one.
chmodSync(tmp, 0o711);
const started: ChildProcess[] = [];
let sink: NotificationSink | undefined;

after(async () => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null && c.pid) process.kill(c.pid, 'SIGKILL');
  await sink?.close();
  rmSync(tmp, { recursive: true, force: true });
});

function canIsolate(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root for a mount namespace and setpriv';
  const r = spawnSync('unshare', ['-m', 'sh', '-c', 'mount --make-rprivate / && mount -t tmpfs tmpfs /mnt'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `unshare -m is not permitted here: ${r.stderr.trim()}`;
}

/** Alertmanager as the container runs it: /etc overlaid (so nothing is created
 * on the host), the compose volumes bind-mounted, the image's user and groups. */
function startContained(configDir: string, port: number, groups: string, name: string): { child: ChildProcess; log: string } {
  const storage = join(tmp, `${name}-data`);
  mkdirSync(storage);
  chownSync(storage, NOBODY, NOBODY);
  const scratch = join(tmp, `${name}-etc`);
  mkdirSync(scratch);
  const script = [
    'set -e',
    'mount --make-rprivate /',
    `mount -t tmpfs tmpfs "${scratch}"`,
    `mkdir "${scratch}/u" "${scratch}/w"`,
    `mount -t overlay overlay -o lowerdir=/etc,upperdir="${scratch}/u",workdir="${scratch}/w" /etc`,
    'mkdir -p /etc/alertmanager/config /etc/alertmanager/templates',
    `mount --bind "${configDir}" /etc/alertmanager/config`,
    'mount -o remount,bind,ro /etc/alertmanager/config',
    `mount --bind "${fromRepo('config', 'alertmanager', 'templates')}" /etc/alertmanager/templates`,
    'mount -o remount,bind,ro /etc/alertmanager/templates',
    `exec setpriv --reuid=${NOBODY} --regid=${NOBODY} ${groups} prometheus-alertmanager --config.file=/etc/alertmanager/config/alertmanager.yml --storage.path="${storage}" --web.listen-address=127.0.0.1:${port} --cluster.listen-address= --log.level=debug`,
  ].join('\n');
  const log = join(tmp, `${name}.log`);
  const fd = openSync(log, 'a');
  // unshare execs the shell, which execs setpriv, which execs Alertmanager: one pid throughout.
  const child = spawn('unshare', ['-m', 'sh', '-c', script], { stdio: ['ignore', fd, fd] });
  started.push(child);
  return { child, log };
}

interface Recorded {
  integration: string;
  channel: string;
  payload: Record<string, unknown>;
}

test('a critical SLO alert reaches PagerDuty and Slack through the secret files, read by nobody with the configured group', async (t) => {
  const why = canIsolate();
  if (why) return t.skip(why);
  const [sinkHttp, sinkSmtp, amPort, amPort2] = await freePorts(4);
  sink = await startNotificationSink({ host: '127.0.0.1', httpPort: sinkHttp!, smtpPort: sinkSmtp!, dataDir: join(tmp, 'sink') });
  const envFile = join(tmp, '.env');
  writeFileSync(
    envFile,
    [
      `SLACK_WEBHOOK_URL=${sink.httpUrl}/slack/webhook`,
      `PAGERDUTY_ROUTING_KEY=${ROUTING_KEY}`,
      `PAGERDUTY_URL=${sink.httpUrl}/v2/enqueue`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const outDir = join(tmp, 'docker', 'local', 'alertmanager');
  const r = await configureCompose({
    envFile,
    outDir,
    composeDir: tmp,
    templatesDir: fromRepo('config', 'alertmanager', 'templates'),
    settings: containerSettings(),
    gid: SECRETS_GID,
    env: {},
  });
  assert.deepEqual(r.real, ['slack', 'pagerduty']);

  // Without the group (no group_add), the folder is closed to the container's user.
  const denied = startContained(outDir, amPort2!, '--clear-groups', 'am-denied');
  const code = await new Promise<number | null>((res) => denied.child.once('exit', (c) => res(c)));
  assert.notEqual(code, 0);
  assert.match(readFileSync(denied.log, 'utf8'), /permission denied/);

  const am = startContained(outDir, amPort!, `--groups=${SECRETS_GID}`, 'am');
  try {
    const ready = await waitForHttp(`http://127.0.0.1:${amPort}/-/ready`, 30_000);
    assert.ok(ready.ok, `Alertmanager ready: ${ready.detail}\n${readFileSync(am.log, 'utf8').slice(-2000)}`);
    const alert = {
      labels: {
        alertname: 'SLOAvailabilityFastBurn',
        severity: 'critical',
        category: 'slo',
        service: 'inference-gateway',
        slo: 'availability',
      },
      annotations: { summary: 'burning the availability budget', description: 'fast burn', runbook_url: 'https://example.invalid/runbook' },
    };
    const post = await fetch(`http://127.0.0.1:${amPort}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([alert]),
    });
    assert.equal(post.status, 200);
    // The production group_wait (30 s) applies: the config is exactly what compose mounts.
    const deadline = Date.now() + 90_000;
    let got: Recorded[] = [];
    while (Date.now() < deadline) {
      got = (await (await fetch(`${sink.httpUrl}/notifications`)).json()) as Recorded[];
      if (got.some((x) => x.integration === 'pagerduty') && got.some((x) => x.integration === 'slack')) break;
      await new Promise((res) => setTimeout(res, 500));
    }
    const pd = got.find((x) => x.integration === 'pagerduty');
    const slack = got.find((x) => x.integration === 'slack');
    assert.ok(
      pd && slack,
      `both notifications arrived: ${JSON.stringify(got.map((x) => x.integration))}\n${readFileSync(am.log, 'utf8').slice(-2000)}`,
    );
    assert.equal(pd.channel, ROUTING_KEY, 'the routing key came from secrets/pagerduty_routing_key');
    assert.equal(slack.channel, '#alerts');
  } finally {
    await stopChild(am.child);
  }
});
