import type { Command } from 'commander';
import { EXPORTER_TOKEN_ENV } from '../client/index.js';
import { MlmonError } from '../errors.js';
import { defaultSettings, DEFAULT_PORTS, readState, stackPaths, urlOf } from '../definition/index.js';
import { registerModelCommands, registerTrainCommand, IRIS_FEATURES } from '../model/index.js';
import { faultRequest, type FaultView } from './client.js';
import { ADMIN_TOKEN_ENV } from './token.js';
import { runLoad } from './load.js';
import { parseDuration } from '../duration.js';
import { dataDirOption, serveCommand } from '../commandline/index.js';

const defaultGateway = () => process.env.MLMON_GATEWAY_URL ?? urlOf(defaultSettings(), 'inference-gateway');

/** The gateway to talk to: --gateway, else MLMON_GATEWAY_URL, else the one the
 * stack of --data-dir runs (from its state file), else the default port. */
function gatewayFor(opts: { gateway?: string; dataDir: string }): string {
  if (opts.gateway) return opts.gateway;
  if (process.env.MLMON_GATEWAY_URL) return process.env.MLMON_GATEWAY_URL;
  const st = readState(stackPaths(opts.dataDir).stateFile);
  const gw = st?.components.find((c) => c.name === 'inference-gateway');
  return gw?.url ?? defaultGateway();
}

function number(flag: string, text: string, min = -Infinity, max = Infinity): number {
  const n = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(n) || n < min || n > max) {
    const range =
      min === -Infinity ? (max === Infinity ? '' : ` up to ${max}`) : max === Infinity ? ` from ${min} up` : ` from ${min} to ${max}`;
    throw new MlmonError('bad_flag', `${flag} must be a number${range}, got "${text}"`);
  }
  return n;
}

/** Throws, saying what to do, unless the gateway answers /ready. */
async function gatewayReady(gateway: string): Promise<void> {
  const url = `${gateway.replace(/\/+$/, '')}/ready`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
  } catch (e) {
    const cause = (e as Error).cause as Error | undefined;
    throw new MlmonError('gateway_unreachable', `no gateway answers (${cause?.message ?? (e as Error).message})`, {
      location: gateway,
      hint: 'Start the stack with `mlmon up` (or check `mlmon status`), or pass --gateway URL / --data-dir of a running stack.',
    });
  }
  if (!res.ok) {
    throw new MlmonError('gateway_not_ready', `the gateway is not ready (HTTP ${res.status} on /ready)`, {
      location: gateway,
      hint: 'It may be starting or shutting down: see `mlmon status`.',
    });
  }
}

function printFault(view: FaultView, json: boolean | undefined): void {
  if (json) {
    process.stdout.write(JSON.stringify(view, null, 2) + '\n');
    return;
  }
  if (!view.active) {
    process.stdout.write('no fault injected\n');
    return;
  }
  const f = view.fault;
  const shift = Object.entries(f.feature_shift).map(([k, v]) => `${k}${v >= 0 ? '+' : ''}${v}`);
  process.stdout.write(
    `error ratio   ${f.error_ratio}\nlatency       ${f.latency_ms} ms\nfeature shift ${shift.length ? shift.join(', ') : 'none'}\n`,
  );
}

/** Where `--forward-events` sends, and the token it sends: refused at once when
 * either is unusable, rather than dropping every event later. */
function forwardTarget(url: string): { url: string; token: string } {
  let u: URL | undefined;
  try {
    u = new URL(url);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) {
    throw new MlmonError('bad_flag', `--forward-events ${url}: not an http(s) URL`, {
      hint: 'e.g. --forward-events http://127.0.0.1:9101',
    });
  }
  const token = process.env[EXPORTER_TOKEN_ENV]?.trim();
  if (!token) {
    throw new MlmonError('bad_flag', `--forward-events needs the exporter's ingest token in ${EXPORTER_TOKEN_ENV}`, {
      hint: `set ${EXPORTER_TOKEN_ENV} to the content of <data>/secrets/exporter-token of the exporter's stack (in Kubernetes: from its Secret)`,
    });
  }
  return { url, token };
}

