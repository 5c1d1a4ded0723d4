/** The scrape job of each component, read from the stack definition so the
 * dashboards select exactly what Prometheus scrapes. Pure. */
import { defaultSettings, scrapeJobs, type ComponentName } from '../definition/index.js';

export interface StackJobs {
  prometheus: string;
  alertmanager: string;
  node: string;
  pushgateway: string;
  gateway: string;
  exporter: string;
  /** The blackbox job that probes targets (metrics path /probe), not the exporter's own metrics. */
  probes: string;
}

export function stackJobs(): StackJobs {
  const jobs = scrapeJobs(defaultSettings());
  const of = (c: ComponentName, probe = false): string => {
    const j = jobs.find((x) => x.component === c && (x.config.metrics_path === '/probe') === probe);
    if (!j) throw new Error(`no scrape job for ${c}`);
    return j.job;
  };
  return {
    prometheus: of('prometheus'),
    alertmanager: of('alertmanager'),
    node: of('node-exporter'),
    pushgateway: of('pushgateway'),
    gateway: of('inference-gateway'),
    exporter: of('ml-model-exporter'),
    probes: of('blackbox-exporter', true),
  };
}
