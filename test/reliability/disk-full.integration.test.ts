// The data directory's disk nearly full (a small ext4 loop mount): the stack
// keeps running and reports it, through `mlmon status` and the NodeDiskSpaceLow
// alert rule, instead of dying silently. Needs root and loop devices; skipped
// with the reason where the machine does not allow the mount.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePorts } from '../../src/net.js';
import { FindingLog } from '../support/reliability/index.js';
import { stackPaths } from '../../src/definition/index.js';
import { pidAlive, readState } from '../../src/definition/index.js';
import { eventually, runMlmon } from '../support/stack.js';
import { authHeaders, readAdminCredentials } from '../../src/upstream/index.js';

const log = new FindingLog('disk-full');

function sh(cmd: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}`.trim() };
}

function tryMount(img: string, dir: string): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root for the loop mount';
  const steps: Array<[string, string[]]> = [
    ['truncate', ['-s', '2G', img]],
    ['mkfs.ext4', ['-q', '-F', img]],
    ['mount', ['-o', 'loop', img, dir]],
  ];
  for (const [cmd, args] of steps) {
    const r = sh(cmd, args);
    if (!r.ok) return `${cmd} ${args.join(' ')} failed: ${r.out}`;
  }
  return undefined;
}

const base = mkdtempSync(join(tmpdir(), 'mlmon-disk-'));
const img = join(base, 'disk.img');
const mnt = join(base, 'mnt');
spawnSync('mkdir', ['-p', mnt]);
const cannot = tryMount(img, mnt);

test(
  'a nearly full data disk is reported by mlmon status and the disk alert, and the stack keeps running',
  { skip: cannot, timeout: 300_000 },
  async (t) => {
    const dataDir = join(mnt, 'data');
    t.after(() => {
      runMlmon(['down', '--data-dir', dataDir]);
      const st = readState(stackPaths(dataDir).stateFile);
      for (const c of st?.components ?? []) if (c.pid && pidAlive(c.pid)) process.kill(c.pid, 'SIGKILL');
      sh('umount', [mnt]);
      rmSync(base, { recursive: true, force: true });
    });
    const [prom, am, node, bb, pg, sinkHttp, sinkSmtp] = await freePorts(7);
    const up = runMlmon([
      'up',
      '--detach',
      '--data-dir',
      dataDir,
      '--scrape-interval',
      '1s',
      '--port',
      `prometheus=${prom}`,
      '--port',
      `alertmanager=${am}`,
      '--port',
      `node-exporter=${node}`,
      '--port',
      `blackbox-exporter=${bb}`,
      '--port',
      `pushgateway=${pg}`,
      '--port',
      `notification-sink=${sinkHttp}`,
      '--port',
      `notification-sink-smtp=${sinkSmtp}`,
      '--without',
      'inference-gateway',
      '--without',
      'ml-model-exporter',
      '--without',
      'console',
    ]);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    assert.equal(runMlmon(['status', '--data-dir', dataDir]).code, 0, 'healthy with space left');

    // Fill the disk to 15 MiB free.
    const df = sh('df', ['--output=avail', '-B1', mnt]).out.split('\n').pop()!.trim();
    const fill = Math.max(0, Number(df) - 15 * 1024 * 1024);
    assert.ok(sh('fallocate', ['-l', String(fill), join(mnt, 'filler')]).ok, 'filled the disk');

    const status = runMlmon(['status', '--data-dir', dataDir]);
    assert.equal(status.code, 1, 'status says the stack is not healthy');
    assert.match(status.stdout, /WARNING: the data directory's disk is nearly full/);
    const json = JSON.parse(runMlmon(['status', '--data-dir', dataDir, '--json']).stdout) as {
      disk: { warning: string | null; freeRatio: number };
    };
    assert.ok(json.disk.warning);

    // The alert rule sees it: NodeDiskSpaceLow goes pending (for: 10m) for this mount.
    const pending = await eventually(
      'NodeDiskSpaceLow pending for the data disk',
      async () => {
        const u = new URL(`http://127.0.0.1:${prom}/api/v1/query`);
        u.searchParams.set('query', `ALERTS{alertname="NodeDiskSpaceLow", mountpoint="${mnt}"}`);
        const body = (await (await fetch(u, { headers: authHeaders(readAdminCredentials(stackPaths(dataDir).secretsDir)) })).json()) as {
          data: { result: Array<{ metric: Record<string, string> }> };
        };
        return body.data.result[0];
      },
      90_000,
    );
    // ...and nothing died.
    const st = readState(stackPaths(dataDir).stateFile)!;
    log.verify(
      'faults',
      'data directory on a 2 GB ext4 loop mount filled to 15 MiB free',
      `mlmon status exit 1 with "disk nearly full" (${(100 * json.disk.freeRatio).toFixed(1)}% free); NodeDiskSpaceLow ${pending.metric.alertstate} for ${mnt}; components running: ${st.components.filter((c) => c.pid && pidAlive(c.pid)).length} of ${st.components.length}`,
      () => {
        assert.ok(['pending', 'firing'].includes(pending.metric.alertstate ?? ''));
        for (const c of st.components) assert.ok(c.pid && pidAlive(c.pid), `${c.name} still runs`);
      },
    );
    log.save();
  },
);
