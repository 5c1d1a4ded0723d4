import { RULE_FILES, renderPrometheusConfig, scrapeJobs, type ScrapeJob } from '../definition/index.js';
import type { StackSettings } from '../definition/index.js';
import { CADVISOR, DOCKER_SOCKET, MOUNTS, NETWORK, SCRAPE_LABELS, metaLabel } from './conventions.js';
import { placeholderSettings, rewriteAddresses } from './settings.js';

/** Probe jobs (blackbox) keep fixed targets; every other job finds its
 * container through the Docker API. */
function isProbeJob(job: ScrapeJob): boolean {
  return job.config.metrics_path === '/probe';
}

/** docker_sd + relabeling for one job. The daemon-side filter selects the
 * containers labelled with this job; the relabeling then keeps the address on
 * the stack's network at the labelled port, and names the instance after the
 * compose service so it survives a container being recreated with a new IP. */
export function dockerSdScrape(job: string, staticLabels: Record<string, string> = {}): Record<string, unknown> {
  return {
    docker_sd_configs: [
      {
        host: `unix://${DOCKER_SOCKET}`,
        refresh_interval: '15s',
        filters: [{ name: 'label', values: [`${SCRAPE_LABELS.job}=${job}`] }],
      },
    ],
    relabel_configs: [
      { source_labels: [metaLabel(SCRAPE_LABELS.scrape)], regex: 'true', action: 'keep' },
      { source_labels: ['__meta_docker_network_name'], regex: NETWORK, action: 'keep' },
      // One target per exposed port comes out of docker_sd; they collapse into
      // one after this rewrite, because all then carry the same labels.
      {
        source_labels: ['__meta_docker_network_ip', metaLabel(SCRAPE_LABELS.port)],
        separator: ':',
        regex: '(.+):(\\d+)',
        target_label: '__address__',
        replacement: '$1:$2',
      },
      { source_labels: [metaLabel(SCRAPE_LABELS.path)], regex: '(.+)', target_label: '__metrics_path__' },
      {
        source_labels: ['__meta_docker_container_label_com_docker_compose_service', metaLabel(SCRAPE_LABELS.port)],
        separator: ':',
        regex: '(.+):(\\d+)',
        target_label: 'instance',
        replacement: '$1:$2',
      },
      ...Object.entries(staticLabels).map(([k, v]) => ({ target_label: k, replacement: v })),
    ],
  };
}

/** The scrape job of one native job in container mode. */
function containerJob(job: ScrapeJob): Record<string, unknown> {
  const { file_sd_configs: _fileSd, relabel_configs: relabel, ...rest } = job.config;
  if (isProbeJob(job)) {
    return { ...rest, static_configs: job.targets, ...(relabel ? { relabel_configs: relabel } : {}) };
  }
  const labels = job.targets[0]?.labels ?? {};
  return { ...rest, ...dockerSdScrape(job.job, labels) };
}

/** The Prometheus configuration of the compose stack (pure): the native
 * configuration's global section, rule files, alerting and remote write,
 * with scrape jobs of the same names found through Docker labels, plus
 * cAdvisor. Addresses are compose service names. */
export function renderContainerPrometheusConfig(s: StackSettings): Record<string, unknown> {
  const ph = placeholderSettings(s);
  const native = renderPrometheusConfig(ph, { customTargetsDir: `${MOUNTS.prometheusConfigDir}/targets/custom`, ruleFiles: RULE_FILES });
  const nativeJobs = native.scrape_configs as Array<Record<string, unknown>>;
  const custom = nativeJobs.find((j) => j.job_name === 'custom');
  const jobs = scrapeJobs(ph).map(containerJob);
  jobs.push({ job_name: CADVISOR.job, ...dockerSdScrape(CADVISOR.job) });
  if (custom) jobs.push(custom);
  return rewriteAddresses({ ...native, scrape_configs: jobs }, s);
}

/** Job name → port of the component it scrapes, for the compose labels. */
export function scrapedComponents(s: StackSettings): Array<{ job: string; component: string; port: number }> {
  return scrapeJobs(s)
    .filter((j) => !isProbeJob(j))
    .map((j) => ({ job: j.job, component: j.component, port: s.ports[j.component] }));
}
