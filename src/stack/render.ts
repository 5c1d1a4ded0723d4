import { join } from 'node:path';
import { ALERTMANAGER_CONFIG_FILE } from '../alerting/index.js';
import { renderBlackboxConfig, withStackProbeModule } from '../definition/index.js';
import { renderPrometheusConfig, RULE_FILES, RUN_SLO_CATALOG, scrapeJobs } from '../definition/index.js';
import type { StackSettings } from '../definition/index.js';
import { generatedYaml, RUN_HEADER, STACK_HEADER } from './yaml.js';

/** Where the programs' configuration files sit in a run directory: the
 * supervisor's command lines, the validation and the rendering all read these. */
export const RUN_FILES = {
  prometheusYml: 'prometheus/prometheus.yml',
  alertmanagerYml: `alertmanager/${ALERTMANAGER_CONFIG_FILE}`,
  alertmanagerTemplates: 'alertmanager/templates',
  blackboxYml: 'blackbox/blackbox.yml',
  /** The SLO catalog of the rules Prometheus runs (the console reads it). */
  sloCatalog: RUN_SLO_CATALOG,
} as const;

/** A file to write, relative to the folder it is rendered into. */
export interface RenderedFile {
  path: string;
  content: string;
  /** File mode, for files that hold a credential (default: the umask's). */
  mode?: number;
}

/** The Prometheus side of a config folder: prometheus.yml plus one file_sd file
 * per scrape job (pure). `customTargetsDir` is where the user's own target files live. */
export function renderPrometheusFiles(
  s: StackSettings,
  header: string,
  customTargetsDir: string,
  ruleFiles: readonly string[],
): RenderedFile[] {
  const files: RenderedFile[] = [
    { path: RUN_FILES.prometheusYml, content: generatedYaml(renderPrometheusConfig(s, { customTargetsDir, ruleFiles }), header) },
  ];
  for (const job of scrapeJobs(s)) {
    files.push({ path: `prometheus/targets/${job.job}.yml`, content: generatedYaml(job.targets, header) });
  }
  return files;
}

/** Files under config/ that `mlmon generate` owns for the stack definition (default settings). */
export function renderStackConfigFiles(s: StackSettings): RenderedFile[] {
  return [
    ...renderPrometheusFiles(s, STACK_HEADER, 'targets/custom', RULE_FILES),
    { path: 'exporters/blackbox.yml', content: generatedYaml(renderBlackboxConfig(), STACK_HEADER) },
  ];
}

/** Inputs read from the config folder that the run directory carries over. */
export interface RunSources {
  /** Rule files by name (recording_rules.yml, ...), already chosen for the profile. */
  ruleFiles: RenderedFile[];
  /** The SLO catalog the rule files were rendered from (the console reads it). */
  sloCatalog?: string;
  alertmanager: { text: string; secret: boolean; summary: string };
  /** Notification templates (file name -> text). */
  templates: RenderedFile[];
  blackboxYml: string;
}

/** Everything in a run directory (pure): paths relative to the run directory. */
export function renderRunFiles(s: StackSettings, src: RunSources): RenderedFile[] {
  const custom = join(s.configDir, 'prometheus', 'targets', 'custom');
  return [
    ...renderPrometheusFiles(
      s,
      RUN_HEADER,
      custom,
      src.ruleFiles.map((r) => r.path),
    ),
    ...src.ruleFiles.map((r) => ({ path: `prometheus/${r.path}`, content: r.content })),
    ...(src.sloCatalog !== undefined ? [{ path: RUN_FILES.sloCatalog, content: src.sloCatalog }] : []),
    {
      path: RUN_FILES.alertmanagerYml,
      content: src.alertmanager.text,
      // The heartbeat URL has no *_file field: a config holding it is owner-only.
      ...(src.alertmanager.secret ? { mode: 0o600 } : {}),
    },
    ...src.templates.map((t) => ({ path: `${RUN_FILES.alertmanagerTemplates}/${t.path}`, content: t.content })),
    { path: RUN_FILES.blackboxYml, content: withStackProbeModule(src.blackboxYml, s.access) },
  ];
}
