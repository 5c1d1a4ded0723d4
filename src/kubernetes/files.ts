import type { StackSettings } from '../definition/index.js';
import { buildDashboards, type DashboardSources } from '../grafana/index.js';
import { renderAlertmanagerConfigResource } from './alertmanager-config.js';
import { DEFAULT_KUBERNETES_OPTIONS, KUBERNETES_HEADER, type KubernetesOptions } from './conventions.js';
import { renderDashboardConfigMaps, renderDatasourceConfigMap } from './grafana.js';
import { renderPrometheusRule, type RuleFileText } from './prometheus-rule.js';
import { renderServiceMonitors } from './service-monitor.js';
import {
  renderDeployments,
  renderNetworkPolicies,
  renderPersistentVolumeClaims,
  renderServiceAccounts,
  renderServices,
} from './workloads.js';
import { stringifyYaml11 } from './yaml11.js';

export interface ManifestFile {
  /** Relative to the repository root. */
  path: string;
  content: string;
}

export const MANIFEST_DIR = 'deploy/kubernetes';
export const KUSTOMIZATION_FILE = 'kustomization.yaml';

function manifests(docs: unknown[], header: string): string {
  return `# ${header}\n${docs.map(stringifyYaml11).join('---\n')}`;
}

/** The whole bundle (pure): what runs the gateway, the exporter, the console
 * and the sink; the prometheus-operator resources that monitor them (one
 * PrometheusRule per rule file, the ServiceMonitors, the AlertmanagerConfig);
 * the Grafana dashboards and datasource as sidecar ConfigMaps; and a
 * kustomization naming every file, so `kubectl apply -k` applies it all. */
export function kubernetesFiles(
  s: StackSettings,
  ruleFiles: readonly RuleFileText[],
  opts: KubernetesOptions = DEFAULT_KUBERNETES_OPTIONS,
  header: string = KUBERNETES_HEADER,
  dashboards?: DashboardSources,
): ManifestFile[] {
  const file = (name: string, docs: unknown[]) => ({ path: `${MANIFEST_DIR}/${name}`, content: manifests(docs, header) });
  const files: ManifestFile[] = [
    file('serviceaccounts.yaml', renderServiceAccounts(opts)),
    file('persistentvolumeclaims.yaml', renderPersistentVolumeClaims(opts)),
    file('deployments.yaml', renderDeployments(opts)),
    file('services.yaml', renderServices(opts)),
    file('networkpolicies.yaml', renderNetworkPolicies(opts)),
    ...ruleFiles.map((f) =>
      file(`prometheusrule-${f.name.replace(/\.ya?ml$/, '').replace(/_/g, '-')}.yaml`, [renderPrometheusRule(f, opts)]),
    ),
    file('servicemonitors.yaml', renderServiceMonitors(s, opts)),
    file('alertmanagerconfig.yaml', [renderAlertmanagerConfigResource(opts)]),
    ...(dashboards
      ? [
          file('grafana-dashboards.yaml', renderDashboardConfigMaps(buildDashboards({ ...dashboards, consoleUrl: opts.consoleUrl }), opts)),
          file('grafana-datasource.yaml', [renderDatasourceConfigMap(opts, s.scrapeInterval)]),
        ]
      : []),
  ];
  // No `namespace:` here: the Grafana ConfigMaps live in the monitoring namespace, the rest in ours.
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: files.map((f) => f.path.slice(MANIFEST_DIR.length + 1)),
  };
  return [...files, file(KUSTOMIZATION_FILE, [kustomization])];
}
