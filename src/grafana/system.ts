/** The dashboards of the running parts: the inference gateway (RED), the host
 * (node exporter), the blackbox probes and the monitoring stack itself. Alert
 * lines are the thresholds of the alerting rules; links open their runbooks. Pure. */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Slo } from '../slo/index.js';
import { HTTP_METRICS } from '../definition/index.js';
import { sloDetailUrl } from '../console/index.js';
import { CONSOLE_VARIABLE, SEVERITY_COLOUR } from './conventions.js';
import { buildDashboard } from './frame.js';
import type { StackJobs } from './jobs.js';
import { stat, table, timeseries, type PanelLink, type Step } from './panels.js';
import { requireAlert, type AlertFacts } from './rules.js';

export interface SystemDashboardInput {
  slos: readonly Slo[];
  alerts: ReadonlyMap<string, AlertFacts>;
  jobs: StackJobs;
  consoleUrl: string;
}

const RATE = '[$__rate_interval]';

/** The threshold line of an alert, in its severity's colour. */
function alertStep(input: SystemDashboardInput, name: string, scale = 1): Step {
  const a = requireAlert(input.alerts, name, 'threshold');
  return { value: (a.threshold ?? 0) * scale, color: SEVERITY_COLOUR[a.severity] ?? 'orange' };
}

function runbooks(input: SystemDashboardInput, ...names: string[]): PanelLink[] {
  return names.map((n) => {
    const url = requireAlert(input.alerts, n, 'runbook').runbookUrl;
    return { title: `Runbook: ${n}`, url: url ?? '' };
  });
}

const consoleAlerts: PanelLink = { title: 'Console: alerts', url: `\${${CONSOLE_VARIABLE}}/alerts` };

export function gatewayDashboard(input: SystemDashboardInput): Dashboard {
  const job = `job=${JSON.stringify(input.jobs.gateway)}`;
  const req = HTTP_METRICS.requests;
  const dur = HTTP_METRICS.duration;
  const gatewaySlos = input.slos.filter((s) => s.events.total.matchers.some((m) => m.label === 'job' && m.value === input.jobs.gateway));
  const sloLinks: PanelLink[] = gatewaySlos.map((s) => ({
    title: `Console: SLO ${s.service} · ${s.name}`,
    url: `\${${CONSOLE_VARIABLE}}${sloDetailUrl(s)}`,
  }));
  const latencySteps: Step[] = [
    ...gatewaySlos.flatMap((s) => (s.latency ? [{ value: s.latency.thresholdSeconds, color: SEVERITY_COLOUR.warning ?? 'orange' }] : [])),
    alertStep(input, 'HighLatencyP99'),
  ];
  return buildDashboard({
    key: 'gateway',
    title: 'mlmon · Inference gateway (RED)',
    about:
      'Rate, errors and duration of the inference gateway by route: request rate by status, the 5xx ratio against the HighErrorRate line, latency quantiles against the latency SLO threshold and the HighLatencyP99 line, refused requests by reason and requests in flight.',
    from: '6h',
    consoleUrl: input.consoleUrl,
    sections: [
      {
        panels: [
          timeseries({
            title: 'Requests per second by route and status',
            description: `Every request the gateway answered (${req}), by route template and status code.`,
            queries: [{ expr: `sum by (route, status) (rate(${req}{${job}}${RATE}))`, legend: '{{route}} {{status}}' }],
            unit: 'reqps',
            stacked: true,
            links: [...sloLinks, ...runbooks(input, 'ServiceDown')],
            w: 12,
            h: 8,
          }),
          timeseries({
            title: 'Server error ratio (5xx) by route',
            description: 'Share of requests answered with a 5xx status. Dashed line: the HighErrorRate alert threshold.',
            queries: [
              {
                expr: `(sum by (route) (rate(${req}{${job},status=~"5.."}${RATE})) or sum by (route) (rate(${req}{${job}}${RATE})) * 0) / (sum by (route) (rate(${req}{${job}}${RATE})) > 0)`,
                legend: '{{route}}',
              },
            ],
            unit: 'percentunit',
            steps: [alertStep(input, 'HighErrorRate')],
            thresholdLines: true,
            min: 0,
            links: [...sloLinks, ...runbooks(input, 'HighErrorRate')],
            w: 12,
            h: 8,
          }),
          timeseries({
            title: 'Latency quantiles',
            description:
              'P50, P95 and P99 of request duration over all routes but the probes. Dashed lines: the latency SLO threshold (orange) and the HighLatencyP99 alert threshold (red).',
            queries: [0.5, 0.95, 0.99].map((qv) => ({
              expr: `histogram_quantile(${qv}, sum by (le) (rate(${dur}_bucket{${job},route!~"/metrics|/health|/ready"}${RATE})))`,
              legend: `p${Math.round(qv * 100)}`,
            })),
            unit: 's',
            steps: latencySteps,
            thresholdLines: true,
            min: 0,
            links: [...sloLinks, ...runbooks(input, 'HighLatencyP99')],
            w: 12,
            h: 8,
          }),
          timeseries({
            title: 'Refused requests by reason',
            description: 'Requests refused for bad input (4xx), by route and reason.',
            queries: [{ expr: `sum by (route, reason) (rate(http_request_errors_total{${job}}${RATE}))`, legend: '{{route}} {{reason}}' }],
            unit: 'reqps',
            min: 0,
            links: sloLinks,
            w: 6,
            h: 8,
          }),
          timeseries({
            title: 'Predictions in flight',
            description: 'Prediction requests being processed now, by model version.',
            queries: [{ expr: `sum by (model, version) (inference_in_flight{${job}})`, legend: '{{model}} {{version}}' }],
            unit: 'short',
            min: 0,
            links: [...sloLinks, { title: 'Console: model health', url: `\${${CONSOLE_VARIABLE}}/models` }],
            w: 6,
            h: 8,
          }),
        ],
      },
    ],
  });
}

