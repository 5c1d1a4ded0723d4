import type { Command } from 'commander';
import { MlmonError } from '../errors.js';
import { defaultSettings, readState, stackPaths, urlOf } from '../definition/index.js';
import { basicAuthorization, readAdminCredentials, trustCertificate } from '../upstream/index.js';
import { runTraining } from './run.js';
import { dataDirOption } from '../commandline/index.js';

/** `mlmon train`: the batch job that publishes a new model version and reports to the Pushgateway. */
export function registerTrainCommand(program: Command): void {
  dataDirOption(
    program.command('train').description('train a new model version into the registry and push the job metrics to the Pushgateway'),
    'data directory holding the model registry',
  )
    .option('--seed <n>', 'random seed of the split and the forest (same seed, same model)', '42')
    .option('--pushgateway <url>', "Pushgateway to report to (default: the data directory's stack; unreachable is a warning)")
    .option('--no-push', 'do not report to a Pushgateway')
    .option('--json', 'print the new version metadata (without the reference values) as JSON')
    .action(async (opts: { dataDir: string; seed: string; pushgateway?: string; push: boolean; json?: boolean }) => {
      const seed = Number(opts.seed);
      if (!Number.isInteger(seed)) throw new MlmonError('bad_flag', `--seed must be an integer, got "${opts.seed}"`);
      const paths = stackPaths(opts.dataDir);
      const stack = readState(paths.stateFile)?.settings ?? defaultSettings();
      opts.pushgateway ??= urlOf(stack, 'pushgateway');
      // The stack's Pushgateway takes pushes only with its admin credentials.
      const creds = readAdminCredentials(paths.secretsDir);
      trustCertificate(stack.access?.tls?.certFile);
      const outcome = await runTraining({
        registryDir: paths.registryDir,
        seed,
        pushgatewayUrl: opts.push ? opts.pushgateway : undefined,
        pushTimeoutMs: 1500,
        pushAuthorization: creds ? basicAuthorization(creds) : undefined,
      });
      if (outcome.pushWarning) process.stderr.write(`mlmon: warning: ${outcome.pushWarning}\n`);
      const m = outcome.metadata;
      if (opts.json) {
        const { reference: _reference, ...rest } = m;
        process.stdout.write(
          JSON.stringify({ ...rest, duration_seconds: outcome.durationSeconds, pushed: outcome.pushed }, null, 2) + '\n',
        );
        return;
      }
      process.stdout.write(
        `trained ${m.model} ${m.version}: held-out accuracy ${((m.heldout_accuracy ?? 0) * 100).toFixed(1)}% ` +
          `(${m.training_data.rows} training rows, ${m.training_data.heldout_rows} held out, seed ${m.seed}) in ${outcome.durationSeconds.toFixed(2)} s\n` +
          `  ${stackPaths(opts.dataDir).registryDir}/${m.model}/${m.version}\n` +
          (outcome.pushed ? `  metrics pushed to ${opts.pushgateway}\n` : ''),
      );
    });
}
