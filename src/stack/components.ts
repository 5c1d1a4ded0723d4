import { join, resolve } from 'node:path';
import { mlmonBin } from '../paths.js';
import { ADMIN_TOKEN_ENV, createAdminToken, removeAdminToken } from '../gateway/index.js';
import { EXPORTER_TOKEN_FILE, MODEL_TUNING_FILE } from '../exporter/index.js';
import { newToken, writeSecretFile } from '../secrets.js';
import {
  PROTECTED_COMPONENTS,
  urlOf,
  type ComponentAuth,
  type ComponentName,
  type StackPaths,
  type StackSettings,
} from '../definition/index.js';
import { authHeaders, type BasicCredentials } from '../upstream/index.js';
import { RUN_FILES } from './render.js';

/** How to run and probe one process of the stack. */
export interface ProcessSpec {
  name: ComponentName;
  /** Program name or absolute path; the first of `candidates` found on PATH is used. */
  candidates: string[];
  args: string[];
  env?: Record<string, string>;
  /** Ports this process binds (checked before start so a busy port fails fast). */
  ports: number[];
  /** URL that answers 2xx once the process is ready to serve. */
  readyUrl: string;
  /** Headers of the readiness probe (the admin credentials of a protected program; never persisted). */
  readyHeaders?: Record<string, string>;
  /** Page a person opens (shown in the services table). */
  url: string;
  description: string;
  logFile: string;
  /** Credentials of its write API, named by `mlmon status --json`. */
  auth?: ComponentAuth;
}

/** Which of our own services exist as `mlmon serve <name>` commands. The
 * supervisor runs them with the same Node.js that runs mlmon. */
const NODE = process.execPath;

/** The gateway's fault control: on only with --fault-injection (or the test
 * profile), and then behind a bearer token made now, at start, and left
 * owner-only in <data>/secrets/admin-token for `mlmon fault` and the alert
 * tests. A token already in the environment is kept, so that the person who set
 * it can go on using it. Off, the token file is removed. */
function gatewayAdminEnv(s: StackSettings, p: StackPaths): Record<string, string> {
  if (!s.faultInjection) {
    removeAdminToken(p.secretsDir);
    return { MLMON_GATEWAY_ADMIN: '', [ADMIN_TOKEN_ENV]: '' };
  }
  const given = process.env[ADMIN_TOKEN_ENV]?.trim();
  const token = createAdminToken(p.secretsDir, given || undefined);
  return { MLMON_GATEWAY_ADMIN: '1', [ADMIN_TOKEN_ENV]: token };
}

/** The ingest API's bearer token: new at every start (one leaked from an old run
 * opens nothing), owner-only in <data>/secrets/exporter-token where model
 * services and `mlmon status --json` find it. */
function exporterTokenFile(p: StackPaths): string {
  return resolve(writeSecretFile(p.secretsDir, EXPORTER_TOKEN_FILE, `${newToken()}\n`));
}

/** The process specs of a stack. `auth` is what the protected programs demand
 * (their readiness probes carry it). */
