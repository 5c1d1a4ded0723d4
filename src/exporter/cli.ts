import type { Command } from 'commander';
import { DEFAULT_PORTS, stackPaths } from '../definition/index.js';
import { ensureModel } from '../model/index.js';
import { EXPORTER_TOKEN_ENV } from './conventions.js';
import { DRIFT_RULES, type DriftRule } from '../drift/index.js';
import { MlmonError } from '../errors.js';
import { DEFAULT_EXPORTER_CONFIG, parseCount, parsePositiveInt } from './options.js';
import { parseDuration } from '../duration.js';
import { dataDirOption, serveCommand } from '../commandline/index.js';

interface ServeExporterFlags {
  host: string;
  port: string;
  dataDir: string;
  window: string;
  interval: string;
  psiModerate: string;
  psiMajor: string;
  ksPValue: string;
  driftRule: string;
  minWindowSamples: string;
  earlyLabelMax: string;
  earlyLabelTtl: string;
  tuningFile?: string;
  ensureModel?: string;
}

/** `mlmon serve exporter`: the command line the stack supervisor runs. */
export function registerExporterCommands(program: Command): void {
  // Several rooms add `serve <name>` subcommands; share the one `serve` parent.
  const serve = serveCommand(program);
  const t = DEFAULT_EXPORTER_CONFIG.thresholds;
  dataDirOption(
    serve
      .command('exporter')
      .description('ML model exporter: drift, quality and freshness metrics from the inference event spool')
      .option('--host <host>', 'address to bind', '127.0.0.1')
      .option('--port <port>', 'port to listen on', String(DEFAULT_PORTS['ml-model-exporter'])),
    'data directory (registry, event spool, exporter state)',
  )
    .option('--window <n>', 'recent predictions per model in the drift window', String(DEFAULT_EXPORTER_CONFIG.windowSize))
    .option('--interval <duration>', 'how often drift and quality are computed', `${DEFAULT_EXPORTER_CONFIG.computeIntervalMs / 1000}s`)
    .option('--psi-moderate <x>', 'PSI from which drift is moderate', String(t.psiModerate))
    .option('--psi-major <x>', 'PSI from which drift is major', String(t.psiMajor))
    .option('--ks-p-value <p>', 'KS p-value below which a feature differs significantly', String(t.ksPValue))
    .option('--drift-rule <rule>', `what makes a feature drifted: ${DRIFT_RULES.join(' | ')}`, t.rule)
    .option(
      '--min-window-samples <n>',
      'fewest predictions in a drift window for PSI, chi-square and the drift verdict (below: not yet meaningful, left out)',
      String(t.minSamples),
    )
    .option(
      '--early-label-max <n>',
      'labels held per model when they arrive before their prediction was read (the oldest go first; 0: none held)',
      String(DEFAULT_EXPORTER_CONFIG.earlyLabelMax),
    )
    .option(
      '--early-label-ttl <duration>',
      'how long a label is held for its prediction (event time)',
      `${DEFAULT_EXPORTER_CONFIG.earlyLabelTtlMs / 60_000}m`,
    )
    .option('--tuning-file <file>', 'per-model thresholds, window sizes and label TTLs (config/models.yaml); re-read at every compute')
    .option(
      '--ensure-model <name>',
      'train the bundled model into the registry when it has none, as the gateway does at its first start (for an exporter that shares no registry with the gateway: training uses a fixed random seed, so both get the same version)',
    )
    .action(async (flags: ServeExporterFlags) => {
      const rule = flags.driftRule as DriftRule;
      if (!DRIFT_RULES.includes(rule)) {
        throw new MlmonError('bad_option', `--drift-rule must be one of ${DRIFT_RULES.join(', ')}, got "${flags.driftRule}"`);
      }
      if (flags.ensureModel !== undefined) await ensureModel(stackPaths(flags.dataDir).registryDir, flags.ensureModel);
      // A Secret reaches a pod as an environment variable; otherwise the token file of the data directory.
      const token = process.env[EXPORTER_TOKEN_ENV]?.trim() || undefined;
      const { startExporter } = await import('./service.js');
      const exporter = await startExporter({
        ...(token ? { token } : {}),
        host: flags.host,
        port: parsePort(flags.port),
        dataDir: flags.dataDir,
        windowSize: parsePositiveInt(flags.window, '--window'),
        computeIntervalMs: parseDuration(flags.interval, '--interval', { positive: true }),
        earlyLabelMax: parseCount(flags.earlyLabelMax, '--early-label-max'),
        earlyLabelTtlMs: parseDuration(flags.earlyLabelTtl, '--early-label-ttl', { positive: true }),
        ...(flags.tuningFile !== undefined ? { tuningFile: flags.tuningFile } : {}),
        thresholds: {
          ...t,
          psiModerate: parseNumber(flags.psiModerate, '--psi-moderate'),
          psiMajor: parseNumber(flags.psiMajor, '--psi-major'),
          ksPValue: parseNumber(flags.ksPValue, '--ks-p-value'),
          rule,
          minSamples: parsePositiveInt(flags.minWindowSamples, '--min-window-samples'),
        },
        // A failed engine thread ends the process: the supervisor starts a new one.
        onFatal: () => {
          process.exitCode = 1;
          process.kill(process.pid, 'SIGTERM');
        },
      });
      // Stop cleanly on the supervisor's SIGTERM or Ctrl-C: the state is saved first.
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          exporter.close().then(resolve, (e: Error) => {
            process.stderr.write(`mlmon: ml-model-exporter: ${e.message}\n`);
            process.exitCode = 1;
            resolve();
          });
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
    });
}

function parsePort(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new MlmonError('bad_option', `--port must be a port number, got "${text}"`);
  return n;
}

function parseNumber(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new MlmonError('bad_option', `${what} must be a number of at least 0, got "${text}"`);
  return n;
}
