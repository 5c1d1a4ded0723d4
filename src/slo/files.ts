/** The file edge of the room: write rendered rule files, or compare them with what is on disk. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RenderedFile } from './render.js';

export function writeRuleFiles(dir: string, files: readonly RenderedFile[]): string[] {
  mkdirSync(dir, { recursive: true });
  return files.map((f) => {
    const path = join(dir, f.file);
    writeFileSync(path, f.content);
    return path;
  });
}

/** Files in `dir` whose content differs from the rendering (missing counts as stale). */
export function staleRuleFiles(dir: string, files: readonly RenderedFile[]): string[] {
  return files
    .filter((f) => {
      try {
        return readFileSync(join(dir, f.file), 'utf8') !== f.content;
      } catch {
        return true;
      }
    })
    .map((f) => f.file);
}