const REAL_FS = 'fstype!~"tmpfs|ramfs|overlay|squashfs|nsfs",mountpoint!~"/boot.*"';

export function hostDashboard(input: SystemDashboardInput): Dashboard {
  const job = `job=${JSON.stringify(input.jobs.node)}`;
  return buildDashboard({
    key: 'host',
    title: 'mlmon · Host',
    about:
      'The machine under the stack, from the node exporter: CPU, memory, disk space with its linear fill prediction, disk I/O and network, each against the lines of the resource alerts.',
    from: '6h',
    consoleUrl: input.consoleUrl,
    sections: [
      {
        panels: [
          timeseries({
            title: 'CPU busy',
            description: 'Share of CPU time not idle, per instance. Dashed line: the NodeCPUHigh threshold.',
            queries: [
              { expr: `100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{${job},mode="idle"}${RATE})))`, legend: '{{instance}}' },
            ],
            unit: 'percent',
            steps: [alertStep(input, 'NodeCPUHigh')],
            thresholdLines: true,
            min: 0,
            max: 100,
            links: [...runbooks(input, 'NodeCPUHigh'), consoleAlerts],
            w: 12,
            h: 8,
          }),
          timeseries({
            title: 'Memory used',
            description: 'Share of memory not available to new work. Dashed lines: NodeMemoryHigh (warning) and NodeMemoryCritical.',
            queries: [
              { expr: `100 * (1 - node_memory_MemAvailable_bytes{${job}} / node_memory_MemTotal_bytes{${job}})`, legend: '{{instance}}' },
            ],
            unit: 'percent',
            steps: [alertStep(input, 'NodeMemoryHigh'), alertStep(input, 'NodeMemoryCritical')],
            thresholdLines: true,
            min: 0,
            max: 100,
            links: [...runbooks(input, 'NodeMemoryHigh', 'NodeMemoryCritical'), consoleAlerts],
            w: 12,
            h: 8,
          }),
          timeseries({
            title: 'Disk space free',
            description: 'Free share of each real filesystem. Dashed line: the NodeDiskSpaceLow threshold (below it fires).',
            queries: [
              {
                expr: `100 * node_filesystem_avail_bytes{${job},${REAL_FS}} / node_filesystem_size_bytes{${job},${REAL_FS}}`,
                legend: '{{instance}} {{mountpoint}}',
              },
            ],
            unit: 'percent',
            base: SEVERITY_COLOUR[requireAlert(input.alerts, 'NodeDiskSpaceLow', 'threshold').severity],
            steps: [{ value: requireAlert(input.alerts, 'NodeDiskSpaceLow', 'threshold').threshold ?? 0, color: 'green' }],
            thresholdLines: true,
            min: 0,
            max: 100,
            links: [...runbooks(input, 'NodeDiskSpaceLow'), consoleAlerts],
            w: 12,
            h: 8,
          }),
          timeseries({
            title: 'Filesystem fill prediction (24 h ahead)',
            description:
              'Free bytes each filesystem will have in 24 hours at the pace of the last 6 hours (linear prediction, as NodeDiskFillingUp computes it); below zero means full within a day.',
            queries: [
              {
                expr: `predict_linear(node_filesystem_avail_bytes{${job},${REAL_FS}}[6h], 24 * 3600)`,
                legend: '{{instance}} {{mountpoint}}',
              },
            ],
            unit: 'bytes',
            base: SEVERITY_COLOUR[requireAlert(input.alerts, 'NodeDiskFillingUp', 'threshold').severity],
            steps: [{ value: requireAlert(input.alerts, 'NodeDiskFillingUp', 'threshold').threshold ?? 0, color: 'green' }],
            thresholdLines: true,
            links: [...runbooks(input, 'NodeDiskFillingUp'), consoleAlerts],
            w: 12,
            h: 8,
          }),
          timeseries({
            title: 'Disk I/O',
            description: 'Bytes read and written per second, per device.',
            queries: [
              { expr: `sum by (instance, device) (rate(node_disk_read_bytes_total{${job}}${RATE}))`, legend: 'read {{device}}' },
              { expr: `sum by (instance, device) (rate(node_disk_written_bytes_total{${job}}${RATE}))`, legend: 'written {{device}}' },
            ],
            unit: 'Bps',
            min: 0,
            links: [consoleAlerts],
            w: 12,
            h: 8,
          }),
          timeseries({
            title: 'Network',
            description: 'Bytes received and sent per second, per interface (loopback included: the stack talks to itself over it).',
            queries: [
              { expr: `sum by (instance, device) (rate(node_network_receive_bytes_total{${job}}${RATE}))`, legend: 'in {{device}}' },
              { expr: `sum by (instance, device) (rate(node_network_transmit_bytes_total{${job}}${RATE}))`, legend: 'out {{device}}' },
            ],
            unit: 'Bps',
            min: 0,
            links: [consoleAlerts],
            w: 12,
            h: 8,
          }),
        ],
      },
    ],
  });
}

