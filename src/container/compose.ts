import { ALERTMANAGER_CONFIG_FILE } from '../alerting/index.js';
import { GRAFANA, GRAFANA_DIRS, RULE_FILES } from '../definition/index.js';
import { CATALOG_FILE } from '../slo/index.js';
import type { ComponentName, StackSettings } from '../definition/index.js';
import {
  CADVISOR,
  COMPOSE_VARIABLES,
  DOCKER_SOCKET,
  IMAGES,
  MOUNTS,
  NETWORK,
  OWN_SERVICES,
  PROJECT,
  SCRAPE_LABELS,
  COMPOSE_BLACKBOX_CONFIG,
  composeVariable,
} from './conventions.js';
import { scrapedComponents } from './prometheus.js';

type Service = Record<string, unknown>;

/** Host ports are published on this address (loopback unless .env says otherwise). */
const BIND = composeVariable(COMPOSE_VARIABLES.bindAddress);

const VOLUMES = {
  prometheus: 'prometheus-data',
  alertmanager: 'alertmanager-data',
  pushgateway: 'pushgateway-data',
  /** Shared by the gateway and the exporter: model registry and inference event spool. */
  mlmon: 'mlmon-data',
  sink: 'sink-data',
  grafana: 'grafana-data',
} as const;

/** The prom/* images are busybox-based: wget is there, curl is not. */
function wgetCheck(url: string): Record<string, unknown> {
  return { test: ['CMD', 'wget', '-q', '--spider', url], interval: '15s', timeout: '5s', retries: 3, start_period: '20s' };
}

/** The upstream programs ask every client for the login, health checks
 * included, and a check may not carry the password: busybox wget takes it only
 * on its command line, which every local user can read in /proc. So the check
 * asks without it and passes on the 401: the program is serving, and serving
 * behind its login (one that answered 200 without it would fail the check). */
function loginCheck(url: string): Record<string, unknown> {
  return {
    test: ['CMD-SHELL', `wget -q -O /dev/null ${url} 2>&1 | grep -q 'HTTP/1.1 401'`],
    interval: '15s',
    timeout: '5s',
    retries: 3,
    start_period: '20s',
  };
}

/** Our images hold node and nothing else, so the check is node's fetch. */
function nodeCheck(url: string): Record<string, unknown> {
  const js = `fetch('${url}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`;
  return { test: ['CMD', 'node', '-e', js], interval: '15s', timeout: '5s', retries: 3, start_period: '30s' };
}

function publish(port: number): string {
  return `${BIND}:${port}:${port}`;
}

function scrapeLabels(job: string, port: number): Record<string, string> {
  return { [SCRAPE_LABELS.scrape]: 'true', [SCRAPE_LABELS.job]: job, [SCRAPE_LABELS.port]: String(port) };
}

const common = { restart: 'unless-stopped', networks: [NETWORK] };

/** The login folder, mounted read-only; compose refuses to start while
 * MLMON_LOGIN_DIR is unset, so no container ever runs without it. */
const LOGIN_VOLUME = `${composeVariable(COMPOSE_VARIABLES.loginDir)}:${MOUNTS.login}:ro`;
/** The group that may read it (its files are 0640). */
const SECRETS_GROUP = composeVariable(COMPOSE_VARIABLES.secretsGid);

/** The protected upstream programs' flag: basic auth against the bcrypt hash of the login folder. */
function webConfigFlag(s: StackSettings): string[] {
  return s.access ? [`--web.config.file=${s.access.webConfigFile}`] : [];
}

/** The compose file of the stack (pure): every default component at a pinned
 * version (ours built from docker/mlmon.Dockerfile), health checks, named
 * volumes, restart policies, and the Docker labels that the container-mode
 * Prometheus config discovers, derived from the same scrape jobs. */
