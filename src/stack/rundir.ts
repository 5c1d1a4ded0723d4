import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { MlmonError } from '../errors.js';
import { renderRunFiles, RUN_FILES, type RenderedFile } from './render.js';
import type { StackPaths, StackSettings } from '../definition/index.js';
import { readRunSources, type RunSourceOptions } from './sources.js';
import { formatCheckResults, validateConfigSet, type CheckResult } from './validate.js';

function relativeToCwd(path: string): string {
  const r = relative(process.cwd(), path);
  return r.startsWith('..') ? path : r;
}

function writeTree(root: string, files: RenderedFile[]): void {
  rmSync(root, { recursive: true, force: true });
  for (const f of files) {
    const path = join(root, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content, f.mode === undefined ? {} : { mode: f.mode });
  }
}

export function validateRunTree(root: string, files: RenderedFile[]): Promise<CheckResult[]> {
  const rules = files
    .filter((f) => f.path.startsWith('prometheus/') && !f.path.startsWith('prometheus/targets/') && f.path !== RUN_FILES.prometheusYml)
    .map((f) => join(root, f.path));
  return validateConfigSet(
    {
      prometheusYml: join(root, RUN_FILES.prometheusYml),
      ruleFiles: rules,
      alertmanagerYml: join(root, RUN_FILES.alertmanagerYml),
      blackboxYml: join(root, RUN_FILES.blackboxYml),
    },
    root,
  );
}

/** Renders the configuration for `s` into a staging folder, validates it with
 * promtool/amtool, and only then swaps it in as the run directory. A config
 * that fails validation leaves the running one untouched. */
export async function prepareRunDir(
  s: StackSettings,
  p: StackPaths,
  opts: RunSourceOptions = {},
): Promise<{ checks: CheckResult[]; notifications: string }> {
  let files: RenderedFile[];
  let notifications = '';
  try {
    const sources = await readRunSources(s, p, opts);
    notifications = sources.alertmanager.summary;
    files = renderRunFiles(s, sources);
  } catch (e) {
    if (e instanceof MlmonError) throw e;
    throw new MlmonError('render_failed', `cannot render the configuration: ${(e as Error).message}`);
  }
  const staging = `${p.runDir}.next`;
  writeTree(staging, files);
  // Rule files are copied verbatim from the config folder: report their errors
  // against the file the user edits, so file:line points at the right place.
  const userRules = join(s.configDir, 'prometheus');
  const results = (await validateRunTree(staging, files)).map((r) => ({
    ...r,
    file:
      r.file.startsWith('prometheus/') && r.check === 'promtool check rules'
        ? relativeToCwd(join(userRules, r.file.slice('prometheus/'.length)))
        : r.file === RUN_FILES.blackboxYml
          ? relativeToCwd(join(s.configDir, 'exporters', 'blackbox.yml'))
          : `${relativeToCwd(p.runDir)}/${r.file} (rendered)`,
    detail: r.detail.replaceAll(`${join(staging, 'prometheus')}/`, `${relativeToCwd(userRules)}/`),
  }));
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new MlmonError(
      'invalid_config',
      `the configuration is invalid; nothing was changed:\n${formatCheckResults(failed)
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n')}`,
      { hint: `fix the files under ${s.configDir} and try again` },
    );
  }
  const old = `${p.runDir}.prev`;
  rmSync(old, { recursive: true, force: true });
  if (existsSync(p.runDir)) renameSync(p.runDir, old);
  renameSync(staging, p.runDir);
  rmSync(old, { recursive: true, force: true });
  return { checks: results, notifications };
}
