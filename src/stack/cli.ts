import { join } from 'node:path';
import { Command, Option } from 'commander';
import { MlmonError } from '../errors.js';
import { repoRoot } from '../paths.js';
import { staleGeneratedFiles, writeGeneratedFiles } from './generate.js';
import { authOf, credentialsHint, probeComponents, reloadStack, servicesTable, startDetached, startStack, stopStack } from './lifecycle.js';
import { notificationSummary } from './alertmanager-source.js';
import { settingsFromOptions, type StackCliOptions } from './options.js';
import { stackPaths } from '../definition/index.js';
import { readState } from '../definition/index.js';
import { diskSpace, diskWarning, formatBytes } from './disk.js';
import { RULE_FILES } from '../definition/index.js';
import { formatCheckResults, validateConfigSet } from './validate.js';
import { collect, dataDirOption } from '../commandline/index.js';

const say = (line: string) => process.stdout.write(`${line}\n`);

function stackOptions(cmd: Command): Command {
  return dataDirOption(cmd)
    .option('--config-dir <dir>', 'configuration folder to render from', join(repoRoot, 'config'))
    .option('--host <addr>', 'address every component binds to (default 127.0.0.1); env MLMON_HOST')
    .option('--port <name=port>', 'override a port, e.g. prometheus=19090 (repeatable)', collect, [])
    .option('--without <component>', 'leave a component out (repeatable)', collect, [])
    .addOption(new Option('--profile <name>', 'production, or test (short SLO windows, 1s scrapes)').choices(['production', 'test']))
    .option('--cluster <name>', 'external label cluster')
    .option('--environment <name>', 'external label environment')
    .option('--retention-size <size>', 'TSDB size cap, e.g. 10GB')
    .option('--scrape-interval <duration>', 'scrape and rule evaluation interval (default 15s)')
    .option('--fault-injection', "enable the gateway's loopback-only fault control (mlmon fault)")
    .option('--remote-write-url <url>', 'forward SLO and alert series to long-term storage (remote write); env MLMON_REMOTE_WRITE_URL')
    .option('--remote-write-bearer-token-file <file>', 'bearer token for remote write, read from this file')
    .option('--remote-write-username <name>', 'basic-auth user for remote write (with --remote-write-password-file)')
    .option('--remote-write-password-file <file>', 'basic-auth password for remote write, read from this file')
    .option(
      '--tls-cert-file <pem>',
      'serve Prometheus, Alertmanager, Pushgateway and the exporters over HTTPS with this certificate (with --tls-key-file)',
    )
    .option('--tls-key-file <pem>', 'private key of --tls-cert-file')
    .option('--remote-write-keep <metric>', 'also forward this metric name or regex (repeatable)', collect, []);
}

