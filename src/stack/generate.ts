import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderDefaultAlertmanagerConfig } from '../alerting/index.js';
import { repoRoot } from '../paths.js';
import { loadSloSpecFile, renderSloRuleFiles } from '../slo/index.js';
import { containerFiles } from '../container/index.js';
import { kubernetesFiles, kubernetesRuleSources } from '../kubernetes/index.js';
import { dashboardSources, grafanaFiles } from '../grafana/index.js';
import { renderStackConfigFiles, type RenderedFile } from './render.js';
import { defaultSettings, renderServiceRecordingRules, RULE_FILE } from '../definition/index.js';
import { ADMIN_PASSWORD_FILE, DEFAULT_ADMIN_USER, WEB_CONFIG_FILE } from '../upstream/index.js';

/** Every committed generated file, by its path relative to the repository (pure
 * but for reading the specs it is generated from). */
export function generatedFiles(): RenderedFile[] {
  const s = defaultSettings({ dataDir: join(repoRoot, 'data') });
  return [
    // The committed config shows what `mlmon up` runs with the default data
    // directory, credentials included (paths relative to config/prometheus/).
    ...renderStackConfigFiles({
      ...s,
      access: {
        username: DEFAULT_ADMIN_USER,
        passwordFile: `../../data/secrets/${ADMIN_PASSWORD_FILE}`,
        webConfigFile: `../../data/secrets/${WEB_CONFIG_FILE}`,
      },
    }).map((f) => ({ path: `config/${f.path}`, content: f.content })),
    { path: 'config/alertmanager/alertmanager.yml', content: renderDefaultAlertmanagerConfig() },
    // HTTP RED and container series, from the stack definition.
    { path: `config/prometheus/${RULE_FILE.serviceRecording}`, content: renderServiceRecordingRules() },
    // SLO recording and burn-rate rules (and the catalog the console reads) from config/slos.yaml.
    ...renderSloRuleFiles(loadSloSpecFile(join(repoRoot, 'config', 'slos.yaml')), { profile: 'production' }).map((f) => ({
      path: `config/prometheus/${f.file}`,
      content: f.content,
    })),
    // Container mode and Kubernetes manifests, from the same definitions.
    ...containerFiles(),
    ...kubernetesFiles(
      s,
      kubernetesRuleSources(join(repoRoot, 'config')),
      undefined,
      undefined,
      dashboardSources(join(repoRoot, 'config')),
    ),
    // Grafana dashboards and the compose stack's provisioning, from the same definitions.
    ...grafanaFiles(dashboardSources(join(repoRoot, 'config')), s),
  ];
}

/** Committed generated files whose content differs from the generator's output. */
export function staleGeneratedFiles(root = repoRoot): string[] {
  return generatedFiles()
    .filter((f) => {
      const p = join(root, f.path);
      return !existsSync(p) || readFileSync(p, 'utf8') !== f.content;
    })
    .map((f) => f.path);
}

export function writeGeneratedFiles(root = repoRoot): string[] {
  const changed: string[] = [];
  for (const f of generatedFiles()) {
    const p = join(root, f.path);
    if (existsSync(p) && readFileSync(p, 'utf8') === f.content) continue;
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.content);
    changed.push(f.path);
  }
  return changed;
}
