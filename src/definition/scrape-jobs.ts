import { parseDuration } from '../duration.js';
import { renderRemoteWrite } from './remote-write.js';
import type { ComponentName, StackSettings } from './settings.js';

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

export const RULE_FILES = ['recording_rules.yml', 'alerting_rules.yml', 'slo_alerting_rules.yml'] as const;

function hostPort(s: StackSettings, c: ComponentName): string {
  return `${s.host}:${s.ports[c]}`;
}

function fileSd(job: string): Record<string, unknown> {
  return { file_sd_configs: [{ files: [`targets/${job}.yml`], refresh_interval: '30s' }] };
}

/** Every scrape job of the native stack, from the typed definition. */
export function scrapeJobs(s: StackSettings): ScrapeJob[] {
  const has = (c: ComponentName) => s.components.includes(c);
  const jobs: ScrapeJob[] = [];
  const simple = (job: string, component: ComponentName, extra: Record<string, unknown> = {}, service?: string) => {
    jobs.push({
      job,
      component,
      config: { job_name: job, ...fileSd(job), ...extra },
      targets: [{ targets: [hostPort(s, component)], labels: service ? { service } : {} }],
    });
  };
  simple('prometheus', 'prometheus', {
    metric_relabel_configs: [{ source_labels: ['__name__'], regex: DROPPED_FAMILIES.join('|'), action: 'drop' }],
  });
  simple('alertmanager', 'alertmanager');
  simple('node', 'node-exporter');
  // Pushed series carry the pushing job's own job/instance labels: keep them.
  simple('pushgateway', 'pushgateway', { honor_labels: true });
  simple('blackbox-exporter', 'blackbox-exporter');
  simple('inference-gateway', 'inference-gateway', { sample_limit: 20000 }, 'inference-gateway');
  simple('ml-model-exporter', 'ml-model-exporter', { sample_limit: 50000 }, 'ml-model-exporter');
  if (has('notification-sink')) simple('notification-sink', 'notification-sink', {}, 'notification-sink');

  // Blackbox probes: one job; each target group names its module, which the
  // relabeling turns into the `module` URL parameter of /probe.
  const probes: TargetGroup[] = [];
  const http: string[] = [];
  if (has('inference-gateway')) http.push(`http://${hostPort(s, 'inference-gateway')}/health`);
  http.push(`http://${hostPort(s, 'prometheus')}/-/ready`);
  if (has('alertmanager')) http.push(`http://${hostPort(s, 'alertmanager')}/-/ready`);
  probes.push({ targets: http, labels: { module: 'http_2xx' } });
  const tcp: string[] = [];
  if (has('inference-gateway')) tcp.push(hostPort(s, 'inference-gateway'));
  if (has('ml-model-exporter')) tcp.push(hostPort(s, 'ml-model-exporter'));
  tcp.push(hostPort(s, 'pushgateway'));
  probes.push({ targets: tcp, labels: { module: 'tcp_connect' } });
  jobs.push({
    job: 'blackbox',
    component: 'blackbox-exporter',
    config: {
      job_name: 'blackbox',
      metrics_path: '/probe',
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
function customJob(customTargetsDir: string): Record<string, unknown> {
  return {
    job_name: 'custom',
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
      alertmanagers: [{ static_configs: [{ targets: [hostPort(s, 'alertmanager')] }] }],
    };
  }
  if (s.remoteWrite) config.remote_write = renderRemoteWrite(s.remoteWrite);
  return config;
}

function minDuration(a: string, b: string): string {
  return parseDuration(a) <= parseDuration(b) ? a : b;
}