export function processSpecs(s: StackSettings, p: StackPaths, auth?: BasicCredentials): ProcessSpec[] {
  const addr = (c: ComponentName | 'notification-sink-smtp') => `${s.host}:${s.ports[c]}`;
  const http = (c: ComponentName, path = '') => urlOf(s, c, path);
  // Basic auth (and TLS) of the upstream programs, from the stack's web config.
  const webConfig = s.access ? [`--web.config.file=${s.access.webConfigFile}`] : [];
  const log = (c: ComponentName) => join(p.logsDir, `${c}.log`);
  const run = p.runDir;
  const specs: ProcessSpec[] = [
    {
      name: 'prometheus',
      candidates: ['prometheus'],
      args: [
        `--config.file=${join(run, RUN_FILES.prometheusYml)}`,
        `--storage.tsdb.path=${p.prometheusData}`,
        `--storage.tsdb.retention.time=${s.retentionTime}`,
        `--storage.tsdb.retention.size=${s.retentionSize}`,
        `--web.listen-address=${addr('prometheus')}`,
        `--web.external-url=${http('prometheus')}`,
        // No --web.enable-lifecycle: `mlmon reload` sends SIGHUP, so no HTTP
        // request (a form POST from any web page) can stop or reload Prometheus.
        ...webConfig,
        '--log.format=json',
        // The test profile repeats a failed send to Alertmanager within seconds
        // (the default 1m would delay an alert that fired before Alertmanager listened).
        ...(s.profile === 'test' ? ['--rules.alert.resend-delay=2s'] : []),
      ],
      ports: [s.ports.prometheus],
      readyUrl: http('prometheus', '/-/ready'),
      url: http('prometheus'),
      description: 'Metrics database, rules and query UI',
      logFile: log('prometheus'),
    },
    {
      name: 'alertmanager',
      candidates: ['prometheus-alertmanager', 'alertmanager'],
      args: [
        `--config.file=${join(run, RUN_FILES.alertmanagerYml)}`,
        `--storage.path=${p.alertmanagerData}`,
        `--web.listen-address=${addr('alertmanager')}`,
        `--web.external-url=${http('alertmanager')}`,
        // A single instance: no gossip port that would collide with another stack.
        '--cluster.listen-address=',
        ...webConfig,
        '--log.format=json',
      ],
      ports: [s.ports.alertmanager],
      readyUrl: http('alertmanager', '/-/ready'),
      url: http('alertmanager'),
      description: 'Alert grouping, routing, silences',
      logFile: log('alertmanager'),
    },
    {
      name: 'node-exporter',
      candidates: ['prometheus-node-exporter', 'node_exporter'],
      args: [`--web.listen-address=${addr('node-exporter')}`, ...webConfig, '--log.format=json'],
      ports: [s.ports['node-exporter']],
      readyUrl: http('node-exporter', '/metrics'),
      url: http('node-exporter', '/metrics'),
      description: 'Host metrics',
      logFile: log('node-exporter'),
    },
    {
      name: 'blackbox-exporter',
      candidates: ['prometheus-blackbox-exporter', 'blackbox_exporter'],
      args: [
        `--config.file=${join(run, RUN_FILES.blackboxYml)}`,
        `--web.listen-address=${addr('blackbox-exporter')}`,
        ...webConfig,
        '--log.format=json',
      ],
      ports: [s.ports['blackbox-exporter']],
      readyUrl: http('blackbox-exporter', '/-/healthy'),
      url: http('blackbox-exporter'),
      description: 'Endpoint probing (HTTP, TCP)',
      logFile: log('blackbox-exporter'),
    },
    {
      name: 'pushgateway',
      candidates: ['prometheus-pushgateway', 'pushgateway'],
      args: [
        `--web.listen-address=${addr('pushgateway')}`,
        `--persistence.file=${p.pushgatewayFile}`,
        '--persistence.interval=1m',
        ...webConfig,
        '--log.format=json',
      ],
      ports: [s.ports.pushgateway],
      readyUrl: http('pushgateway', '/-/ready'),
      url: http('pushgateway'),
      description: 'Batch and training job metrics',
      logFile: log('pushgateway'),
    },
    {
      name: 'notification-sink',
      candidates: [NODE],
      args: [
        mlmonBin,
        'serve',
        'sink',
        '--host',
        s.host,
        '--port',
        String(s.ports['notification-sink']),
        '--smtp-port',
        String(s.ports['notification-sink-smtp']),
        '--data-dir',
        p.dataDir,
      ],
      ports: [s.ports['notification-sink'], s.ports['notification-sink-smtp']],
      readyUrl: http('notification-sink', '/notifications?limit=1'),
      url: http('notification-sink', '/notifications'),
      description: 'Local Slack/PagerDuty/SMTP receiver',
      logFile: log('notification-sink'),
    },
    {
      name: 'inference-gateway',
      candidates: [NODE],
      args: [mlmonBin, 'serve', 'gateway', '--host', s.host, '--port', String(s.ports['inference-gateway']), '--data-dir', p.dataDir],
      env: gatewayAdminEnv(s, p),
      ports: [s.ports['inference-gateway']],
      readyUrl: http('inference-gateway', '/ready'),
      url: http('inference-gateway'),
      description: 'ML inference service (/predict)',
      logFile: log('inference-gateway'),
    },
    {
      name: 'ml-model-exporter',
      candidates: [NODE],
      args: [
        mlmonBin,
        'serve',
        'exporter',
        '--host',
        s.host,
        '--port',
        String(s.ports['ml-model-exporter']),
        '--data-dir',
        p.dataDir,
        '--tuning-file',
        join(s.configDir, MODEL_TUNING_FILE),
      ],
      ports: [s.ports['ml-model-exporter']],
      readyUrl: http('ml-model-exporter', '/metrics'),
      url: http('ml-model-exporter', '/metrics'),
      description: 'ML model metrics (drift, accuracy); ingest API /v1/events',
      logFile: log('ml-model-exporter'),
      ...(s.components.includes('ml-model-exporter') ? { auth: { tokenFile: exporterTokenFile(p) } } : {}),
    },
    {
      name: 'console',
      candidates: [NODE],
      args: [
        mlmonBin,
        'serve',
        'console',
        '--host',
        s.host,
        '--port',
        String(s.ports.console),
        '--data-dir',
        p.dataDir,
        '--config-dir',
        s.configDir,
        '--prometheus',
        http('prometheus'),
        '--alertmanager',
        http('alertmanager'),
        '--sink',
        http('notification-sink'),
      ],
      // The console's clients trust the stack's certificate when it serves HTTPS.
      ...(s.access?.tls ? { env: { NODE_EXTRA_CA_CERTS: s.access.tls.certFile } } : {}),
      ports: [s.ports.console],
      readyUrl: http('console', '/-/healthy'),
      url: http('console'),
      description: 'mlmon console: SLOs, model health, alerts',
      logFile: log('console'),
    },
  ];
  for (const spec of specs) {
    if (auth && (PROTECTED_COMPONENTS as readonly string[]).includes(spec.name)) spec.readyHeaders = authHeaders(auth);
  }
  return specs.filter((spec) => s.components.includes(spec.name));
}
