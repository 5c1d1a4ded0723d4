import type { ChildProcess } from 'node:child_process';

/** Stops a child this test started, by its pid: SIGTERM, then SIGKILL after
 * `graceMs`; resolves once it has exited (at once if it already has). */
export function stopChild(c: ChildProcess, graceMs = 10_000): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null || !c.pid) return Promise.resolve();
  const gone = new Promise<void>((r) => c.once('exit', () => r()));
  process.kill(c.pid, 'SIGTERM');
  const t = setTimeout(() => c.pid && process.kill(c.pid, 'SIGKILL'), graceMs);
  return gone.finally(() => clearTimeout(t));
}
