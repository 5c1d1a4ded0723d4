import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ComponentName, StackSettings } from './settings.js';

export type ComponentState = 'starting' | 'healthy' | 'restarting' | 'stopping' | 'stopped' | 'failed';
export type StackPhase = 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

/** How a client authenticates to a component: basic auth with a password file,
 * or a bearer token file. Paths are absolute. */
export type ComponentAuth = { username: string; passwordFile: string } | { tokenFile: string };

export interface ComponentStatus {
  name: ComponentName;
  state: ComponentState;
  pid: number | null;
  program: string;
  url: string;
  readyUrl: string;
  description: string;
  logFile: string;
  restarts: number;
  startedAt: string | null;
  lastExit: string | null;
  /** Credentials a client needs for the component's write API, when it has one. */
  auth?: ComponentAuth;
}

/** What the supervisor writes to `state.json` for `mlmon status`/`down` and tests. */
export interface StackState {
  supervisorPid: number;
  phase: StackPhase;
  startedAt: string;
  updatedAt: string;
  error: string | null;
  settings: StackSettings;
  components: ComponentStatus[];
}

export function writeState(file: string, state: StackState): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}

export function readState(file: string): StackState | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StackState;
  } catch {
    return undefined;
  }
}

/** True when a process with this pid exists (signal 0 probes without sending). */
export function pidAlive(pid: number | null | undefined): boolean {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a live process (Linux /proc), to make sure a recorded
 * pid still belongs to the program we started before signalling it. */
export function pidCommandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}
