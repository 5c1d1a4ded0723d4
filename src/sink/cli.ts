import type { Command } from 'commander';
import { MlmonError } from '../errors.js';
import { DEFAULT_PORTS, stackPaths } from '../definition/index.js';
import { SINK_INTEGRATIONS, type NotificationRecord, type SinkIntegration } from './records.js';
import { parseSince } from './since.js';
import { readNotifications } from './store.js';
import { dataDirOption, loginOptions, resolveLogin, serveCommand, type LoginFlags } from '../commandline/index.js';

function port(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new MlmonError('bad_flag', `${flag} must be a port number (0-65535), not "${value}"`);
  }
  return n;
}

function cell(s: string, width: number): string {
  return s.length > width ? `${s.slice(0, width - 1)}…` : s.padEnd(width);
}

/** A summary fit for one table row (a flood can send megabytes of text; --json has it all). */
function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function formatNotifications(records: NotificationRecord[]): string {
  if (records.length === 0) return 'No notifications recorded.\n';
  const head = `${cell('TIME', 20)} ${cell('INTEGRATION', 11)} ${cell('CHANNEL', 24)} ${cell('STATUS', 8)} SUMMARY`;
  const rows = records.map(
    (r) =>
      `${cell(r.time.slice(0, 19).replace('T', ' '), 20)} ${cell(r.integration, 11)} ${cell(r.channel, 24)} ${cell(r.status ?? '', 8)} ${oneLine(r.summary)}`,
  );
  return `${[head, ...rows].join('\n')}\n`;
}

export function registerNotificationCommands(program: Command): void {
  loginOptions(
    dataDirOption(
      serveCommand(program)
        .command('sink')
        .description('Run the local notification sink (Slack webhook, PagerDuty Events v2, SMTP) in the foreground')
        .option('--host <host>', 'address to bind', '127.0.0.1')
        .option('--port <port>', 'HTTP port (Slack, PagerDuty, heartbeat, /notifications)', String(DEFAULT_PORTS['notification-sink']))
        .option('--smtp-port <port>', 'SMTP port', String(DEFAULT_PORTS['notification-sink-smtp'])),
      'data directory (records go to <dir>/notifications)',
    ),
  ).action(async (o: { host: string; port: string; smtpPort: string } & LoginFlags) => {
    // In containers the login is mounted or given by a Secret (--require-login); `mlmon up` passes --login-dir explicitly.
    const login = o.loginDir !== undefined || o.requireLogin ? resolveLogin(o, 'notification-sink') : undefined;
    let sink;
    try {
      const { startNotificationSink } = await import('./server.js');
      sink = await startNotificationSink({
        host: o.host,
        httpPort: port(o.port, '--port'),
        smtpPort: port(o.smtpPort, '--smtp-port'),
        dataDir: o.dataDir,
        log: true,
        login,
      });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EADDRINUSE') {
        throw new MlmonError('port_in_use', `cannot listen on ${o.host}: ${err.message}`, {
          location: 'notification-sink',
          hint: 'Another process holds the port: stop it or pass --port/--smtp-port.',
        });
      }
      throw e;
    }
    const running = sink;
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        void running.close().then(resolve);
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
  });

  dataDirOption(program.command('notifications').description('list the notifications recorded by the local notification sink'))
    .option('--integration <name>', `only one integration (${SINK_INTEGRATIONS.join(', ')})`)
    .option('--since <when>', 'only those received since a duration ago (10m, 2h) or a time')
    .option('--limit <n>', 'the newest n records (default 500, at most 5000)')
    .option('--json', 'print JSON (one array) for scripts')
    .action(async (o: { dataDir: string; integration?: string; since?: string; json?: boolean; limit?: string }) => {
      if (o.integration && !(SINK_INTEGRATIONS as readonly string[]).includes(o.integration)) {
        throw new MlmonError('bad_flag', `--integration must be one of ${SINK_INTEGRATIONS.join(', ')}, not "${o.integration}"`, {});
      }
      let sinceMs: number | undefined;
      if (o.since !== undefined) {
        sinceMs = parseSince(o.since);
        if (sinceMs === undefined) {
          throw new MlmonError('bad_flag', `--since "${o.since}" is neither a duration (10m, 2h) nor a time`);
        }
      }
      const records = await readNotifications(stackPaths(o.dataDir).sinkDir, {
        integration: o.integration as SinkIntegration | undefined,
        sinceMs,
        limit: o.limit === undefined ? undefined : Number(o.limit),
      });
      process.stdout.write(o.json ? `${JSON.stringify(records, null, 2)}\n` : formatNotifications(records));
    });
}
