/** Static files of the pages: the stylesheet under src/console/public, the page
 * scripts compiled from the TypeScript beside it (tsconfig.browser.json, into
 * dist/browser/public), and uPlot's dist files straight from node_modules (no
 * CDN). Read once at start. */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { MlmonError } from '../errors.js';
import { fromRepo } from '../paths.js';
import { PAGE_NAMES } from './pages.js';

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

/** The stylesheet and images, served as they are. */
export const PUBLIC_DIR = fromRepo('src', 'console', 'public');
/** The page scripts: `npm run build` compiles them from PUBLIC_DIR's TypeScript. */
export const SCRIPTS_DIR = fromRepo('dist', 'browser', 'public');
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

function filesOf(dir: string, extensions: readonly string[]): string[] {
  return readdirSync(dir).filter((name) => extensions.includes(extname(name)));
}

/** URL path under /assets/ → file. Refuses to start without the compiled page
 * scripts: a console whose pages stay on "Loading…" would hide the cause. */
export function loadAssets(): Map<string, Asset> {
  const out = new Map<string, Asset>();
  for (const name of filesOf(PUBLIC_DIR, ['.css', '.svg', '.ico'])) out.set(name, asset(join(PUBLIC_DIR, name)));
  const scripts = existsSync(SCRIPTS_DIR) ? filesOf(SCRIPTS_DIR, ['.js']) : [];
  const missing = PAGE_NAMES.map((page) => `${page}.js`).filter((name) => !scripts.includes(name));
  if (missing.length > 0) {
    throw new MlmonError('console_not_built', `the console's page scripts are not built (${missing.join(', ')} missing)`, {
      location: SCRIPTS_DIR,
      hint: 'Run `npm run build` (or scripts/setup.sh), which compiles them with tsconfig.browser.json.',
    });
  }
  for (const name of scripts) out.set(name, asset(join(SCRIPTS_DIR, name)));
  for (const name of UPLOT_FILES) out.set(`uplot/${name}`, asset(join(UPLOT_DIR, name)));
  return out;
}