export function probesDashboard(input: SystemDashboardInput): Dashboard {
  const job = `job=${JSON.stringify(input.jobs.probes)}`;
  return buildDashboard({
    key: 'probes',
    title: 'mlmon · Probes',
    about:
      'Black-box probes of the stack from the outside (blackbox exporter): whether each target answers, how long a probe takes against the ProbeSlow line, HTTP status codes, and TLS certificate expiry.',
    from: '6h',
    consoleUrl: input.consoleUrl,
    sections: [
      {
        panels: [
          stat({
            title: 'Probe success',
            description: 'Last result of every probe: 1 answers, 0 fails (ProbeFailed fires after a while at 0).',
            queries: [{ expr: `probe_success{${job}}`, legend: '{{instance}} ({{module}})', instant: true }],
            unit: 'bool_yes_no',
            base: SEVERITY_COLOUR[requireAlert(input.alerts, 'ProbeFailed', 'threshold').severity],
            steps: [{ value: 1, color: 'green' }],
            colorBackground: true,
            links: [...runbooks(input, 'ProbeFailed'), consoleAlerts],
            w: 24,
            h: 5,
          }),
          timeseries({
            title: 'Probe duration',
            description: 'Time each probe took. Dashed line: the ProbeSlow threshold.',
            queries: [{ expr: `probe_duration_seconds{${job}}`, legend: '{{instance}} ({{module}})' }],
            unit: 's',
            steps: [alertStep(input, 'ProbeSlow')],
            thresholdLines: true,
            min: 0,
            links: runbooks(input, 'ProbeSlow'),
            w: 12,
            h: 8,
          }),
          timeseries({
            title: 'HTTP status code',
            description: 'Status code of each HTTP probe.',
            queries: [{ expr: `probe_http_status_code{${job}}`, legend: '{{instance}}' }],
            unit: 'none',
            links: [...runbooks(input, 'ProbeFailed'), consoleAlerts],
            w: 12,
            h: 8,
          }),
          table({
            title: 'TLS certificate expiry',
            description:
              'Days until the earliest certificate of each HTTPS probe expires; the TLSCertificateExpiringSoon line is drawn in its colour. Empty when no probe uses HTTPS.',
            queries: [
              { expr: `(probe_ssl_earliest_cert_expiry{${job}} - time()) / 86400`, legend: '{{instance}}', instant: true, format: 'table' },
            ],
            unit: 'd',
            base: SEVERITY_COLOUR[requireAlert(input.alerts, 'TLSCertificateExpiringSoon', 'threshold').severity],
            steps: [
              { value: (requireAlert(input.alerts, 'TLSCertificateExpiringSoon', 'threshold').threshold ?? 0) / 86400, color: 'green' },
            ],
            links: runbooks(input, 'TLSCertificateExpiringSoon'),
            w: 24,
            h: 6,
          }),
        ],
      },
    ],
  });
}

