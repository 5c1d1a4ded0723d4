import { scrapeJobs } from '../definition/index.js';
import type { ComponentName, StackSettings } from '../definition/index.js';
import { API, PART_OF, type KubernetesOptions } from './conventions.js';

/** Our services that Prometheus scrapes through a ServiceMonitor. */
export const MONITORED: readonly ComponentName[] = ['inference-gateway', 'ml-model-exporter'];

/** The Service port name the ServiceMonitor points at. */
export const METRICS_PORT_NAME = 'http-metrics';

/** One ServiceMonitor per service, from the native scrape job of the same
 * name (pure). The job label is set to the native job name whatever the
 * Service is called, because the rules select on it (`job="inference-gateway"`). */
export function renderServiceMonitors(s: StackSettings, opts: KubernetesOptions): Array<Record<string, unknown>> {
  return scrapeJobs(s)
    .filter((j) => MONITORED.includes(j.component))
    .map((j) => {
      const labels = j.targets[0]?.labels ?? {};
      const sampleLimit = j.config.sample_limit;
      return {
        apiVersion: API.monitoring,
        kind: 'ServiceMonitor',
        metadata: { name: j.job, namespace: opts.namespace, labels: { ...PART_OF, ...opts.selectorLabels } },
        spec: {
          selector: { matchLabels: { 'app.kubernetes.io/name': j.component } },
          namespaceSelector: { matchNames: [opts.namespace] },
          ...(typeof sampleLimit === 'number' ? { sampleLimit } : {}),
          endpoints: [
            {
              port: METRICS_PORT_NAME,
              path: '/metrics',
              interval: s.scrapeInterval,
              scrapeTimeout: '10s',
              relabelings: [
                { action: 'replace', targetLabel: 'job', replacement: j.job },
                ...Object.entries(labels).map(([k, v]) => ({ action: 'replace', targetLabel: k, replacement: v })),
              ],
            },
          ],
        },
      };
    });
}
