import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { configDir } from '../paths.js';
import { MlmonError } from '../errors.js';
import {
  buildSloModels,
  CATALOG_FILE,
  CATCH_UP_SECONDS,
  loadSloSpecFile,
  MIN_SCRAPES_PER_WINDOW,
  renderSloRuleFiles,
  secondsText,
  type RenderedFile as SloFile,
} from '../slo/index.js';
import { RULE_FILE, RULE_FILES } from '../definition/index.js';
import type { RenderedFile, RunSources } from './render.js';
import type { StackPaths, StackSettings } from '../definition/index.js';
import { alertmanagerSource } from './alertmanager-source.js';
import { scaleAlertingRulesForTest } from '../definition/index.js';
import { parseDuration } from '../duration.js';

function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

function shown(path: string): string {
  const r = relative(process.cwd(), path);
  return r.startsWith('..') ? path : r;
}

/** The SLO files for the run directory: rendered from the spec in the test
 * profile; in production, the committed files, which must be exactly what the
 * spec renders (a spec edited without `mlmon generate` would otherwise be shown
 * by the console while Prometheus runs the old rules). Undefined without a spec. */
function sloFiles(s: StackSettings): SloFile[] | undefined {
  const specFile = join(s.configDir, 'slos.yaml');
  if (!existsSync(specFile)) return undefined;
  const spec = loadSloSpecFile(specFile);
  const rendered = renderSloRuleFiles(spec, { profile: s.profile });
  checkSloFitsStack(s, spec);
  if (s.profile === 'test') return rendered;
  const dir = join(s.configDir, 'prometheus');
  const stale = rendered.filter((f) => readIfExists(join(dir, f.file)) !== f.content).map((f) => shown(join(dir, f.file)));
  if (stale.length > 0) {
    const generate =
      resolve(s.configDir) === resolve(configDir)
        ? '`mlmon generate`'
        : `\`mlmon slo rules --spec ${shown(specFile)} --out ${shown(dir)}\``;
    throw new MlmonError(
      'slo_rules_stale',
      `${stale.join(', ')} ${stale.length === 1 ? 'is' : 'are'} stale against ${shown(specFile)}; nothing was changed`,
      {
        hint: `Run ${generate} (it renders them from the spec), review the diff, and run this again.`,
      },
    );
  }
  return rendered;
}

/** The SLO windows against the stack's scrape interval and retention: a rate()
 * window needs several scrapes, and the period's events are the difference of
 * two counts, the older one a period (plus the catch-up horizon) back. */
function checkSloFitsStack(s: StackSettings, spec: ReturnType<typeof loadSloSpecFile>): void {
  const slos = buildSloModels(spec, s.profile);
  const scrape = parseDuration(s.scrapeInterval, 'scrape interval') / 1000;
  for (const slo of slos) {
    const raw = [slo.windows.tile, ...slo.windows.windows].filter((w) => w.source === 'raw');
    const shortest = raw.reduce((a, b) => (b.seconds < a.seconds ? b : a), raw[0] ?? slo.windows.tile);
    if (shortest.seconds < MIN_SCRAPES_PER_WINDOW * scrape) {
      throw new MlmonError(
        'slo_window_too_short',
        `the ${slo.name} SLO of ${slo.service} reads a ${shortest.name} window, which holds fewer than ${MIN_SCRAPES_PER_WINDOW} scrapes at a scrape interval of ${s.scrapeInterval}`,
        { hint: `Scrape every ${secondsText(Math.floor(shortest.seconds / MIN_SCRAPES_PER_WINDOW))} or more often (--scrape-interval).` },
      );
    }
  }
  const retention = parseDuration(s.retentionTime, 'retention time') / 1000;
  const longest = slos.reduce((a, b) => Math.max(a, b.windows.period.seconds), 0);
  if (longest + CATCH_UP_SECONDS > retention) {
    throw new MlmonError(
      'slo_period_beyond_retention',
      `an SLO period of ${secondsText(longest)} needs ${secondsText(longest + CATCH_UP_SECONDS)} of data, but Prometheus keeps ${s.retentionTime}`,
      { hint: 'Shorten the period in config/slos.yaml or keep data longer.' },
    );
  }
}

/** Rule files for the run directory, read from the config folder. The test
 * profile regenerates the SLO rules from the spec with short periods instead of
 * copying the committed (production) ones. */
export function ruleSources(s: StackSettings, slo: SloFile[] | undefined = sloFiles(s)): RenderedFile[] {
  const generated = new Map<string, string>();
  for (const f of slo ?? []) generated.set(f.file, f.content);
  if (s.profile === 'test') {
    // The hand-written alerts get the same treatment: their for: and windows shrink with the period.
    const alerting = readIfExists(join(s.configDir, 'prometheus', RULE_FILE.alerting));
    if (alerting !== undefined) generated.set(RULE_FILE.alerting, scaleAlertingRulesForTest(alerting));
  }
  const out: RenderedFile[] = [];
  for (const name of RULE_FILES) {
    const text = generated.get(name) ?? readIfExists(join(s.configDir, 'prometheus', name));
    if (text !== undefined) out.push({ path: name, content: text });
  }
  return out;
}

export interface RunSourceOptions {
  /** A reload: notification credentials fall back on those the stack started with. */
  reload?: boolean;
  /** The whole environment to take notification credentials from (tests); by
   * default the process's, with the .env beside the configuration folder. */
  env?: NodeJS.ProcessEnv;
}

/** Everything the run directory carries over from the config folder (reads files). */
export async function readRunSources(s: StackSettings, p: StackPaths, opts: RunSourceOptions = {}): Promise<RunSources> {
  const templatesDir = join(s.configDir, 'alertmanager', 'templates');
  const templates = existsSync(templatesDir)
    ? readdirSync(templatesDir)
        .filter((f) => f.endsWith('.tmpl'))
        .sort()
        .map((f) => ({ path: f, content: readFileSync(join(templatesDir, f), 'utf8') }))
    : [];
  const blackbox = readIfExists(join(s.configDir, 'exporters', 'blackbox.yml'));
  if (blackbox === undefined) throw new Error(`missing ${join(s.configDir, 'exporters', 'blackbox.yml')}; run mlmon generate`);
  const slo = sloFiles(s);
  const catalog = slo?.find((f) => f.file === CATALOG_FILE);
  return {
    ruleFiles: ruleSources(s, slo),
    ...(catalog ? { sloCatalog: catalog.content } : {}),
    alertmanager: await alertmanagerSource(s, p, opts),
    templates,
    blackboxYml: blackbox,
  };
}
