import { isAbsolute, join, resolve } from 'node:path';
import { configDir } from '../paths.js';
import type { Profile } from './profile.js';
import type { RemoteWriteSettings } from './remote-write.js';

/** Every process of the stack, by the name used in logs, state and the services table. */
export const COMPONENT_NAMES = [
  'prometheus',
  'alertmanager',
  'node-exporter',
  'blackbox-exporter',
  'pushgateway',
  'notification-sink',
  'inference-gateway',
  'ml-model-exporter',
  'console',
] as const;
export type ComponentName = (typeof COMPONENT_NAMES)[number];

/** Ports: one per component, plus the notification sink's SMTP listener. */
export type PortName = ComponentName | 'notification-sink-smtp';

/** The components a stack runs unless told otherwise (`--without` leaves one out). */
export const DEFAULT_COMPONENTS: readonly ComponentName[] = COMPONENT_NAMES;

/** Default ports: the upstream programs' own defaults (Prometheus 9090, Alertmanager
 * 9093, ...), and fixed ones for our services, written in docs and dashboards. */
export const DEFAULT_PORTS: Readonly<Record<PortName, number>> = {
  prometheus: 9090,
  alertmanager: 9093,
  'node-exporter': 9100,
  'blackbox-exporter': 9115,
  pushgateway: 9091,
  'notification-sink': 9097,
  'notification-sink-smtp': 9098,
  'inference-gateway': 8000,
  'ml-model-exporter': 9101,
  console: 9099,
};

/** Components whose upstream program demands the stack's admin credentials
 * (basic auth through `--web.config.file`). */
export const PROTECTED_COMPONENTS: readonly ComponentName[] = [
  'prometheus',
  'alertmanager',
  'node-exporter',
  'blackbox-exporter',
  'pushgateway',
];

/** Where the admin credentials of a stack live (paths only: never the secret). */
export interface StackAccess {
  username: string;
  /** Owner-only file holding the password (what clients and scrape configs read). */
  passwordFile: string;
  /** The web configuration (bcrypt hash, TLS) the protected programs read. */
  webConfigFile: string;
  /** HTTPS on the protected programs: the certificate clients trust. */
  tls?: { certFile: string; keyFile: string };
}

/** The one typed definition of a running stack. Everything rendered for it
 * (Prometheus, Alertmanager and exporter configs, process command lines, the
 * services table) derives from this value. */
export interface StackSettings {
  /** Absolute path of the data directory: TSDB, logs, rendered config, state. */
  dataDir: string;
  /** Folder of the source configuration (prometheus/, alertmanager/, exporters/, slos.yaml). */
  configDir: string;
  /** Address every component binds to. */
  host: string;
  ports: Record<PortName, number>;
  /** External labels of Prometheus. */
  cluster: string;
  environment: string;
  retentionTime: string;
  retentionSize: string;
  scrapeInterval: string;
  evaluationInterval: string;
  profile: Profile;
  /** Starts the gateway with its loopback-only fault control (for alert tests). */
  faultInjection: boolean;
  /** Components this stack runs (the rest are left out of configs and the table). */
  components: ComponentName[];
  /** Forward the SLO and alert series to long-term storage (off when absent). */
  remoteWrite?: RemoteWriteSettings;
  /** Admin credentials of the protected components (set by `mlmon up`; absent only
   * for configs rendered without a stack, which then carry no credentials). */
  access?: StackAccess;
}

/** The SLO catalog's name in the run directory. */
export const RUN_SLO_CATALOG = 'slo_catalog.json';

export interface StackPaths {
  dataDir: string;
  /** Rendered configuration, rewritten at every start. */
  runDir: string;
  /** The SLO catalog of the rules Prometheus was last given (in the run directory). */
  sloCatalogFile: string;
  logsDir: string;
  stateFile: string;
  supervisorPidFile: string;
  prometheusData: string;
  alertmanagerData: string;
  pushgatewayFile: string;
  /** Model registry: <registryDir>/<model>/<version>/. */
  registryDir: string;
  /** Inference event spool written by the gateway, read by the exporter. */
  eventsDir: string;
  exporterStateDir: string;
  sinkDir: string;
  secretsDir: string;
}

export function stackPaths(dataDir: string): StackPaths {
  const d = resolve(dataDir);
  return {
    dataDir: d,
    runDir: join(d, 'run'),
    sloCatalogFile: join(d, 'run', RUN_SLO_CATALOG),
    logsDir: join(d, 'logs'),
    stateFile: join(d, 'state.json'),
    supervisorPidFile: join(d, 'supervisor.pid'),
    prometheusData: join(d, 'prometheus'),
    alertmanagerData: join(d, 'alertmanager'),
    pushgatewayFile: join(d, 'pushgateway', 'metrics.store'),
    registryDir: join(d, 'registry'),
    eventsDir: join(d, 'events'),
    exporterStateDir: join(d, 'exporter'),
    sinkDir: join(d, 'notifications'),
    secretsDir: join(d, 'secrets'),
  };
}

/** The data directory when none is given: `./data`, or `MLMON_DATA_DIR`. */
export const DEFAULT_DATA_DIR = 'data';
export const DATA_DIR_ENV = 'MLMON_DATA_DIR';

/** The data directory a command uses: the flag, else MLMON_DATA_DIR, else ./data (absolute). */
export function dataDirFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag || env[DATA_DIR_ENV] || DEFAULT_DATA_DIR);
}

export function defaultSettings(overrides: Partial<StackSettings> = {}): StackSettings {
  const base: StackSettings = {
    dataDir: resolve(DEFAULT_DATA_DIR),
    configDir,
    host: '127.0.0.1',
    ports: { ...DEFAULT_PORTS },
    cluster: 'local',
    environment: 'development',
    // The longest SLO period (30d) plus the catch-up horizon (2h): a period's events
    // are the difference of two counts, the older one a period back.
    retentionTime: '31d',
    retentionSize: '10GB',
    scrapeInterval: '15s',
    evaluationInterval: '15s',
    profile: 'production',
    faultInjection: false,
    components: [...DEFAULT_COMPONENTS],
  };
  const merged = { ...base, ...overrides, ports: { ...base.ports, ...(overrides.ports ?? {}) } };
  if (!isAbsolute(merged.dataDir)) merged.dataDir = resolve(merged.dataDir);
  if (!isAbsolute(merged.configDir)) merged.configDir = resolve(merged.configDir);
  return merged;
}

/** http, or https for a protected component of a stack that serves TLS. */
export function schemeOf(settings: StackSettings, component: PortName): 'http' | 'https' {
  return settings.access?.tls && (PROTECTED_COMPONENTS as readonly string[]).includes(component) ? 'https' : 'http';
}

export function urlOf(settings: StackSettings, component: PortName, path = ''): string {
  return `${schemeOf(settings, component)}://${settings.host}:${settings.ports[component]}${path}`;
}
