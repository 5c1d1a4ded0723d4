/** The SLO catalog, read again when its file changes (a `mlmon reload` or
 * `mlmon generate` shows up without restarting the console). A file that stops
 * reading keeps the last good catalog. */
import { statSync } from 'node:fs';
import { loadSloCatalog, type SloCatalog } from './catalog.js';

export interface CatalogSource {
  current(): SloCatalog;
  /** The error of the newest catalog that failed to load, while the last good one is served. */
  lastError(): string | null;
}

/** `file()` is asked again at every read: the run directory's catalog appears
 * when a stack starts after the console. */
export function watchedCatalog(file: () => string, onError?: (message: string) => void): CatalogSource {
  let path = file();
  let catalog = loadSloCatalog(path);
  let stamp = stampOf(path);
  let error: string | null = null;
  return {
    current() {
      const now = file();
      const s = stampOf(now);
      if (now !== path || s !== stamp) {
        path = now;
        stamp = s;
        try {
          catalog = loadSloCatalog(now);
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

function stampOf(file: string): string {
  try {
    const st = statSync(file);
    return `${st.mtimeMs}:${st.size}:${st.ino}`;
  } catch {
    return 'missing';
  }
}