export function renderComposeFile(s: StackSettings): Record<string, unknown> {
  const p = s.ports;
  const labelsOf = new Map(scrapedComponents(s).map((j) => [j.component, scrapeLabels(j.job, j.port)]));
  const labels = (c: ComponentName) => ({ labels: labelsOf.get(c) ?? {} });
  const has = (c: ComponentName) => s.components.includes(c);
  const services: Record<string, Service> = {};

  if (has('prometheus')) {
    services.prometheus = {
      image: IMAGES.prometheus,
      command: [
        `--config.file=${MOUNTS.prometheusConfigDir}/prometheus.yml`,
        `--storage.tsdb.path=${MOUNTS.prometheusData}`,
        `--storage.tsdb.retention.time=${s.retentionTime}`,
        `--storage.tsdb.retention.size=${s.retentionSize}`,
        `--web.external-url=http://localhost:${p.prometheus}`,
        `--web.listen-address=:${p.prometheus}`,
        // No --web.enable-lifecycle: reload with `docker compose kill -s HUP prometheus`.
        ...webConfigFlag(s),
      ],
      ports: [publish(p.prometheus)],
      volumes: [
        `./docker/prometheus/prometheus.yml:${MOUNTS.prometheusConfigDir}/prometheus.yml:ro`,
        ...RULE_FILES.map((f) => `./config/prometheus/${f}:${MOUNTS.prometheusConfigDir}/${f}:ro`),
        `./config/prometheus/targets/custom:${MOUNTS.prometheusConfigDir}/targets/custom:ro`,
        `${VOLUMES.prometheus}:${MOUNTS.prometheusData}`,
        `${DOCKER_SOCKET}:${DOCKER_SOCKET}:ro`,
        LOGIN_VOLUME,
      ],
      // The image runs as nobody; docker_sd needs the socket's group (see docs/ARCHITECTURE.md, "Containers and scale-out"),
      // the scrapes and alert deliveries the login's.
      group_add: [composeVariable(COMPOSE_VARIABLES.dockerGid), SECRETS_GROUP],
      healthcheck: loginCheck(`http://127.0.0.1:${p.prometheus}/-/ready`),
      ...labels('prometheus'),
      ...common,
    };
  }
  if (has('alertmanager')) {
    services.alertmanager = {
      image: IMAGES.alertmanager,
      command: [
        `--config.file=${MOUNTS.alertmanagerConfigDir}/${ALERTMANAGER_CONFIG_FILE}`,
        `--storage.path=${MOUNTS.alertmanagerData}`,
        `--web.external-url=http://localhost:${p.alertmanager}`,
        `--web.listen-address=:${p.alertmanager}`,
        '--cluster.listen-address=',
        ...webConfigFlag(s),
      ],
      ports: [publish(p.alertmanager)],
      volumes: [
        // The committed sink-only folder, or the one `mlmon compose configure` wrote (see .env.example).
        `${composeVariable(COMPOSE_VARIABLES.alertmanagerConfigDir)}:${MOUNTS.alertmanagerConfigDir}:ro`,
        `./config/alertmanager/templates:${MOUNTS.alertmanagerTemplatesDir}:ro`,
        `${VOLUMES.alertmanager}:${MOUNTS.alertmanagerData}`,
        LOGIN_VOLUME,
      ],
      // The image runs as nobody; the configured folders' secrets are readable by one host group only (0640).
      group_add: [SECRETS_GROUP],
      healthcheck: loginCheck(`http://127.0.0.1:${p.alertmanager}/-/ready`),
      ...labels('alertmanager'),
      ...common,
    };
  }
  if (has('node-exporter')) {
    services['node-exporter'] = {
      image: IMAGES['node-exporter'],
      command: ['--path.rootfs=/host', `--web.listen-address=:${p['node-exporter']}`, ...webConfigFlag(s)],
      pid: 'host',
      volumes: ['/:/host:ro,rslave', LOGIN_VOLUME],
      group_add: [SECRETS_GROUP],
      healthcheck: loginCheck(`http://127.0.0.1:${p['node-exporter']}/metrics`),
      ...labels('node-exporter'),
      ...common,
    };
  }
  services[CADVISOR.service] = {
    image: IMAGES.cadvisor,
    command: ['--docker_only=true', '--housekeeping_interval=15s', `--port=${CADVISOR.port}`],
    privileged: true,
    devices: ['/dev/kmsg'],
    volumes: ['/:/rootfs:ro', '/var/run:/var/run:ro', '/sys:/sys:ro', '/var/lib/docker/:/var/lib/docker:ro', '/dev/disk/:/dev/disk:ro'],
    healthcheck: wgetCheck(`http://127.0.0.1:${CADVISOR.port}/healthz`),
    labels: scrapeLabels(CADVISOR.job, CADVISOR.port),
    ...common,
  };
  if (has('blackbox-exporter')) {
    services['blackbox-exporter'] = {
      image: IMAGES['blackbox-exporter'],
      command: [`--config.file=${MOUNTS.blackboxConfig}`, `--web.listen-address=:${p['blackbox-exporter']}`, ...webConfigFlag(s)],
      // The modules of config/exporters/blackbox.yml plus the one that probes Prometheus and Alertmanager with the login.
      volumes: [`./${COMPOSE_BLACKBOX_CONFIG}:${MOUNTS.blackboxConfig}:ro`, LOGIN_VOLUME],
      group_add: [SECRETS_GROUP],
      healthcheck: loginCheck(`http://127.0.0.1:${p['blackbox-exporter']}/-/healthy`),
      ...labels('blackbox-exporter'),
      ...common,
    };
  }
  if (has('pushgateway')) {
    services.pushgateway = {
      image: IMAGES.pushgateway,
      command: [
        `--persistence.file=${MOUNTS.pushgatewayData}/metrics.store`,
        '--persistence.interval=1m',
        `--web.listen-address=:${p.pushgateway}`,
        ...webConfigFlag(s),
      ],
      ports: [publish(p.pushgateway)],
      volumes: [`${VOLUMES.pushgateway}:${MOUNTS.pushgatewayData}`, LOGIN_VOLUME],
      group_add: [SECRETS_GROUP],
      healthcheck: loginCheck(`http://127.0.0.1:${p.pushgateway}/-/ready`),
      ...labels('pushgateway'),
      ...common,
    };
  }
  const own = (
    c: ComponentName,
    serve: string,
    extra: string[],
    volume: string,
    readyPath: string,
    published: number[],
    login = false,
  ): void => {
    const o = OWN_SERVICES[c];
    if (!has(c) || !o) return;
    services[c] = {
      build: { context: '.', dockerfile: 'docker/mlmon.Dockerfile', target: o.target },
      image: o.image,
      command: [
        'serve',
        serve,
        '--host',
        '0.0.0.0',
        '--port',
        String(p[c]),
        ...extra,
        '--data-dir',
        MOUNTS.mlmonData,
        // Asks its clients for the stack's login, and refuses to start without it.
        ...(login ? ['--login-dir', MOUNTS.login, '--require-login'] : []),
      ],
      ...(published.length > 0 ? { ports: published.map(publish) } : {}),
      volumes: [`${volume}:${MOUNTS.mlmonData}`, ...(login ? [LOGIN_VOLUME] : [])],
      // The image runs as node (1000); the login's files are readable by one group.
      ...(login ? { group_add: [SECRETS_GROUP] } : {}),
      healthcheck: nodeCheck(`http://127.0.0.1:${p[c]}${readyPath}`),
      ...labels(c),
      ...common,
    };
  };
  own(
    'notification-sink',
    'sink',
    ['--smtp-port', String(p['notification-sink-smtp'])],
    VOLUMES.sink,
    '/ready',
    [p['notification-sink']],
    true,
  );
  own('inference-gateway', 'gateway', [], VOLUMES.mlmon, '/ready', [p['inference-gateway']]);
  own('ml-model-exporter', 'exporter', [], VOLUMES.mlmon, '/metrics', []);
  // The console reads the APIs over the compose network; its links open them on the host.
  own(
    'console',
    'console',
    [
      '--config-dir',
      '/app/config',
      '--prometheus',
      `http://prometheus:${p.prometheus}`,
      '--alertmanager',
      `http://alertmanager:${p.alertmanager}`,
      '--sink',
      `http://notification-sink:${p['notification-sink']}`,
      '--prometheus-public-url',
      `http://127.0.0.1:${p.prometheus}`,
      '--alertmanager-public-url',
      `http://127.0.0.1:${p.alertmanager}`,
    ],
    VOLUMES.mlmon,
    '/-/healthy',
    [p.console],
    true,
  );
  // The SLO catalog beside the rule files Prometheus mounts, not the image's copy:
  // the console shows the SLOs of the rules Prometheus runs.
  const console = services.console as { volumes: string[] } | undefined;
  console?.volumes.push(`./config/prometheus/${CATALOG_FILE}:/app/config/prometheus/${CATALOG_FILE}:ro`);
  // Grafana with the generated dashboards and a datasource of fixed uid, both
  // provisioned read-only; its own user (uid 472), no anonymous access, no
  // sign-up, and an admin password compose refuses to start without.
  if (has('prometheus')) {
    services.grafana = {
      image: GRAFANA.image,
      user: String(GRAFANA.uid),
      ports: [publish(GRAFANA.port)],
      environment: {
        GF_SECURITY_ADMIN_USER: 'admin',
        GF_SECURITY_ADMIN_PASSWORD: composeVariable(COMPOSE_VARIABLES.grafanaAdminPassword),
        GF_AUTH_ANONYMOUS_ENABLED: 'false',
        GF_USERS_ALLOW_SIGN_UP: 'false',
        GF_SECURITY_DISABLE_GRAVATAR: 'true',
        GF_ANALYTICS_REPORTING_ENABLED: 'false',
        GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
        GF_SERVER_HTTP_PORT: String(GRAFANA.port),
        GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: `${GRAFANA.dashboardsMount}/${GRAFANA.homeDashboardUid}.json`,
      },
      volumes: [
        `./${GRAFANA_DIRS.provisioning}:${GRAFANA.provisioningMount}:ro`,
        `./${GRAFANA_DIRS.dashboards}:${GRAFANA.dashboardsMount}:ro`,
        `${VOLUMES.grafana}:/var/lib/grafana`,
        // The datasource reads the login's password from here ($__file in its provisioning).
        LOGIN_VOLUME,
      ],
      group_add: [SECRETS_GROUP],
      // The image is Alpine-based: busybox wget is there.
      healthcheck: wgetCheck(`http://127.0.0.1:${GRAFANA.port}/api/health`),
      ...common,
    };
  }
  // Start order follows the data flow; `service_healthy` waits for the health checks.
  const after = (svc: string, deps: string[]) => {
    const present = deps.filter((d) => services[d]);
    if (services[svc] && present.length > 0)
      services[svc].depends_on = Object.fromEntries(present.map((d) => [d, { condition: 'service_healthy' }]));
  };
  after('prometheus', ['alertmanager']);
  after('alertmanager', ['notification-sink']);
  after('ml-model-exporter', ['inference-gateway']);
  after('console', ['prometheus', 'alertmanager']);
  after('grafana', ['prometheus']);

  return {
    name: PROJECT,
    services,
    networks: { [NETWORK]: { name: NETWORK } },
    volumes: Object.fromEntries(Object.values(VOLUMES).map((v) => [v, {}])),
  };
}
