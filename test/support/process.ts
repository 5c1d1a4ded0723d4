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

/** Everything a child writes to stdout and stderr, and a wait for a line of it:
 * driven by the child's own output, so a slow machine only makes it later,
 * never makes it miss. The wait fails as soon as the child exits without it. */
export class ChildOutput {
  text = '';
  private waiters: Array<{ pattern: RegExp; resolve: (text: string) => void; reject: (e: Error) => void }> = [];
  private exit: string | undefined;

  constructor(child: ChildProcess) {
    const take = (d: Buffer) => {
      this.text += d.toString();
      this.waiters = this.waiters.filter((w) => {
        if (!w.pattern.test(this.text)) return true;
        w.resolve(this.text);
        return false;
      });
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    child.once('exit', (code, signal) => {
      this.exit = `exited (${signal ?? `code ${code}`})`;
      for (const w of this.waiters) w.reject(new Error(`${this.exit} before printing ${w.pattern}:\n${this.text}`));
      this.waiters = [];
    });
  }

  /** Resolves with the output so far once `pattern` matches it. */
  waitFor(pattern: RegExp): Promise<string> {
    if (pattern.test(this.text)) return Promise.resolve(this.text);
    if (this.exit) return Promise.reject(new Error(`${this.exit} before printing ${pattern}:\n${this.text}`));
    return new Promise((resolve, reject) => this.waiters.push({ pattern, resolve, reject }));
  }
}
