import { relative } from 'node:path';
import { requireProgram, runTool } from '../definition/index.js';

export interface CheckResult {
  file: string;
  check: string;
  ok: boolean;
  /** What the tool said, trimmed to the lines that matter. */
  detail: string;
}

export interface ConfigSet {
  prometheusYml: string;
  ruleFiles: string[];
  alertmanagerYml: string;
  blackboxYml?: string;
}

/** The useful part of a checker's output: its error lines, without banners,
 * amtool's inventory, or the info lines of a Go program's log. */
export function summarizeToolOutput(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim().replace(/^FAILED:\s*/, ''))
    .filter((l) => l && !/^Checking\b/.test(l) && !/^SUCCESS\b/.test(l))
    .filter((l) => l !== 'Found:' && !/^- /.test(l) && !/^amtool: error: failed to validate/.test(l))
    .filter((l) => !/\blevel=(info|debug)\b/.test(l))
    // logfmt error lines: keep what went wrong, not the timestamp and caller.
    .map((l) => {
      const err = /\berr="((?:[^"\\]|\\.)*)"/.exec(l);
      const msg = /\bmsg="((?:[^"\\]|\\.)*)"/.exec(l);
      return err ? `${msg ? `${msg[1]}: ` : ''}${err[1]}` : l;
    });
  // promtool warns about file_sd globs that match no file yet: not an error.
  const errors = lines.filter((l) => !/^WARNING:/.test(l));
  // promtool check rules writes a YAML error twice: say it once.
  return [...new Set(errors.length > 0 ? errors : lines)].join('; ');
}

/** Runs promtool, amtool and the blackbox exporter's own check on a set of files. */
export async function validateConfigSet(set: ConfigSet, base = process.cwd()): Promise<CheckResult[]> {
  const promtool = requireProgram(['promtool'], 'promtool');
  const amtool = requireProgram(['amtool'], 'amtool');
  const show = (f: string) => {
    const r = relative(base, f);
    return r.startsWith('..') ? f : r;
  };
  const results: CheckResult[] = [];
  const run = async (file: string, check: string, program: string, args: string[]) => {
    const r = await runTool(program, args);
    const out = summarizeToolOutput(`${r.stdout}\n${r.stderr}`);
    results.push({ file: show(file), check, ok: r.code === 0, detail: r.code === 0 ? '' : out || `exit code ${r.code}` });
  };
  // --syntax-only: the rule files get their own line below, so an error in one is reported once.
  await run(set.prometheusYml, 'promtool check config', promtool, ['check', 'config', '--syntax-only', set.prometheusYml]);
  for (const f of set.ruleFiles) await run(f, 'promtool check rules', promtool, ['check', 'rules', f]);
  await run(set.alertmanagerYml, 'amtool check-config', amtool, ['check-config', set.alertmanagerYml]);
  if (set.blackboxYml) {
    const bb = requireProgram(['prometheus-blackbox-exporter', 'blackbox_exporter'], 'blackbox exporter');
    await run(set.blackboxYml, 'blackbox_exporter --config.check', bb, ['--config.check', `--config.file=${set.blackboxYml}`]);
  }
  return results;
}

export function formatCheckResults(results: CheckResult[]): string {
  return results.map((r) => (r.ok ? `ok    ${r.file}  (${r.check})` : `FAIL  ${r.file}  (${r.check}): ${r.detail}`)).join('\n');
}
