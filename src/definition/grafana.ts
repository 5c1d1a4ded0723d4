/** Grafana beside the stack: the names the dashboards, their provisioning, the
 * compose file and the Kubernetes bundle share, defined once. */

export const GRAFANA = {
  /** Grafana's own default port, published on loopback (compose) or behind a Service. */
  port: 3000,
  /** Pinned release the dashboards are built for (the foundation SDK and the
   * vendored dashboard schema are of the same 11.6 line). */
  image: 'grafana/grafana:11.6.0',
  /** The Grafana image's own non-root user (uid 472, group root). */
  uid: 472,
  /** The Prometheus datasource every panel names, by a uid fixed here so the
   * dashboards resolve it in any Grafana that provisions it. */
  datasource: { uid: 'mlmon-prometheus', type: 'prometheus', name: 'mlmon Prometheus' },
  /** Uid of the dashboard Grafana opens first (the SLO overview). */
  homeDashboardUid: 'mlmon-slo-overview',
  /** Folder the dashboards land in. */
  folder: 'mlmon',
  /** Inside the container: Grafana reads provisioning from here by default. */
  provisioningMount: '/etc/grafana/provisioning',
  /** Inside the container: where the provider reads the dashboard files. */
  dashboardsMount: '/var/lib/grafana/dashboards/mlmon',
} as const;

/** In the repository: generated dashboards and provisioning. */
export const GRAFANA_DIRS = {
  dashboards: 'config/grafana/dashboards',
  provisioning: 'config/grafana/provisioning',
} as const;
