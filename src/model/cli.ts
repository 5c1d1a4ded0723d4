import type { Command } from 'commander';
import { MlmonError } from '../errors.js';
import { defaultSettings, readState, stackPaths, urlOf } from '../definition/index.js';
import { deployVersion, readDeployment, rollbackDeployment, type Deployment } from './deployment.js';
import {
  listModels,
  listVersions,
  MODEL_KINDS,
  modelKind,
  readCurrentVersion,
  readMetadata,
  type ModelKind,
  type ModelMetadata,
} from './registry.js';
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
    .option('--deploy', 'serve the new version from the gateway at once (otherwise: mlmon model deploy)')
    .action(async (opts: { dataDir: string; seed: string; pushgateway?: string; push: boolean; json?: boolean; deploy?: boolean }) => {
      const seed = Number(opts.seed);
      if (!Number.isInteger(seed)) throw new MlmonError('bad_flag', `--seed must be an integer, got "${opts.seed}"`);
      const paths = stackPaths(opts.dataDir);
      const stack = readState(paths.stateFile)?.settings ?? defaultSettings();
      opts.pushgateway ??= urlOf(stack, 'pushgateway');
      // Training, and the client of the stack's APIs, load when this command runs.
      const { basicAuthorization, readAdminCredentials, trustCertificate } = await import('../upstream/index.js');
      const { runTraining } = await import('./run.js');
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
      const deployed = opts.deploy ? await deployVersion(stackPaths(opts.dataDir).registryDir, m.model, m.version) : undefined;
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
          (outcome.pushed ? `  metrics pushed to ${opts.pushgateway}\n` : '') +
          (deployed
            ? `  deployed: ${printDeployment(m.model, deployed)}\n  ${await awaitGateway(opts.dataDir, m.model, deployed, 15_000)}\n`
            : `  the gateway keeps serving what it served; deploy this version with: mlmon model deploy ${m.model} ${m.version}` +
              ` (or a canary: --canary 10)\n`),
      );
    });
}

