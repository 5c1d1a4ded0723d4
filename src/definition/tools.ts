import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { MlmonError } from '../errors.js';

/** Absolute path of the first of `names` found on PATH (or an absolute name that exists). */
export function findProgram(names: string[]): string | undefined {
  for (const name of names) {
    if (isAbsolute(name)) {
      try {
        accessSync(name, constants.X_OK);
        return name;
      } catch {
        continue;
      }
    }
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      if (!dir) continue;
      const p = join(dir, name);
      try {
        accessSync(p, constants.X_OK);
        return p;
      } catch {
        /* next */
      }
    }
  }
  return undefined;
}

export function requireProgram(names: string[], what: string): string {
  const found = findProgram(names);
  if (!found) {
    throw new MlmonError('missing_program', `${what} is not installed (looked for ${names.join(', ')} on PATH)`, {
      hint: 'run `bash scripts/setup.sh` to install the Prometheus programs',
    });
  }
  return found;
}

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion and captures its output (no shell). */
export function runTool(
  program: string,
  args: string[],
  opts: { input?: string; timeoutMs?: number; cwd?: string } = {},
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    // No input: stdin is /dev/null. A pipe written to after a quick tool has
    // exited fails with EPIPE on the pipe, which would crash the caller.
    const child = spawn(program, args, { stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], cwd: opts.cwd });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    if (child.stdin) {
      // A tool may exit without reading its input; that is its answer, not our error.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
  });
}
