/** Kubernetes (prometheus-operator) manifests from the same rules, scrape
 * jobs and routing as the native and compose stacks. */
export { API, DEFAULT_KUBERNETES_OPTIONS, EXPORTER_SECRET_KEY, SECRET_KEYS, type KubernetesOptions } from './conventions.js';
export { renderPrometheusRule, ruleResourceName, type RuleFileText } from './prometheus-rule.js';
export { METRICS_PORT_NAME, MONITORED, renderServiceMonitors } from './service-monitor.js';
export { parseMatcher, renderAlertmanagerConfigResource, type K8sMatcher } from './alertmanager-config.js';
export { kubernetesFiles, KUSTOMIZATION_FILE, MANIFEST_DIR, type ManifestFile } from './files.js';
export { EXPORTER_STATE_CLAIM, WORKLOADS, renderDeployments, renderNetworkPolicies, renderServices, type Workload } from './workloads.js';
export { GRAFANA_SIDECAR } from './grafana.js';
export { stringifyYaml11, yaml11Ambiguous } from './yaml11.js';
export { kubernetesRuleSources } from './sources.js';
export {
  dns1123LabelProblem,
  kubernetesOptionsFrom,
  labelKeyProblem,
  labelValueProblem,
  parseSelectorLabel,
  type KubernetesFlags,
} from './options.js';
export { registerKubernetesCommands, renderHeader } from './cli.js';
