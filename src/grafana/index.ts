/** Grafana dashboards as code: every view of the console (SLOs, models) and of
 * the running parts (gateway, host, probes, the stack itself), built with
 * Grafana's typed builders from the same definitions, plus their provisioning. */
export { buildDashboards, dashboardJson, type BuiltDashboard, type DashboardSources } from './build.js';
export { BUILTIN_VARIABLES, CONSOLE_VARIABLE, DASHBOARD_TAG, DASHBOARD_UIDS, DASHBOARDS_HEADER, DATASOURCE_REF } from './conventions.js';
export { grafanaFiles, PROVISIONING_HEADER, type GrafanaFile } from './files.js';
export { dashboardProviderDocument, datasourceDocument, provisioningYaml, type DatasourceOptions } from './provisioning.js';
export { alertFactsOf, comparisonThreshold, type AlertFacts } from './rules.js';
export { dashboardSources, DEFAULT_CONSOLE_URL } from './sources.js';
export { registerGrafanaCommands } from './cli.js';