export function registerStackCommands(program: Command): void {
  stackOptions(program.command('up').description('start the whole stack and supervise it (Ctrl-C stops everything)'))
    .option('-d, --detach', 'run in the background and return once every component is healthy')
    .action(async (o: StackCliOptions & { detach?: boolean }) => {
      const s = settingsFromOptions(o);
      const t0 = Date.now();
      if (o.detach) {
        const st = await startDetached(s, process.argv.slice(3), say);
        say(`\nstack ready in ${((Date.now() - t0) / 1000).toFixed(1)}s (running in the background; stop it with \`mlmon down\`)`);
        // The same line a foreground start prints: the background one went to its log.
        say(`${notificationSummary(s)}\n`);
        say(servicesTable(st));
        say(`\n${credentialsHint(st)}`);
        return;
      }
      let stopping = false;
      // The handlers go in before the first component starts: the children run in
      // process groups of their own, so a Ctrl-C the supervisor did not catch
      // (during the start, or just as the table prints) would leave them running.
      const sup = await startStack(s, say, (sup) => {
        const stop = async (signal: string) => {
          if (stopping) {
            say('second signal: killing every component now');
            sup.killAllNow();
            process.exit(130);
          }
          stopping = true;
          say(`\n${signal}: stopping the stack...`);
          await sup.stop();
          say('stopped; nothing left running');
          process.exit(0);
        };
        process.on('SIGINT', () => void stop('SIGINT'));
        process.on('SIGTERM', () => void stop('SIGTERM'));
        process.on('uncaughtException', (e) => {
          process.stderr.write(`mlmon: supervisor crashed: ${e.stack ?? e}\n`);
          sup.killAllNow();
          process.exit(1);
        });
      });
      // Stopped by a signal while starting: the handler above finishes the job.
      if (stopping) return;
      say(`\nstack ready in ${((Date.now() - t0) / 1000).toFixed(1)}s. Logs: ${stackPaths(s.dataDir).logsDir}. Ctrl-C stops everything.\n`);
      say(servicesTable(sup.state()));
      say(`\n${credentialsHint(sup.state())}`);
    });

  dataDirOption(program.command('down').description('stop the stack running from the data directory')).action(
    async (o: { dataDir: string }) => {
      const stopped = await stopStack(o.dataDir, say);
      say(stopped ? 'stopped' : `no stack is running from ${o.dataDir}`);
    },
  );

  dataDirOption(program.command('status').description('show every component, its URL and health'))
    .option('--json', 'machine-readable output')
    .action(async (o: { dataDir: string; json?: boolean }) => {
      const st = readState(stackPaths(o.dataDir).stateFile);
      if (!st) {
        if (o.json) say(JSON.stringify({ running: false, components: [] }));
        else say(`no stack has run from ${o.dataDir} (start one with \`npm start\` or \`mlmon up\`)`);
        process.exitCode = 3;
        return;
      }
      const { runningSupervisor } = await import('./lifecycle.js');
      const running = Boolean(runningSupervisor(o.dataDir));
      const live = await probeComponents(st);
      const disk = diskSpace(st.settings.dataDir);
      const diskProblem = diskWarning(disk);
      const allHealthy = running && [...live.values()].every(Boolean) && !diskProblem;
      if (o.json) {
        say(
          JSON.stringify(
            {
              running,
              phase: running ? st.phase : 'stopped',
              healthy: allHealthy,
              disk: { ...disk, warning: diskProblem ?? null },
              // auth: where the credentials of a protected component are
              // ({"username", "passwordFile"} for basic auth, {"tokenFile"} for a bearer token).
              components: st.components.map((c) => {
                const auth = authOf(st, c.name);
                return { ...c, healthy: live.get(c.name) ?? false, ...(auth ? { auth } : {}) };
              }),
            },
            null,
            2,
          ),
        );
      } else {
        say(`stack ${running ? st.phase : 'stopped'} (data ${st.settings.dataDir}, supervisor pid ${running ? st.supervisorPid : '-'})`);
        say(`disk: ${formatBytes(disk.availBytes)} free of ${formatBytes(disk.sizeBytes)} (${(100 * disk.freeRatio).toFixed(1)}%)\n`);
        say(servicesTable(st, live));
        if (st.settings.access) say(`\n${credentialsHint(st)}`);
        if (diskProblem) say(`\nWARNING: ${diskProblem}`);
      }
      process.exitCode = !running ? 3 : allHealthy ? 0 : 1;
    });

  program
    .command('validate')
    .description('check the configuration with promtool, amtool and the blackbox exporter')
    .option('--config-dir <dir>', 'configuration folder', join(repoRoot, 'config'))
    .action(async (o: { configDir: string }) => {
      const dir = o.configDir;
      const results = await validateConfigSet(
        {
          prometheusYml: join(dir, 'prometheus', 'prometheus.yml'),
          ruleFiles: RULE_FILES.map((f) => join(dir, 'prometheus', f)),
          alertmanagerYml: join(dir, 'alertmanager', 'alertmanager.yml'),
          blackboxYml: join(dir, 'exporters', 'blackbox.yml'),
        },
        process.cwd(),
      );
      say(formatCheckResults(results));
      const failed = results.filter((r) => !r.ok).length;
      if (failed > 0) throw new MlmonError('invalid_config', `${failed} of ${results.length} checks failed`);
      say(`all ${results.length} checks passed`);
    });

  dataDirOption(
    program.command('reload').description('validate, then reload Prometheus, Alertmanager and blackbox without downtime'),
  ).action(async (o: { dataDir: string }) => {
    await reloadStack(o.dataDir, say);
    say('reloaded');
  });

  program
    .command('generate')
    .description('regenerate the committed generated files (configs and rules) from their definitions')
    .option('--check', 'only report stale files; exit 1 if any')
    .action((o: { check?: boolean }) => {
      if (o.check) {
        const stale = staleGeneratedFiles();
        if (stale.length > 0) {
          throw new MlmonError('stale_generated', `generated files are stale: ${stale.join(', ')}`, {
            hint: 'run `mlmon generate` and commit the result',
          });
        }
        say('generated files are up to date');
        return;
      }
      const changed = writeGeneratedFiles();
      say(changed.length ? `wrote ${changed.join(', ')}` : 'generated files already up to date');
    });
}
