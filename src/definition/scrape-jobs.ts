import { parseDuration } from '../duration.js';
import { renderRemoteWrite } from './remote-write.js';
import { PROTECTED_COMPONENTS, schemeOf, type ComponentName, type StackAccess, type StackSettings } from './settings.js';

/** A file_sd target group as Prometheus reads it from JSON or YAML. */
export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

/** A scrape job of the native stack: its Prometheus block plus the file_sd
 * target groups rendered into `targets/<job>.json`. */
export interface ScrapeJob {
  job: string;
  /** Component that must run for this job to have targets. */
  component: ComponentName;
  config: Record<string, unknown>;
  targets: TargetGroup[];
}

/** Families dropped at scrape time: high cardinality, nobody queries them.
 * `prometheus_http_response_size_bytes` has one histogram per HTTP handler of
 * Prometheus (~70 handlers x 9 buckets); request durations are kept for self-monitoring. */
export const DROPPED_FAMILIES = ['prometheus_http_response_size_bytes_bucket'];

/** Most series one scrape of the Pushgateway may bring: a push of more is
 * refused whole (the target goes down, PushgatewayScrapeRefused fires) instead
 * of flooding the TSDB. Training runs push a handful per model. */
export const PUSHGATEWAY_SAMPLE_LIMIT = 5000;

/** A pushed group whose job names a job the stack scrapes itself gets this
 * prefix, so pushed series never enter the selectors of scraped ones (the SLO's
 * `job="inference-gateway"`). */
export const PUSHED_JOB_PREFIX = 'pushed_';

/** The blackbox module that probes the stack's protected programs with the admin credentials. */
export const STACK_AUTH_PROBE_MODULE = 'http_2xx_stack_auth';

function hostPort(s: StackSettings, c: ComponentName): string {
  return `${s.host}:${s.ports[c]}`;
}

function fileSd(job: string): Record<string, unknown> {
  return { file_sd_configs: [{ files: [`targets/${job}.yml`], refresh_interval: '30s' }] };
}

/** How Prometheus reaches a protected program: basic auth with the password
 * read from its file at every scrape, and HTTPS when the stack serves it. */
export function clientAuthConfig(access: StackAccess | undefined): Record<string, unknown> {
  if (!access) return {};
  return {
    basic_auth: { username: access.username, password_file: access.passwordFile },
    ...(access.tls ? { scheme: 'https', tls_config: { ca_file: access.tls.certFile } } : {}),
  };
}

/** The Pushgateway's scrape job: pushed groups keep their own job and instance
 * (honor_labels), except that a job named like one the stack scrapes directly
 * is renamed, and a push of more than the limit is refused. `scrapedJobs` are
 * the job names to protect. */
