/** Waiting with a voice: every wait says what it waits for and for how long,
 * and keeps saying it while it lasts. */

export interface Voice {
  say(line: string): void;
  /** True when progress may be redrawn in place (a terminal). */
  live: boolean;
}

export const consoleVoice = (stream: NodeJS.WriteStream = process.stdout): Voice => ({
  say: (line) => stream.write(`${line}\n`),
  live: Boolean(stream.isTTY),
});

export interface WaitOutcome<T> {
  ok: boolean;
  value: T | undefined;
  /** Seconds waited. */
  seconds: number;
  lastError: string | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value other than undefined/false, or `budgetSeconds` pass. */
export async function waitFor<T>(
  voice: Voice,
  what: string,
  budgetSeconds: number,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  opts: { intervalMs?: number; quiet?: boolean } = {},
): Promise<WaitOutcome<T>> {
  const t0 = Date.now();
  const interval = opts.intervalMs ?? 250;
  let lastError: string | undefined;
  let lastShown = 0;
  const show = (final: string | undefined) => {
    if (opts.quiet) return;
    const s = Math.round((Date.now() - t0) / 1000);
    if (voice.live) {
      process.stdout.write(final === undefined ? `\r    waiting ${s}s/${budgetSeconds}s for ${what}\x1b[K` : `\r\x1b[K`);
    } else if (final === undefined && s - lastShown >= 15) {
      lastShown = s;
      voice.say(`    ... still waiting for ${what} (${s}s of up to ${budgetSeconds}s)`);
    }
  };
  if (!opts.quiet && !voice.live) voice.say(`    waiting up to ${budgetSeconds}s for ${what}`);
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) {
        show('done');
        return { ok: true, value: v, seconds: (Date.now() - t0) / 1000, lastError };
      }
    } catch (e) {
      lastError = (e as Error).message;
    }
    if (Date.now() - t0 > budgetSeconds * 1000) {
      show('done');
      return { ok: false, value: undefined, seconds: (Date.now() - t0) / 1000, lastError };
    }
    show(undefined);
    await sleep(interval);
  }
}

/** Sleeps `seconds`, saying why. */
export async function hold(voice: Voice, why: string, seconds: number): Promise<void> {
  voice.say(`    holding ${seconds}s: ${why}`);
  await sleep(seconds * 1000);
}
