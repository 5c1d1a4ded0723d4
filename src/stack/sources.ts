import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSloSpecFile, renderSloRuleFiles } from '../slo/index.js';
import { RULE_FILE, RULE_FILES } from '../definition/index.js';
import type { RenderedFile, RunSources } from './render.js';
import type { StackPaths, StackSettings } from '../definition/index.js';
import { alertmanagerSource } from './alertmanager-source.js';
import { scaleAlertingRulesForTest } from '../definition/index.js';

function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** Rule files for the run directory, read from the config folder. The test
 * profile regenerates the SLO rules from the spec with short periods instead of
 * copying the committed (production) ones. */
export function ruleSources(s: StackSettings): RenderedFile[] {
  const generated = new Map<string, string>();
  if (s.profile === 'test') {
    const spec = loadSloSpecFile(join(s.configDir, 'slos.yaml'));
    for (const f of renderSloRuleFiles(spec, { profile: 'test' })) generated.set(f.file, f.content);
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
  return {
    ruleFiles: ruleSources(s),
    alertmanager: await alertmanagerSource(s, p, opts),
    templates,
    blackboxYml: blackbox,
  };
}