function listOption(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function describeVersion(m: ModelMetadata): string {
  const kind = modelKind(m);
  const features = m.features.map((f) => `${f} (${m.reference.features[f]?.type === 'categorical' ? 'categorical' : 'numeric'})`);
  const quality =
    m.heldout_accuracy !== undefined
      ? `reference accuracy ${(m.heldout_accuracy * 100).toFixed(1)}%`
      : m.reference_mae !== undefined
        ? `reference MAE ${m.reference_mae.toPrecision(4)}, RMSE ${(m.reference_rmse ?? 0).toPrecision(4)}`
        : 'no reference quality (register with --prediction-column to have one)';
  return (
    `${m.model} ${m.version}: ${kind}, ${m.training_data.rows} reference rows (${m.training_data.source}), ${quality}\n` +
    `  features: ${features.join(', ')}\n` +
    (kind === 'classification' ? `  classes: ${m.classes.join(', ')}\n` : `  target: ${m.target ?? '?'} (numeric)\n`)
  );
}

/** Waits until the gateway of the running stack serves `d`, so "deployed" means
 * answered by the new version. No stack running: the gateway serves it at start. */
async function awaitGateway(dataDir: string, model: string, d: Deployment, timeoutMs: number): Promise<string> {
  const gw = readState(stackPaths(dataDir).stateFile)?.components.find((c) => c.name === 'inference-gateway');
  if (!gw) return 'no stack is running here: the gateway serves it when it starts';
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${gw.url}/models`, { signal: AbortSignal.timeout(2000) });
      const body = (await res.json()) as {
        serving?: { model?: string; version?: string };
        canary?: { version?: string; percent?: number } | null;
      };
      if (body.serving?.model !== model) return `the gateway serves ${body.serving?.model ?? 'another model'}, not ${model}`;
      const canaryOk = d.canary ? body.canary?.version === d.canary.version && body.canary.percent === d.canary.percent : !body.canary;
      if (body.serving.version === d.stable && canaryOk) return `the gateway at ${gw.url} now serves it`;
      last = `serving ${body.serving.version}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new MlmonError('deploy_not_picked_up', `the gateway did not switch within ${timeoutMs / 1000} s (${last})`, {
    location: gw.url,
    hint: 'Look at the gateway log (mlmon status shows where it is); the deployment file is written and stays in force.',
  });
}

function printDeployment(model: string, d: Deployment): string {
  return `${model}: stable ${d.stable}${d.canary ? `, canary ${d.canary.version} at ${d.canary.percent}%` : ''}`;
}

/** `mlmon model register | list | show | deploy | rollback`. */
export function registerModelCommands(program: Command): void {
  const model = program.command('model').description('register, list and deploy models (your own services and the bundled gateway)');

  dataDirOption(
    model
      .command('register')
      .description(
        'register a model version from its reference data (CSV with a header, or Parquet); a running exporter picks it up within seconds',
      )
      .argument('<name>', 'model name (the `model` label of its metrics)')
      .requiredOption('--reference <file>', 'reference data: the training set or a sample of it (.csv or .parquet)')
      .requiredOption('--target <column>', 'column holding the true label (a numeric target makes a regression model)')
      .option('--version <v>', 'version name (default: the next vN)')
      .option('--features <a,b,c>', 'feature columns to monitor (default: every other column)')
      .option(
        '--prediction-column <column>',
        "column holding the model's own predictions on the reference data (gives the reference accuracy)",
      )
      .option('--type <type>', `${MODEL_KINDS.join(' or ')} (default: inferred from the target)`)
      .option('--json', 'print the new version metadata (without reference values) as JSON'),
    'data directory holding the model registry',
  ).action(
    async (
      name: string,
      o: {
        reference: string;
        target: string;
        version?: string;
        features?: string;
        predictionColumn?: string;
        type?: string;
        json?: boolean;
        dataDir: string;
      },
    ) => {
      if (o.type !== undefined && !MODEL_KINDS.includes(o.type as ModelKind)) {
        throw new MlmonError('bad_flag', `--type must be ${MODEL_KINDS.join(' or ')}, got "${o.type}"`);
      }
      const { registerModel } = await import('./register.js');
      const m = await registerModel({
        registryDir: stackPaths(o.dataDir).registryDir,
        model: name,
        file: o.reference,
        target: o.target,
        ...(o.version !== undefined ? { version: o.version } : {}),
        ...(o.features !== undefined ? { features: listOption(o.features) } : {}),
        ...(o.predictionColumn !== undefined ? { predictionColumn: o.predictionColumn } : {}),
        ...(o.type !== undefined ? { kind: o.type as ModelKind } : {}),
      });
      if (o.json) {
        const { reference: _r, ...rest } = m;
        process.stdout.write(JSON.stringify(rest, null, 2) + '\n');
        return;
      }
      process.stdout.write(`registered ${describeVersion(m)}  ${stackPaths(o.dataDir).registryDir}/${m.model}/${m.version}\n`);
    },
  );

  dataDirOption(
    model.command('list').description('every registered model: type, versions, deployment').option('--json', 'print as JSON'),
    'data directory holding the model registry',
  ).action(async (o: { dataDir: string; json?: boolean }) => {
    const registryDir = stackPaths(o.dataDir).registryDir;
    const rows = [];
    for (const l of await listModels(registryDir)) {
      const current = l.current ?? l.versions.at(-1) ?? '';
      const meta = await readMetadata(registryDir, l.model, current).catch(() => undefined);
      rows.push({
        model: l.model,
        type: meta ? modelKind(meta) : 'unknown',
        current,
        versions: l.versions,
        deployment: (await readDeployment(registryDir, l.model)) ?? null,
      });
    }
    if (o.json) {
      process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      return;
    }
    if (rows.length === 0) {
      process.stdout.write(`no models registered in ${registryDir} (mlmon model register NAME --reference FILE --target COLUMN)\n`);
      return;
    }
    const lines = [
      ['MODEL', 'TYPE', 'CURRENT', 'VERSIONS', 'DEPLOYED'],
      ...rows.map((r) => [
        r.model,
        r.type,
        r.current,
        r.versions.join(','),
        r.deployment ? printDeployment(r.model, r.deployment).split(': ')[1]! : '-',
      ]),
    ];
    const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
    process.stdout.write(
      lines
        .map((l) =>
          l
            .map((c, i) => c.padEnd(widths[i]!))
            .join('  ')
            .trimEnd(),
        )
        .join('\n') + '\n',
    );
  });

  dataDirOption(
    model
      .command('show')
      .description('the versions of one model: type, features, classes, reference quality')
      .argument('<name>')
      .option('--json', 'print as JSON (without reference values)'),
    'data directory holding the model registry',
  ).action(async (name: string, o: { dataDir: string; json?: boolean }) => {
    const registryDir = stackPaths(o.dataDir).registryDir;
    const versions = await listVersions(registryDir, name);
    if (versions.length === 0)
      throw new MlmonError('model_unknown', `no model "${name}" in the registry`, {
        location: registryDir,
        hint: 'See `mlmon model list`.',
      });
    const metas = await Promise.all(versions.map((v) => readMetadata(registryDir, name, v)));
    const deployment = await readDeployment(registryDir, name);
    const current = await readCurrentVersion(registryDir, name);
    if (o.json) {
      process.stdout.write(
        JSON.stringify(
          { model: name, current, deployment: deployment ?? null, versions: metas.map(({ reference: _r, ...rest }) => rest) },
          null,
          2,
        ) + '\n',
      );
      return;
    }
    process.stdout.write(
      `${name}: current ${current ?? '-'}${deployment ? `; deployed ${printDeployment(name, deployment).split(': ')[1]}` : ''}\n\n`,
    );
    for (const m of metas) process.stdout.write(describeVersion(m) + '\n');
  });

  dataDirOption(
    model
      .command('deploy')
      .description('serve a version from the bundled gateway without a restart, or split traffic with a canary')
      .argument('<name>', 'model name')
      .argument('<version>', 'version to serve')
      .option('--canary <percent>', 'send this share of requests to the version, the rest to the stable one')
      .option('--no-wait', 'do not wait for the running gateway to switch'),
    'data directory of the stack',
  ).action(async (name: string, version: string, o: { dataDir: string; canary?: string; wait: boolean }) => {
    const percent = o.canary === undefined ? undefined : Number(o.canary);
    if (percent !== undefined && !Number.isFinite(percent))
      throw new MlmonError('bad_flag', `--canary must be a number, got "${o.canary}"`);
    const d = await deployVersion(stackPaths(o.dataDir).registryDir, name, version, percent === undefined ? {} : { percent });
    process.stdout.write(`deployed ${printDeployment(name, d)}\n`);
    if (o.wait) process.stdout.write(`  ${await awaitGateway(o.dataDir, name, d, 15_000)}\n`);
  });

  dataDirOption(
    model
      .command('rollback')
      .description('withdraw the canary, or go back to the previous stable version')
      .argument('<name>', 'model name')
      .option('--no-wait', 'do not wait for the running gateway to switch'),
    'data directory of the stack',
  ).action(async (name: string, o: { dataDir: string; wait: boolean }) => {
    const d = await rollbackDeployment(stackPaths(o.dataDir).registryDir, name);
    process.stdout.write(`rolled back: ${printDeployment(name, d)}\n`);
    if (o.wait) process.stdout.write(`  ${await awaitGateway(o.dataDir, name, d, 15_000)}\n`);
  });
}
