import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this module holding package.json.
 * Works both from src/ (tsx, editors) and from the compiled dist/src/. */
function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'config'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`mlmon: cannot find the repository root above ${start}`);
    dir = up;
  }
}

export const repoRoot: string = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
export const configDir: string = join(repoRoot, 'config');
export const mlmonBin: string = join(repoRoot, 'bin', 'mlmon.js');

export function fromRepo(...parts: string[]): string {
  return resolve(repoRoot, ...parts);
}
