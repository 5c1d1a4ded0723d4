/** The SLO catalog, re-read when slos.yaml changes so a `mlmon generate` shows up
 * without restarting the console. A spec that stops validating keeps the last good one. */
import { statSync } from 'node:fs';
import type { Profile } from '../definition/index.js';
import { loadSloCatalog, type SloCatalog } from './catalog.js';

export interface CatalogSource {
  current(): SloCatalog;
  /** The error of the newest spec that failed to load, while the last good one is served. */
  lastError(): string | null;
}

export function watchedCatalog(configDir: string, profile: Profile, onError?: (message: string) => void): CatalogSource {
  let catalog = loadSloCatalog(configDir, profile);
  let mtime = mtimeOf(catalog.specFile);
  let error: string | null = null;
  return {
    current() {
      const m = mtimeOf(catalog.specFile);
      if (m !== mtime) {
        mtime = m;
        try {
          catalog = loadSloCatalog(configDir, profile);
          error = null;
        } catch (e) {
          error = (e as { format?: () => string }).format?.() ?? (e as Error).message;
          onError?.(error);
        }
      }
      return catalog;
    },
    lastError: () => error,
  };
}

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}