export function pushgatewayScrapeConfig(scrapedJobs: readonly string[]): Record<string, unknown> {
  const names = [...new Set(scrapedJobs)].filter((j) => j !== 'pushgateway').sort();
  return {
    honor_labels: true,
    sample_limit: PUSHGATEWAY_SAMPLE_LIMIT,
    metric_relabel_configs: [
      {
        source_labels: ['job'],
        regex: `(${names.map(escapeRegex).join('|')})`,
        target_label: 'job',
        replacement: `${PUSHED_JOB_PREFIX}$1`,
      },
    ],
  };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every scrape job of the native stack, from the typed definition. */
export function scrapeJobs(s: StackSettings): ScrapeJob[] {
  const has = (c: ComponentName) => s.components.includes(c);
  const jobs: ScrapeJob[] = [];
  const protectedAuth = (c: ComponentName) => ((PROTECTED_COMPONENTS as readonly string[]).includes(c) ? clientAuthConfig(s.access) : {});
  const simple = (job: string, component: ComponentName, extra: Record<string, unknown> = {}, service?: string) => {
    jobs.push({
      job,
      component,
      config: { job_name: job, ...fileSd(job), ...protectedAuth(component), ...extra },
      targets: [{ targets: [hostPort(s, component)], labels: service ? { service } : {} }],
    });
  };
  simple('prometheus', 'prometheus', {
    metric_relabel_configs: [{ source_labels: ['__name__'], regex: DROPPED_FAMILIES.join('|'), action: 'drop' }],
  });
  simple('alertmanager', 'alertmanager');
  simple('node', 'node-exporter');
  // Pushed series carry the pushing job's own job/instance labels, but never
  // those of a job scraped here (see pushgatewayScrapeConfig).
  simple('pushgateway', 'pushgateway', pushgatewayScrapeConfig([...SCRAPED_JOB_NAMES, CUSTOM_JOB]));
  simple('blackbox-exporter', 'blackbox-exporter');
  simple('inference-gateway', 'inference-gateway', { sample_limit: 20000 }, 'inference-gateway');
  simple('ml-model-exporter', 'ml-model-exporter', { sample_limit: 50000 }, 'ml-model-exporter');
  if (has('notification-sink')) simple('notification-sink', 'notification-sink', {}, 'notification-sink');

  // Blackbox probes: one job; each target group names its module, which the
  // relabeling turns into the `module` URL parameter of /probe, and the service
  // it probes, so that ProbeFailed says whose service failed and is routed and
  // inhibited with that service's other alerts.
  const probes: TargetGroup[] = [];
  const probe = (module: string, service: ComponentName, target: string): void => {
    if (has(service)) probes.push({ targets: [target], labels: { module, service } });
  };
  probe('http_2xx', 'inference-gateway', `http://${hostPort(s, 'inference-gateway')}/health`);
  // Prometheus and Alertmanager answer only with the credentials: their probes
  // use the module that carries them (added to blackbox.yml of the run directory).
  const ownModule = s.access ? STACK_AUTH_PROBE_MODULE : 'http_2xx';
  probe(ownModule, 'prometheus', `${schemeOf(s, 'prometheus')}://${hostPort(s, 'prometheus')}/-/ready`);
  probe(ownModule, 'alertmanager', `${schemeOf(s, 'alertmanager')}://${hostPort(s, 'alertmanager')}/-/ready`);
  probe('tcp_connect', 'inference-gateway', hostPort(s, 'inference-gateway'));
  probe('tcp_connect', 'ml-model-exporter', hostPort(s, 'ml-model-exporter'));
  probe('tcp_connect', 'pushgateway', hostPort(s, 'pushgateway'));
  jobs.push({
    job: 'blackbox',
    component: 'blackbox-exporter',
    config: {
      job_name: 'blackbox',
      metrics_path: '/probe',
      ...clientAuthConfig(s.access),
      ...fileSd('blackbox'),
      relabel_configs: [
        { source_labels: ['__address__'], target_label: '__param_target' },
        { source_labels: ['module'], target_label: '__param_module' },
        { source_labels: ['__param_target'], target_label: 'instance' },
        { target_label: '__address__', replacement: hostPort(s, 'blackbox-exporter') },
      ],
    },
    targets: probes,
  });
  return jobs.filter((j) => has(j.component));
}

/** Scrape job for user targets: every `*.yml`/`*.json` file in `customTargetsGlob`'s
 * folder is read by file_sd and re-read on change, so a target added there is
 * scraped without a restart. A target group may set its own `job` label. */
/** Job names of the stack's own scrape jobs (whatever the settings), which a pushed group may not take. */
export const SCRAPED_JOB_NAMES = [
  'prometheus',
  'alertmanager',
  'node',
  'blackbox-exporter',
  'inference-gateway',
  'ml-model-exporter',
  'notification-sink',
  'blackbox',
] as const;
const CUSTOM_JOB = 'custom';

function customJob(customTargetsDir: string): Record<string, unknown> {
  return {
    job_name: CUSTOM_JOB,
    file_sd_configs: [
      { files: [`${customTargetsDir}/*.yml`, `${customTargetsDir}/*.yaml`, `${customTargetsDir}/*.json`], refresh_interval: '30s' },
    ],
  };
}

export interface PrometheusConfigOptions {
  /** Folder of the user's file_sd files (absolute in a run directory, relative in config/). */
  customTargetsDir: string;
  /** Rule files beside prometheus.yml (a missing one would fail the config check). */
  ruleFiles: readonly string[];
}

/** The Prometheus configuration object of the native stack (pure). */
export function renderPrometheusConfig(s: StackSettings, opts: PrometheusConfigOptions): Record<string, unknown> {
  const config: Record<string, unknown> = {
    global: {
      scrape_interval: s.scrapeInterval,
      scrape_timeout: minDuration(s.scrapeInterval, '10s'),
      evaluation_interval: s.evaluationInterval,
      external_labels: { cluster: s.cluster, environment: s.environment },
    },
    rule_files: [...opts.ruleFiles],
    scrape_configs: [...scrapeJobs(s).map((j) => j.config), customJob(opts.customTargetsDir)],
  };
  if (s.components.includes('alertmanager')) {
    config.alerting = {
      alertmanagers: [{ ...clientAuthConfig(s.access), static_configs: [{ targets: [hostPort(s, 'alertmanager')] }] }],
    };
  }
  if (s.remoteWrite) config.remote_write = renderRemoteWrite(s.remoteWrite);
  return config;
}

function minDuration(a: string, b: string): string {
  return parseDuration(a) <= parseDuration(b) ? a : b;
}
