/** The bundle's Deployments run as written: each container's args, with only
 * addresses, ports and folders swapped for this machine's, start the real
 * service (so every flag exists), which then answers the probes the Deployment
 * declares, with the headers it sends; and the gateway's events reach the
 * exporter over its ingest API, the way they cross pods in the cluster. */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_KUBERNETES_OPTIONS, renderDeployments, type Workload } from '../../src/kubernetes/index.js';
import { freePorts } from '../../src/net.js';
import { fromRepo, mlmonBin } from '../../src/paths.js';
import { stopChild } from '../support/process.js';
import { eventually } from '../support/stack.js';

type Any = Record<string, any>;

const children: ChildProcess[] = [];
const dirs: string[] = [];
after(async () => {
  for (const c of children) await stopChild(c);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const deployments = new Map(renderDeployments(DEFAULT_KUBERNETES_OPTIONS).map((d: Any) => [d.metadata.name as Workload, d]));
const token = randomBytes(16).toString('hex');

/** The container's args with this machine's places: the flag names stay as rendered. */
function localArgs(args: string[], replace: Record<string, string>): string[] {
  return args.map((a, i) => (i > 0 && args[i - 1]! in replace ? replace[args[i - 1]!]! : a));
}

function probeRequest(c: Any, probe: 'livenessProbe' | 'readinessProbe', port: number) {
  const get = c[probe].httpGet as { path: string; httpHeaders?: Array<{ name: string; value: string }> };
  const headers = Object.fromEntries((get.httpHeaders ?? []).map((h) => [h.name.toLowerCase(), h.value]));
  return fetch(`http://127.0.0.1:${port}${get.path}`, { headers });
}

async function run(name: Workload, replace: Record<string, string>, port: number): Promise<Any> {
  const c = deployments.get(name)!.spec.template.spec.containers[0] as Any;
  const data = mkdtempSync(join(tmpdir(), `mlmon-k8s-${name}-`));
  dirs.push(data);
  const args = localArgs(c.args as string[], { '--host': '127.0.0.1', '--port': String(port), '--data-dir': data, ...replace });
  const env: Record<string, string> = { ...(process.env as Record<string, string>) };
  for (const e of (c.env ?? []) as Any[]) env[e.name as string] = e.valueFrom ? token : (e.value as string);
  const child = spawn(process.execPath, [mlmonBin, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  children.push(child);
  await eventually(
    `${name} answers its probes`,
    async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}: ${stderr}`);
      const live = await probeRequest(c, 'livenessProbe', port).catch(() => undefined);
      const ready = await probeRequest(c, 'readinessProbe', port).catch(() => undefined);
      return live?.status === 200 && ready?.status === 200;
    },
    60_000,
    250,
  );
  return c;
}

test('every Deployment’s container starts from its rendered args and answers its liveness (/health) and readiness (/ready) probes', async () => {
  const [exporterPort, gatewayPort, consolePort, sinkPort, smtpPort, nowhere] = await freePorts(6);
  const exporterUrl = `http://127.0.0.1:${exporterPort}`;
  await run('ml-model-exporter', {}, exporterPort!);
  await run('notification-sink', { '--smtp-port': String(smtpPort) }, sinkPort!);
  await run(
    'console',
    {
      '--config-dir': fromRepo('config'),
      '--prometheus': `http://127.0.0.1:${nowhere}`,
      '--alertmanager': `http://127.0.0.1:${nowhere}`,
      '--sink': `http://127.0.0.1:${sinkPort}`,
    },
    consolePort!,
  );
  await run('inference-gateway', { '--forward-events': exporterUrl }, gatewayPort!);

  // A prediction at the gateway becomes an event the exporter counts: no shared folder, only HTTP.
  const before = await exporterEvents(exporterUrl);
  const res = await fetch(`http://127.0.0.1:${gatewayPort}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ features: { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 } }),
  });
  assert.equal(res.status, 200, await res.text());
  await eventually('the exporter counts the forwarded event', async () => (await exporterEvents(exporterUrl)) > before, 30_000, 250);
});

async function exporterEvents(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^ml_exporter_events_processed_total (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

test('a gateway told to forward its events without the token, or to no URL, refuses to start and says what to set', () => {
  const env = { ...process.env };
  delete env.MLMON_EXPORTER_TOKEN;
  const noToken = spawnSync(process.execPath, [mlmonBin, 'serve', 'gateway', '--forward-events', 'http://127.0.0.1:9'], {
    env,
    encoding: 'utf8',
  });
  assert.equal(noToken.status, 1);
  assert.match(noToken.stderr, /^mlmon: --forward-events needs the exporter's ingest token in MLMON_EXPORTER_TOKEN/);
  const badUrl = spawnSync(process.execPath, [mlmonBin, 'serve', 'gateway', '--forward-events', 'exporter:9101'], {
    env: { ...env, MLMON_EXPORTER_TOKEN: token },
    encoding: 'utf8',
  });
  assert.equal(badUrl.status, 1);
  assert.match(badUrl.stderr, /^mlmon: --forward-events exporter:9101: not an http\(s\) URL/);
});
