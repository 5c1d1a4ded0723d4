/** A stack of the alert tests' own: free loopback ports, a private data
 * directory with a private copy of config/ (so a .env with real credentials
 * beside the repository's config is never read: every integration goes to the
 * local sink), started with `mlmon up --detach` and stopped with `mlmon down`. */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MlmonError } from '../errors.js';
import { freePorts } from '../net.js';
import { configDir as repoConfigDir, mlmonBin } from '../paths.js';
import { DEFAULT_PORTS, stackPaths, type PortName, type Profile } from '../definition/index.js';
import { pidAlive, readState } from '../definition/index.js';
import type { Voice } from './wait.js';

export interface OwnStack {
  dataDir: string;
  stop(): Promise<void>;
}

/** Credentials in the environment would send test pages to real people. */
const CREDENTIAL_ENV = /^(SLACK_|PAGERDUTY_|SMTP_|HEARTBEAT_)/;

function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !CREDENTIAL_ENV.test(k)));
}

function runMlmon(args: string[], voice: Voice, echo: boolean): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [mlmonBin, ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const take = (b: Buffer) => {
      output += b.toString();
      if (echo) for (const line of b.toString().split('\n').filter(Boolean)) voice.say(`  | ${line}`);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Stacks started and not yet stopped, so an interrupted run can stop them. */
const running = new Set<OwnStack>();

export async function stopOwnStacks(): Promise<void> {
  for (const s of [...running]) await s.stop().catch(() => undefined);
}

export async function startOwnStack(voice: Voice, opts: { profile: Profile; keep?: boolean; extraArgs?: string[] }): Promise<OwnStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlmon-alerttest-'));
  const config = join(dataDir, 'config');
  cpSync(repoConfigDir, config, { recursive: true });
  const names = Object.keys(DEFAULT_PORTS) as PortName[];
  const ports = await freePorts(names.length);
  const args = [
    'up',
    '--detach',
    '--profile',
    opts.profile,
    '--data-dir',
    dataDir,
    '--config-dir',
    config,
    ...names.flatMap((n, i) => ['--port', `${n}=${ports[i]}`]),
    ...(opts.profile === 'production' ? ['--fault-injection'] : []),
    ...(opts.extraArgs ?? []),
  ];
  voice.say(`starting a ${opts.profile}-profile stack of our own in ${dataDir}`);
  const t0 = Date.now();
  const up = await runMlmon(args, voice, false);
  const stack: OwnStack = {
    dataDir,
    async stop() {
      running.delete(stack);
      const st = readState(stackPaths(dataDir).stateFile);
      await runMlmon(['down', '--data-dir', dataDir], voice, false);
      // `mlmon down` stops everything it recorded; make sure by pid, never by name.
      const pids = [st?.supervisorPid, ...(st?.components ?? []).map((c) => c.pid)].filter((p): p is number => Boolean(p));
      for (const pid of pids) {
        if (!pidAlive(pid)) continue;
        try {
          process.kill(pid, 'SIGCONT');
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      if (!opts.keep) rmSync(dataDir, { recursive: true, force: true });
      voice.say(`stack stopped${opts.keep ? `; data kept in ${dataDir}` : ' and its data directory removed'}`);
    },
  };
  running.add(stack);
  if (up.code !== 0) {
    await stack.stop();
    throw new MlmonError('stack_start_failed', `mlmon up failed (exit ${up.code})`, {
      hint: up.output.trim().split('\n').slice(-8).join('\n  '),
    });
  }
  voice.say(`stack ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  return stack;
}
