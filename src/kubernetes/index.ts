/** Kubernetes (prometheus-operator) manifests from the same rules, scrape
 * jobs and routing as the native and compose stacks. */
export { API, DEFAULT_KUBERNETES_OPTIONS, SECRET_KEYS, type KubernetesOptions } from './conventions.js';
export { renderPrometheusRule, ruleResourceName, type RuleFileText } from './prometheus-rule.js';
export { METRICS_PORT_NAME, MONITORED, renderServiceMonitors } from './service-monitor.js';
export { parseMatcher, renderAlertmanagerConfigResource, type K8sMatcher } from './alertmanager-config.js';
export { kubernetesFiles, MANIFEST_DIR, type ManifestFile } from './files.js';
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
