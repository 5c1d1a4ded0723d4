/** The dashboards for a Grafana in the cluster: ConfigMaps labelled the way
 * kube-prometheus-stack's Grafana sidecars look for them (`grafana_dashboard`,
 * `grafana_datasource`), in the monitoring namespace where that Grafana runs
 * (the sidecars search their own namespace unless told otherwise). Pure. */
import type { BuiltDashboard } from '../grafana/index.js';
import { datasourceDocument, dashboardJson } from '../grafana/index.js';
import { stringify } from 'yaml';
import { PART_OF, type KubernetesOptions } from './conventions.js';

type Doc = Record<string, unknown>;

/** The labels and annotation the sidecars read (their chart defaults). */
export const GRAFANA_SIDECAR = {
  dashboardLabel: 'grafana_dashboard',
  datasourceLabel: 'grafana_datasource',
  folderAnnotation: 'grafana_folder',
} as const;

export function renderDashboardConfigMaps(dashboards: readonly BuiltDashboard[], o: KubernetesOptions): Doc[] {
  return dashboards.map((d) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: d.dashboard.uid ?? d.file.replace(/\.json$/, ''),
      namespace: o.monitoringNamespace,
      labels: { ...PART_OF, [GRAFANA_SIDECAR.dashboardLabel]: '1' },
      annotations: { [GRAFANA_SIDECAR.folderAnnotation]: 'mlmon' },
    },
    data: { [d.file]: dashboardJson(d.dashboard) },
  }));
}

/** The datasource the dashboards name, pointing at the cluster's Prometheus. */
export function renderDatasourceConfigMap(o: KubernetesOptions, scrapeInterval: string): Doc {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'mlmon-datasource',
      namespace: o.monitoringNamespace,
      labels: { ...PART_OF, [GRAFANA_SIDECAR.datasourceLabel]: '1' },
    },
    data: {
      'mlmon-datasource.yaml': stringify(datasourceDocument({ prometheusUrl: o.prometheusUrl, scrapeInterval }), { lineWidth: 0 }),
    },
  };
}
