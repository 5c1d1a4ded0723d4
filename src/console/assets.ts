/** Static files of the pages: our own under src/console/public, and uPlot's
 * dist files straight from node_modules (no CDN). Read once at start. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fromRepo } from '../paths.js';

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

export const PUBLIC_DIR = fromRepo('src', 'console', 'public');
export const UPLOT_DIR = fromRepo('node_modules', 'uplot', 'dist');
/** uPlot files served under /assets/uplot/. */
export const UPLOT_FILES = ['uPlot.iife.min.js', 'uPlot.min.css'] as const;

function asset(path: string): Asset {
  const body = readFileSync(path);
  return {
    body,
    type: TYPES[extname(path)] ?? 'application/octet-stream',
    etag: `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`,
  };
}

/** URL path under /assets/ → file. */
export function loadAssets(): Map<string, Asset> {
  const out = new Map<string, Asset>();
  for (const name of readdirSync(PUBLIC_DIR)) {
    if (TYPES[extname(name)]) out.set(name, asset(join(PUBLIC_DIR, name)));
  }
  for (const name of UPLOT_FILES) out.set(`uplot/${name}`, asset(join(UPLOT_DIR, name)));
  return out;
}