/** The gateway room's commands: `serve gateway`, `fault`, `load`, and the model's `train`. */
export function registerGatewayCommands(program: Command): void {
  registerTrainCommand(program);
  registerModelCommands(program);

  // `serve` may already exist (other rooms serve their components through it too).
  const serve = serveCommand(program);
  const serveGateway = serve
    .command('gateway')
    .description('run the inference gateway in the foreground (JSON logs on stdout; SIGTERM/SIGINT stop it cleanly)')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'port to listen on', String(DEFAULT_PORTS['inference-gateway']));
  dataDirOption(serveGateway, 'data directory (model registry, event spool)')
    .option('--model <name>', 'model to serve', 'iris')
    .option(
      '--admin',
      `enable the fault control on /admin/fault (loopback clients only); also MLMON_GATEWAY_ADMIN=1. It needs ${ADMIN_TOKEN_ENV} unless --admin is given on a loopback address`,
    )
    .option('--no-instrument', 'do not record request metrics (for overhead measurements)')
    .option(
      '--forward-events <url>',
      `send the inference events to the ML model exporter's ingest API at this URL instead of the spool in --data-dir (its token in ${EXPORTER_TOKEN_ENV}); for a gateway that shares no disk with the exporter`,
    )
    .option('--log-level <level>', 'pino log level', process.env.MLMON_LOG_LEVEL ?? 'info')
    .action(
      async (opts: {
        host: string;
        port: string;
        dataDir: string;
        model: string;
        admin?: boolean;
        instrument: boolean;
        forwardEvents?: string;
        logLevel: string;
      }) => {
        const forwardEvents = opts.forwardEvents === undefined ? undefined : forwardTarget(opts.forwardEvents);
        const admin = opts.admin === true || process.env.MLMON_GATEWAY_ADMIN === '1' || process.env.MLMON_GATEWAY_ADMIN === 'true';
        const adminToken = process.env[ADMIN_TOKEN_ENV]?.trim() || undefined;
        // Turned on through the environment (as the stack does) it must come with a
        // token; only a person typing --admin may run it tokenless, and then on loopback only.
        if (admin && !adminToken && opts.admin !== true) {
          throw new MlmonError('admin_needs_token', `MLMON_GATEWAY_ADMIN=1 needs ${ADMIN_TOKEN_ENV} as well`, {
            location: 'inference-gateway',
            hint: 'start the stack with `mlmon up --fault-injection` (it makes the token), or pass --admin on a loopback address for a hand-run test',
          });
        }
        const { startGateway } = await import('./server.js');
        const gw = await startGateway({
          host: opts.host,
          port: number('--port', opts.port, 0, 65535),
          dataDir: opts.dataDir,
          model: opts.model,
          admin,
          ...(admin && adminToken ? { adminToken } : {}),
          instrument: opts.instrument,
          ...(forwardEvents ? { forwardEvents } : {}),
          logLevel: opts.logLevel,
        });
        let stopping = false;
        const stop = () => {
          if (stopping) return;
          stopping = true;
          // close() stops accepting, finishes requests in flight and flushes the event spool.
          gw.close().then(
            () => process.exit(0),
            (e: unknown) => {
              process.stderr.write(`mlmon: gateway shutdown failed: ${(e as Error).message}\n`);
              process.exit(1);
            },
          );
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      },
    );

  const fault = program
    .command('fault')
    .description(
      'inject faults into the gateway of a stack started with `mlmon up --fault-injection` or `--profile test` (for alert tests)',
    );
  const setFault = fault
    .command('set')
    .description('replace the injected fault (flags left out are off)')
    .option('--error-ratio <r>', 'share of /predict answered 503 (0..1)', '0')
    .option('--latency-ms <ms>', 'delay added to every /predict', '0')
    .option('--shift <feature=amount...>', `add amount to a feature before prediction (${IRIS_FEATURES.join(', ')})`)
    .option('--gateway <url>', 'gateway base URL (default: the gateway of the stack in --data-dir)')
    .option('--json', 'print the result as JSON');
  dataDirOption(setFault, `data directory of the stack, whose secrets/admin-token is sent (or set ${ADMIN_TOKEN_ENV})`).action(
    async (opts: { errorRatio: string; latencyMs: string; shift?: string[]; gateway?: string; dataDir: string; json?: boolean }) => {
      const feature_shift: Record<string, number> = {};
      for (const s of opts.shift ?? []) {
        const [name, amount] = s.split('=');
        if (!name || amount === undefined) throw new MlmonError('bad_flag', `--shift takes feature=amount, got "${s}"`);
        feature_shift[name] = number(`--shift ${name}`, amount);
      }
      const body = {
        error_ratio: number('--error-ratio', opts.errorRatio, 0, 1),
        latency_ms: number('--latency-ms', opts.latencyMs, 0, 60_000),
        feature_shift,
      };
      printFault(await faultRequest(gatewayFor(opts), 'PUT', body, { dataDir: opts.dataDir }), opts.json);
    },
  );
  // `show` and `clear` differ only in the HTTP method they send.
  for (const [name, description, method] of [
    ['show', 'show the injected fault', 'GET'],
    ['clear', 'remove every injected fault', 'DELETE'],
  ] as const) {
    dataDirOption(
      fault
        .command(name)
        .description(description)
        .option('--gateway <url>', 'gateway base URL (default: the gateway of the stack in --data-dir)')
        .option('--json', 'print as JSON'),
      'data directory of the stack (for its admin token)',
    ).action(async (opts: { gateway?: string; dataDir: string; json?: boolean }) =>
      printFault(await faultRequest(gatewayFor(opts), method, undefined, { dataDir: opts.dataDir }), opts.json),
    );
  }

  const load = program
    .command('load')
    .description('send realistic iris traffic to the gateway, with delayed ground-truth feedback')
    .option('--gateway <url>', 'gateway base URL (default: the gateway of the stack in --data-dir)')
    .option('--rate <n>', 'prediction requests per second', '20')
    .option('--duration <d>', 'how long, e.g. 60s, 5m', '60s')
    .option('--feedback-ratio <r>', 'share of predictions followed by their true label', '0.5')
    .option('--feedback-delay <d>', 'delay before the label arrives', '1s')
    .option('--json', 'print the summary as JSON');
  dataDirOption(load, 'data directory of the stack whose gateway to load').action(
    async (opts: {
      gateway?: string;
      dataDir: string;
      rate: string;
      duration: string;
      feedbackRatio: string;
      feedbackDelay: string;
      json?: boolean;
    }) => {
      const durationMs = parseDuration(opts.duration, '--duration', { positive: true });
      const feedbackDelayMs = parseDuration(opts.feedbackDelay, '--feedback-delay');
      const rate = number('--rate', opts.rate, 0.01, 100_000);
      const feedbackRatio = number('--feedback-ratio', opts.feedbackRatio, 0, 1);
      const gateway = gatewayFor(opts);
      // Say so at once when nothing answers, rather than after the whole --duration.
      await gatewayReady(gateway);
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      const summary = await runLoad({
        gateway,
        rate,
        durationMs,
        feedbackRatio,
        feedbackDelayMs,
        signal: controller.signal,
      });
      if (opts.json) {
        process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
        return;
      }
      const statuses =
        Object.entries(summary.byStatus)
          .map(([s, n]) => `${s}: ${n}`)
          .join(', ') || 'none';
      process.stdout.write(
        `sent ${summary.sent} predictions in ${summary.durationSeconds.toFixed(1)} s (${statuses})\n` +
          (Number.isNaN(summary.latencyMs.p50)
            ? 'latency: no request was answered\n'
            : `latency p50 ${summary.latencyMs.p50.toFixed(1)} ms, p99 ${summary.latencyMs.p99.toFixed(1)} ms\n`) +
          `feedback ${summary.feedbackAccepted}/${summary.feedbackSent} accepted; accuracy on labelled ${Number.isNaN(summary.accuracy) ? 'n/a' : (summary.accuracy * 100).toFixed(1) + '%'}\n`,
      );
      if (summary.sent > 0 && (summary.byStatus.network ?? 0) === summary.sent) {
        throw new MlmonError('gateway_unreachable', 'no request reached the gateway', {
          location: gateway,
          hint: 'Is the stack up (`mlmon status`)?',
        });
      }
    },
  );
}
