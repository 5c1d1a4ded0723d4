/** Names shared by the compose file and the container-mode Prometheus config,
 * defined once so the labels one side sets are the labels the other reads. */
import type { ComponentName } from '../definition/index.js';

/** Docker labels a container carries to be scraped. Prometheus sees them as
 * `__meta_docker_container_label_<name with every non-alphanumeric as _>`. */
export const SCRAPE_LABELS = {
  scrape: 'prometheus.io/scrape',
  /** The scrape job (the same job names as the native stack). */
  job: 'prometheus.io/job',
  port: 'prometheus.io/port',
  path: 'prometheus.io/path',
} as const;

export function metaLabel(dockerLabel: string): string {
  return `__meta_docker_container_label_${dockerLabel.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/** The compose project and its one network: Prometheus keeps only addresses
 * on this network, so a container attached to several is scraped once. */
export const PROJECT = 'mlmon';
export const NETWORK = 'mlmon';
export const DOCKER_SOCKET = '/var/run/docker.sock';

/** Pinned upstream images (the versions the configs are checked against). */
export const IMAGES = {
  prometheus: 'prom/prometheus:v2.48.0',
  alertmanager: 'prom/alertmanager:v0.26.0',
  'node-exporter': 'prom/node-exporter:v1.7.0',
  cadvisor: 'gcr.io/cadvisor/cadvisor:v0.47.2',
  'blackbox-exporter': 'prom/blackbox-exporter:v0.24.0',
  pushgateway: 'prom/pushgateway:v1.6.2',
} as const;

/** Our own services: the build target of docker/mlmon.Dockerfile and the image tag. */
export const OWN_SERVICES: Partial<Record<ComponentName, { target: string; image: string }>> = {
  'inference-gateway': { target: 'gateway', image: 'mlmon/gateway:0.1.0' },
  'ml-model-exporter': { target: 'exporter', image: 'mlmon/exporter:0.1.0' },
  'notification-sink': { target: 'sink', image: 'mlmon/sink:0.1.0' },
  console: { target: 'console', image: 'mlmon/console:0.1.0' },
};

/** cAdvisor exists only in container mode (the container:* recording rules read it). */
export const CADVISOR = { service: 'cadvisor', job: 'cadvisor', port: 8080 } as const;

/** Where files live inside the containers. */
export const MOUNTS = {
  prometheusConfigDir: '/etc/prometheus',
  prometheusData: '/prometheus',
  /** The folder mounted from the host: alertmanager.yml, and secrets/ when
   * `mlmon compose configure` wrote one. A folder rather than a file, so the
   * committed sink-only config and a configured one are swapped by one variable. */
  alertmanagerConfigDir: '/etc/alertmanager/config',
  /** Beside (not inside) the config folder: a read-only bind mount cannot
   * have a mount point created inside it. */
  alertmanagerTemplatesDir: '/etc/alertmanager/templates',
  alertmanagerData: '/alertmanager',
  blackboxConfig: '/etc/blackbox_exporter/config.yml',
  /** The pushgateway image's working folder, owned by its non-root user. */
  pushgatewayData: '/pushgateway',
  /** Data folder of our services (made by the Dockerfile, owned by `node`). */
  mlmonData: '/data',
  /** The stack's login, as `mlmon compose configure` wrote it: web-config.yml
   * (the bcrypt hash the upstream programs check), admin-user and
   * admin-password (what the clients present). Mounted read-only into every
   * container that checks or presents it. */
  login: '/etc/mlmon/login',
} as const;

/** The user name of the compose stack's login: the committed Prometheus,
 * blackbox and Alertmanager configs name it (none of them can read a user
 * name from a file), so `mlmon compose configure` accepts no other. */
export const COMPOSE_ADMIN_USER = 'admin';

/** The host the native renderers are given in container mode. `.invalid`
 * never resolves, so an address that escapes the rewrite to service names
 * fails loudly instead of scraping the wrong host. */
export const PLACEHOLDER_HOST = 'mlmon-container.invalid';

/** Nobody's group in the prom/* images (busybox `nogroup`). */
export const IMAGE_USER_GID = 65534;

/** Variables the compose file reads (from `.env` beside it, or the shell),
 * with the default it falls back on. .env.example documents each of them. */
export const COMPOSE_VARIABLES = {
  /** Host address the published ports bind to. */
  bindAddress: { name: 'MLMON_BIND_ADDRESS', default: '127.0.0.1' },
  /** Group owning the Docker socket, added to the Prometheus container for docker_sd. */
  dockerGid: { name: 'DOCKER_GID', default: '999' },
  /** Host folder mounted as the Alertmanager config folder. */
  alertmanagerConfigDir: { name: 'MLMON_ALERTMANAGER_CONFIG_DIR', default: './docker/alertmanager' },
  /** Host folder holding the stack's login (MOUNTS.login). Required: without it
   * compose refuses to start, so nothing ever runs without a login. */
  loginDir: {
    name: 'MLMON_LOGIN_DIR',
    default: '',
    required: 'run `mlmon compose configure` first: it writes the login of the stack',
  },
  /** Group that may read the configured folders' secrets (files 0640), added to
   * every container that reads them. The default is the image user's own group
   * (nobody's 65534), which adds nothing. */
  secretsGid: { name: 'MLMON_SECRETS_GID', default: String(IMAGE_USER_GID) },
  /** Grafana's admin password: required, so Grafana never starts with its well-known default. */
  grafanaAdminPassword: { name: 'GRAFANA_ADMIN_PASSWORD', default: '', required: 'set GRAFANA_ADMIN_PASSWORD in .env' },
} as const;

export interface ComposeVariable {
  name: string;
  default: string;
  /** Set for a variable without a usable default: compose refuses to start, printing this. */
  required?: string;
}

/** `${NAME:-default}`: compose interpolation with the documented default
 * (`${NAME:?message}` for a required variable). */
export function composeVariable(v: ComposeVariable): string {
  return v.required ? `\${${v.name}:?${v.required}}` : `\${${v.name}:-${v.default}}`;
}

/** The blackbox config the compose file mounts (committed, generated). */
export const COMPOSE_BLACKBOX_CONFIG = 'docker/blackbox/blackbox.yml';

/** Where `mlmon compose configure` writes by default (git-ignored). */
export const CONFIGURED_ALERTMANAGER_DIR = 'docker/local/alertmanager';
export const CONFIGURED_LOGIN_DIR = 'docker/local/login';

export const CONTAINER_HEADER = 'Generated by `mlmon generate` from the stack definition (src/stack/, src/container/). Do not edit.';
