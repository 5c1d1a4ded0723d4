import type { Command } from 'commander';
import { MlmonError } from '../errors.js';
import { configDir as repoConfigDir } from '../paths.js';
import { defaultSettings, DEFAULT_PORTS, urlOf } from '../definition/index.js';
import { DEFAULT_REFRESH_SECONDS, startConsole } from './server.js';
import { dataDirOption, loginOptions, resolveLogin, serveCommand } from '../commandline/index.js';

function port(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new MlmonError('bad_flag', `--port must be a port number, got "${text}"`);
  return n;
}

interface ServeConsoleFlags {
  host: string;
  port: string;
  dataDir: string;
  configDir: string;
  prometheus: string;
  alertmanager: string;
  sink?: string;
  prometheusPublicUrl?: string;
  alertmanagerPublicUrl?: string;
  sloCatalog?: string;
  refresh: string;
  logLevel: string;
  allowedHost: string[];
  loginDir?: string;
  requireLogin?: boolean;
}

/** The console room's command: `serve console`. */
export function registerConsoleCommands(program: Command): void {
  const s = defaultSettings();
  // `serve` may already exist (other rooms serve their components through it too).
  const serve = serveCommand(program);
  const cmd = dataDirOption(
    serve
      .command('console')
      .description('run the mlmon web console in the foreground (SLOs, model health, alerts); SIGTERM/SIGINT stop it')
      .option('--host <host>', 'address to bind', '127.0.0.1')
      .option('--port <port>', 'port to listen on', String(DEFAULT_PORTS.console)),
    'stack data directory (the SLO catalog of its running rules, model registry)',
  );
  loginOptions(cmd)
    .option(
      '--config-dir <dir>',
      'configuration folder (its prometheus/slo_catalog.json is read when the data directory has no running stack)',
      repoConfigDir,
    )
    .option('--slo-catalog <file>', 'SLO catalog to read instead (slo_catalog.json, written by mlmon generate beside the rule files)')
    .option('--prometheus <url>', 'Prometheus base URL', urlOf(s, 'prometheus'))
    .option('--alertmanager <url>', 'Alertmanager base URL', urlOf(s, 'alertmanager'))
    .option('--sink <url>', 'notification sink base URL (notifications panel)')
    .option('--prometheus-public-url <url>', 'Prometheus URL for links opened in the browser (default --prometheus)')
    .option('--alertmanager-public-url <url>', 'Alertmanager URL for links opened in the browser (default --alertmanager)')
    .option(
      '--allowed-host <name>',
      'another host name the console answers to, e.g. behind a proxy (repeatable)',
      (v: string, p: string[]) => [...p, v],
      [] as string[],
    )
    .option('--refresh <seconds>', 'page refresh interval', String(DEFAULT_REFRESH_SECONDS))
    .option('--log-level <level>', 'pino log level', process.env.MLMON_LOG_LEVEL ?? 'info')
    .action(async (opts: ServeConsoleFlags) => {
      const refresh = Number(opts.refresh);
      if (!Number.isFinite(refresh) || refresh < 1)
        throw new MlmonError('bad_flag', `--refresh must be a number of seconds ≥ 1, got "${opts.refresh}"`);
      const credentials = resolveLogin(opts, 'console');
      const server = await startConsole({
        host: opts.host,
        port: port(opts.port),
        prometheusUrl: opts.prometheus,
        alertmanagerUrl: opts.alertmanager,
        ...(opts.sink ? { sinkUrl: opts.sink } : {}),
        ...(opts.prometheusPublicUrl ? { prometheusPublicUrl: opts.prometheusPublicUrl } : {}),
        ...(opts.alertmanagerPublicUrl ? { alertmanagerPublicUrl: opts.alertmanagerPublicUrl } : {}),
        configDir: opts.configDir,
        dataDir: opts.dataDir,
        ...(opts.sloCatalog ? { sloCatalogFile: opts.sloCatalog } : {}),
        refreshSeconds: refresh,
        // Prometheus and Alertmanager of the stack demand its admin credentials.
        auth: credentials,
        login: credentials,
        allowedHosts: opts.allowedHost,
        log: { level: opts.logLevel },
      }).catch((e: unknown) => {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') {
          throw new MlmonError('port_busy', `port ${opts.port} on ${opts.host} is already in use`, {
            hint: 'Stop what holds it or pass --port.',
          });
        }
        throw e;
      });
      server.app.log.info({ url: server.url }, 'console listening');
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        server.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
}
