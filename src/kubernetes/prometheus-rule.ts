import { parse } from 'yaml';
import { API, PART_OF, type KubernetesOptions } from './conventions.js';

export interface RuleFileText {
  /** File name, e.g. slo_alerting_rules.yml (names the resource). */
  name: string;
  content: string;
}

/** `slo_alerting_rules.yml` → `mlmon-slo-alerting-rules` (a DNS-1123 name). */
export function ruleResourceName(file: string): string {
  return `mlmon-${file
    .replace(/\.ya?ml$/, '')
    .replace(/[^a-z0-9]+/gi, '-')
    .toLowerCase()}`;
}

/** A PrometheusRule holding exactly the groups of one rule file (pure), so
 * the operator-managed Prometheus evaluates the same rules as the native
 * and compose stacks. */
export function renderPrometheusRule(file: RuleFileText, opts: KubernetesOptions): Record<string, unknown> {
  const parsed = parse(file.content) as { groups?: unknown[] } | null;
  if (!parsed || !Array.isArray(parsed.groups)) throw new Error(`${file.name}: no rule groups`);
  return {
    apiVersion: API.monitoring,
    kind: 'PrometheusRule',
    metadata: {
      name: ruleResourceName(file.name),
      namespace: opts.namespace,
      labels: { ...PART_OF, ...opts.selectorLabels },
    },
    spec: { groups: parsed.groups },
  };
}
