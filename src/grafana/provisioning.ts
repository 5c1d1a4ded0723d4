/** Grafana provisioning of the stack: the Prometheus datasource under the
 * dashboards' fixed uid, with the stack's login read from Grafana's
 * environment, and a file provider for the generated dashboards. Pure. */
import { stringify } from 'yaml';
import { GRAFANA } from '../definition/index.js';
import { CONTAINER_ACCESS } from '../container/index.js';

export interface DatasourceOptions {
  /** Prometheus as Grafana's server reaches it. */
  prometheusUrl: string;
  /** Basic auth of a protected Prometheus: the user, and the password as
   * `$VARIABLE` or `$__file{/path}` (Grafana expands both in provisioning files,
   * so no secret is written into them). */
  auth?: { username: string; password: string };
  /** The CA certificate of a Prometheus served over HTTPS. */
  caFile?: string;
  /** Prometheus's scrape interval: Grafana's `$__rate_interval` needs it. */
  scrapeInterval: string;
}

export function datasourceDocument(o: DatasourceOptions): Record<string, unknown> {
  return {
    apiVersion: 1,
    datasources: [
      {
        name: GRAFANA.datasource.name,
        uid: GRAFANA.datasource.uid,
        type: GRAFANA.datasource.type,
        access: 'proxy',
        url: o.prometheusUrl,
        isDefault: true,
        editable: false,
        basicAuth: o.auth !== undefined,
        ...(o.auth ? { basicAuthUser: o.auth.username } : {}),
        jsonData: {
          httpMethod: 'POST',
          timeInterval: o.scrapeInterval,
          prometheusType: 'Prometheus',
          ...(o.caFile ? { tlsAuthWithCACert: true } : {}),
        },
        ...(o.auth || o.caFile
          ? {
              secureJsonData: {
                ...(o.auth ? { basicAuthPassword: o.auth.password } : {}),
                ...(o.caFile ? { tlsCACert: `$__file{${o.caFile}}` } : {}),
              },
            }
          : {}),
      },
    ],
  };
}

/** The compose stack's datasource: Prometheus by its service name on the
 * compose network, with the stack's login, whose password Grafana reads from
 * the login folder mounted into its container (no secret in this file). */
export function composeDatasource(prometheusPort: number, scrapeInterval: string): DatasourceOptions {
  return {
    prometheusUrl: `http://prometheus:${prometheusPort}`,
    scrapeInterval,
    auth: { username: CONTAINER_ACCESS.username, password: `$__file{${CONTAINER_ACCESS.passwordFile}}` },
  };
}

export function dashboardProviderDocument(path: string = GRAFANA.dashboardsMount): Record<string, unknown> {
  return {
    apiVersion: 1,
    providers: [
      {
        name: 'mlmon',
        orgId: 1,
        folder: GRAFANA.folder,
        type: 'file',
        // The files are generated: edits in the UI would be lost at the next provisioning.
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 30,
        options: { path, foldersFromFilesStructure: false },
      },
    ],
  };
}

export function provisioningYaml(header: string, doc: Record<string, unknown>): string {
  return `# ${header}\n${stringify(doc, { lineWidth: 0 })}`;
}