export function stackHealthDashboard(input: SystemDashboardInput): Dashboard {
  const j = input.jobs;
  const prom = `job=${JSON.stringify(j.prometheus)}`;
  const am = `job=${JSON.stringify(j.alertmanager)}`;
  return buildDashboard({
    key: 'stackHealth',
    title: 'mlmon · Stack health',
    about:
      'The monitoring watching itself: targets up, scrape durations and failures, rule evaluation time and missed iterations, TSDB size, alerts sent and failed on the way to Alertmanager and on to the receivers, and Pushgateway freshness.',
    from: '6h',
    consoleUrl: input.consoleUrl,
    sections: [
      {
        row: 'Scrapes',
        panels: [
          stat({
            title: 'Targets up',
            description: 'Last scrape result of every target: 1 up, 0 down (TargetMissing fires after a while at 0).',
            queries: [{ expr: 'up', legend: '{{job}} {{instance}}', instant: true }],
            unit: 'bool_yes_no',
            base: SEVERITY_COLOUR[requireAlert(input.alerts, 'TargetMissing', 'threshold').severity],
            steps: [{ value: 1, color: 'green' }],
            colorBackground: true,
            links: [...runbooks(input, 'TargetMissing'), consoleAlerts],
            w: 24,
            h: 5,
          }),
          timeseries({
            title: 'Scrape duration by job',
            description: 'Slowest scrape of each job; near the scrape timeout a target starts to fail.',
            queries: [{ expr: 'max by (job) (scrape_duration_seconds)', legend: '{{job}}' }],
            unit: 's',
            min: 0,
            links: [...runbooks(input, 'TargetMissing'), consoleAlerts],
            w: 12,
            h: 8,
          }),
          timeseries({
            title: 'Failed scrapes by job',
            description: 'Targets of each job whose last scrape failed (0 when all answer).',
            queries: [{ expr: 'count by (job) (up == 0) or count by (job) (up) * 0', legend: '{{job}}' }],
            unit: 'short',
            min: 0,
            links: runbooks(input, 'TargetMissing', 'PushgatewayScrapeRefused'),
            w: 12,
            h: 8,
          }),
        ],
      },
      {
        row: 'Rules',
        panels: [
          timeseries({
            title: 'Rule group evaluation time',
            description: 'How long the last evaluation of each rule group took; past its interval, iterations are missed.',
            queries: [{ expr: `max by (rule_group) (prometheus_rule_group_last_duration_seconds{${prom}})`, legend: '{{rule_group}}' }],
            unit: 's',
            min: 0,
            links: [...runbooks(input, 'PrometheusRuleEvaluationFailures'), consoleAlerts],
            w: 12,
            h: 8,
          }),
          timeseries({
            title: 'Missed and failed rule evaluations',
            description:
              'Rule group iterations skipped because the previous one overran, and rule evaluations that failed (PrometheusRuleEvaluationFailures).',
            queries: [
              { expr: `sum(rate(prometheus_rule_group_iterations_missed_total{${prom}}${RATE}))`, legend: 'missed iterations' },
              { expr: `sum(rate(prometheus_rule_evaluation_failures_total{${prom}}${RATE}))`, legend: 'failed evaluations' },
            ],
            unit: 'ops',
            min: 0,
            links: runbooks(input, 'PrometheusRuleEvaluationFailures'),
            w: 12,
            h: 8,
          }),
        ],
      },
      {
        row: 'Storage',
        panels: [
          timeseries({
            title: 'TSDB head series',
            description: 'Series in the in-memory head block: the main driver of Prometheus memory.',
            queries: [{ expr: `prometheus_tsdb_head_series{${prom}}`, legend: 'head series' }],
            unit: 'short',
            min: 0,
            links: [...runbooks(input, 'PrometheusTSDBCompactionsFailing'), consoleAlerts],
            w: 12,
            h: 8,
          }),
          timeseries({
            title: 'Samples appended and compactions failed',
            description: 'Samples written per second, and failed compactions (PrometheusTSDBCompactionsFailing).',
            queries: [
              { expr: `rate(prometheus_tsdb_head_samples_appended_total{${prom}}${RATE})`, legend: 'samples/s' },
              { expr: `increase(prometheus_tsdb_compactions_failed_total{${prom}}${RATE})`, legend: 'compactions failed' },
            ],
            unit: 'short',
            min: 0,
            links: runbooks(input, 'PrometheusTSDBCompactionsFailing'),
            w: 12,
            h: 8,
          }),
        ],
      },
      {
        row: 'Notifications',
        panels: [
          timeseries({
            title: 'Alerts sent to Alertmanager',
            description:
              'Alerts Prometheus sent and failed to send per second; the error ratio is what PrometheusErrorSendingAlerts compares against its line.',
            queries: [
              { expr: `sum(rate(prometheus_notifications_sent_total{${prom}}${RATE}))`, legend: 'sent' },
              { expr: `sum(rate(prometheus_notifications_errors_total{${prom}}${RATE}))`, legend: 'errors' },
              { expr: `sum(rate(prometheus_notifications_dropped_total{${prom}}${RATE}))`, legend: 'dropped' },
            ],
            unit: 'ops',
            min: 0,
            links: runbooks(input, 'PrometheusErrorSendingAlerts', 'PrometheusNotificationQueueFull'),
            w: 12,
            h: 8,
          }),
          timeseries({
            title: 'Notifications by integration',
            description: 'Notifications Alertmanager sent and failed per second, by integration (Slack, PagerDuty, email, webhook).',
            queries: [
              { expr: `sum by (integration) (rate(alertmanager_notifications_total{${am}}${RATE}))`, legend: 'sent {{integration}}' },
              {
                expr: `sum by (integration) (rate(alertmanager_notifications_failed_total{${am}}${RATE}))`,
                legend: 'failed {{integration}}',
              },
            ],
            unit: 'ops',
            min: 0,
            links: [...runbooks(input, 'AlertmanagerFailedToSendNotifications'), consoleAlerts],
            w: 12,
            h: 8,
          }),
        ],
      },
      {
        row: 'Pushgateway',
        panels: [
          timeseries({
            title: 'Pushgateway freshness',
            description: 'Seconds since each pushed group was last pushed (training and batch jobs). Empty until a job pushes.',
            queries: [{ expr: `time() - max by (job, instance) (push_time_seconds{job=~".+"})`, legend: '{{job}} {{instance}}' }],
            unit: 's',
            min: 0,
            links: runbooks(input, 'TrainingNotRecent', 'PushgatewayScrapeRefused'),
            w: 24,
            h: 8,
          }),
        ],
      },
    ],
  });
}
