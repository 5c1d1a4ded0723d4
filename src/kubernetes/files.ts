import { stringify } from 'yaml';
import type { StackSettings } from '../definition/index.js';
import { renderAlertmanagerConfigResource } from './alertmanager-config.js';
import { DEFAULT_KUBERNETES_OPTIONS, KUBERNETES_HEADER, type KubernetesOptions } from './conventions.js';
import { renderPrometheusRule, type RuleFileText } from './prometheus-rule.js';
import { renderServiceMonitors } from './service-monitor.js';

export interface ManifestFile {
  /** Relative to the repository root. */
  path: string;
  content: string;
}

export const MANIFEST_DIR = 'deploy/kubernetes';

function manifests(docs: unknown[], header: string): string {
  const body = docs.map((d) => stringify(d, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
  return `# ${header}\n${body}`;
}

/** Every manifest for prometheus-operator / kube-prometheus-stack (pure):
 * one PrometheusRule per rule file, the ServiceMonitors, the AlertmanagerConfig. */
export function kubernetesFiles(
  s: StackSettings,
  ruleFiles: readonly RuleFileText[],
  opts: KubernetesOptions = DEFAULT_KUBERNETES_OPTIONS,
  header: string = KUBERNETES_HEADER,
): ManifestFile[] {
  return [
    ...ruleFiles.map((f) => ({
      path: `${MANIFEST_DIR}/prometheusrule-${f.name.replace(/\.ya?ml$/, '').replace(/_/g, '-')}.yaml`,
      content: manifests([renderPrometheusRule(f, opts)], header),
    })),
    { path: `${MANIFEST_DIR}/servicemonitors.yaml`, content: manifests(renderServiceMonitors(s, opts), header) },
    { path: `${MANIFEST_DIR}/alertmanagerconfig.yaml`, content: manifests([renderAlertmanagerConfigResource(opts)], header) },
  ];
}
