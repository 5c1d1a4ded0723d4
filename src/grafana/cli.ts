import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { dataDirFrom, GRAFANA, GRAFANA_DIRS, readState, stackPaths, urlOf } from '../definition/index.js';
import { MlmonError } from '../errors.js';
import { repoRoot } from '../paths.js';
import { dashboardProviderDocument, datasourceDocument, provisioningYaml } from './provisioning.js';

const HEADER = 'Written by `mlmon grafana --out`: provisioning for your own Grafana, pointing at a running mlmon stack.';

/** `mlmon grafana`: how a Grafana of one's own shows the dashboards of a
 * running native stack (datasource with the stack's login, dashboards folder),
 * and with --out the provisioning files that do it. */
export function registerGrafanaCommands(program: Command): void {
  program
    .command('grafana')
    .description('use the generated dashboards from your own Grafana: the datasource to add and where the dashboards are')
    .option('--data-dir <dir>', 'data directory of the running stack (default ./data or MLMON_DATA_DIR)')
    .option('-o, --out <dir>', 'write Grafana provisioning files (datasources/, dashboards/) into this folder')
    .action((o: { dataDir?: string; out?: string }) => {
      const dataDir = dataDirFrom(o.dataDir);
      const st = readState(stackPaths(dataDir).stateFile);
      if (!st) {
        throw new MlmonError('no-stack', `no stack state in ${dataDir}`, {
          hint: 'Start the stack with `mlmon up` first, or pass --data-dir.',
        });
      }
      const access = st.settings.access;
      const prometheusUrl = urlOf(st.settings, 'prometheus');
      const dashboards = resolve(repoRoot, GRAFANA_DIRS.dashboards);
      const lines = [
        'Add a Prometheus datasource to your Grafana:',
        `  uid:       ${GRAFANA.datasource.uid}   (the dashboards name it; keep it exactly)`,
        `  URL:       ${prometheusUrl}`,
        ...(access
          ? [`  basic auth user:     ${access.username}`, `  basic auth password: the content of ${access.passwordFile}`]
          : ['  no authentication (this stack runs without credentials)']),
        ...(access?.tls ? [`  TLS: trust the CA certificate ${access.tls.certFile}`] : []),
        '',
        `Then import the dashboards (Dashboards > New > Import, one JSON file each) from ${dashboards},`,
        'or let Grafana load them: `mlmon grafana --out /etc/grafana/provisioning` writes both provisioning files.',
        '',
        `Grafana's server must reach ${prometheusUrl}: the stack listens on ${st.settings.host} only.`,
      ];
      if (o.out) {
        const ds = datasourceDocument({
          prometheusUrl,
          // Grafana reads the password from the stack's owner-only file at provisioning time.
          ...(access ? { auth: { username: access.username, password: `$__file{${access.passwordFile}}` } } : {}),
          ...(access?.tls ? { caFile: access.tls.certFile } : {}),
          scrapeInterval: st.settings.scrapeInterval,
        });
        mkdirSync(join(o.out, 'datasources'), { recursive: true });
        mkdirSync(join(o.out, 'dashboards'), { recursive: true });
        // No secret inside: the datasource names the password file, Grafana reads it.
        writeFileSync(join(o.out, 'datasources', 'mlmon.yaml'), provisioningYaml(HEADER, ds), { mode: 0o644 });
        writeFileSync(join(o.out, 'dashboards', 'mlmon.yaml'), provisioningYaml(HEADER, dashboardProviderDocument(dashboards)), {
          mode: 0o644,
        });
        lines.push('', `wrote ${join(o.out, 'datasources', 'mlmon.yaml')} and ${join(o.out, 'dashboards', 'mlmon.yaml')}`);
        if (access) lines.push(`Grafana's user must be able to read ${access.passwordFile} (owner-only now).`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
