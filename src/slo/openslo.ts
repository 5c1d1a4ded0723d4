/** OpenSLO `openslo/v1` SLO documents, read into the same spec entries as our own
 * format. Supported: an inline indicator with a Prometheus `ratioMetric` (good or
 * bad over total, plain counter selectors), one objective, one rolling time
 * window, `Occurrences` budgeting, and alert policies, inline or by reference to
 * AlertPolicy / AlertCondition documents of the same file: burnrate conditions
 * become burn-rate alerts with their thresholds and windows; a policy without
 * conditions asks for the workbook's four. */
import { z } from 'zod';
import { SEVERITIES } from './conventions.js';
import type { BurnRateSpec, SloEntrySpec } from './spec.js';
import { isSelector, parseSelector } from './selector.js';
import { periodProblem, positiveSeconds } from './windows.js';

export const OPENSLO_API_VERSION = 'openslo/v1';

export function isOpenSloDocument(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { apiVersion?: unknown }).apiVersion === OPENSLO_API_VERSION;
}

const query = z.string().superRefine((text, ctx) => {
  const sel = parseSelector(text);
  if (!isSelector(sel)) {
    ctx.addIssue({ code: 'custom', message: `query "${text}" ${sel.error}; the generator adds rate() and the windows itself` });
  }
});

const metricRef = z.object({
  metricSource: z.object({
    type: z.string().refine((t) => t.toLowerCase() === 'prometheus', 'only Prometheus metric sources are supported'),
    spec: z.object({ query }),
  }),
});

const labelValues = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

const duration = z.string().refine((d) => positiveSeconds(d) !== undefined, 'must be a duration such as 1h or 5m');

/** `condition:` of an AlertCondition. Only burn rates above a threshold mean
 * anything for an SLO alert; everything is checked, nothing is ignored. */
const burnRateCondition = z.strictObject({
  kind: z.literal('burnrate', 'only burnrate alert conditions are supported'),
  op: z.enum(
    ['gt', 'gte'],
    'op must be gt or gte: a burn-rate alert fires when the budget burns faster than the threshold (lt/lte would fire while all is well)',
  ),
  threshold: z.number('threshold must be a burn rate such as 14.4').positive('threshold must be a burn rate above 0, such as 14.4'),
  lookbackWindow: duration,
  // OpenSLO writes "no wait" as 0m, which is not a Prometheus duration.
  alertAfter: z
    .string()
    .refine((d) => /^0+[smhd]?$/.test(d) || positiveSeconds(d) !== undefined, 'must be a duration such as 5m (or 0m)')
    .optional(),
});

const severity = z.enum(SEVERITIES, 'severity must be critical, warning or info (the severities Alertmanager routes on)');

const metadataOf = z.object({
  name: z.string(),
  displayName: z.string().optional(),
  labels: labelValues.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

/** mlmon's one extension: the short window of a condition, when not 1/12 of the long one. */
export const SHORT_WINDOW_ANNOTATION = 'mlmon/short-window';

const conditionSpec = z.strictObject({
  description: z.string().optional(),
  severity: severity.optional(),
  condition: burnRateCondition,
});

const inlineCondition = z.strictObject({
  kind: z.literal('AlertCondition'),
  metadata: metadataOf.optional(),
  spec: conditionSpec,
});

/** An inline object or a reference by name: one object with both shapes' keys (not
 * a zod union), so that an error inside an inline one keeps its own path and line. */
function oneOf(ref: string | undefined, inline: boolean, refKey: string, kind: string, ctx: z.RefinementCtx): void {
  if ((ref !== undefined) === inline) {
    ctx.addIssue({
      code: 'custom',
      message: `give either ${refKey} (the name of a ${kind} document) or an inline ${kind} (kind and spec)`,
    });
  }
}

const conditionEntry = z
  .strictObject({
    conditionRef: z.string().optional(),
    kind: z.literal('AlertCondition').optional(),
    metadata: metadataOf.optional(),
    spec: conditionSpec.optional(),
  })
  .superRefine((c, ctx) => oneOf(c.conditionRef, c.kind !== undefined || c.spec !== undefined, 'conditionRef', 'AlertCondition', ctx));

const policySpec = z.strictObject({
  description: z.string().optional(),
  alertWhenNoData: z
    .literal(false, 'alertWhenNoData: true cannot be honoured: no traffic gives no sample, so nothing fires; remove it')
    .optional(),
  alertWhenBreaching: z.literal(true, 'alertWhenBreaching: false would never alert; remove the alert policy instead').optional(),
  alertWhenResolved: z
    .literal(
      true,
      'alertWhenResolved: false cannot be honoured by the rules: resolved notifications are set per receiver (send_resolved) in config/alertmanager/alertmanager.yml',
    )
    .optional(),
  conditions: z.array(conditionEntry).optional(),
  notificationTargets: z
    .never(
      'notificationTargets are not rendered: Alertmanager routes SLO alerts by their severity and service labels (config/alertmanager/alertmanager.yml); remove them',
    )
    .optional(),
});

const inlinePolicy = z.strictObject({
  kind: z.literal('AlertPolicy'),
  metadata: metadataOf.optional(),
  spec: policySpec,
});

const alertPolicy = z
  .strictObject({
    alertPolicyRef: z.string().optional(),
    kind: z.literal('AlertPolicy').optional(),
    metadata: metadataOf.optional(),
    spec: policySpec.optional(),
  })
  .superRefine((p, ctx) => oneOf(p.alertPolicyRef, p.kind !== undefined || p.spec !== undefined, 'alertPolicyRef', 'AlertPolicy', ctx));

/** `kind: AlertPolicy` and `kind: AlertCondition` documents, which SLOs may refer to by name. */
export const openSloAlertPolicyDocumentSchema = inlinePolicy.extend({ apiVersion: z.literal(OPENSLO_API_VERSION), metadata: metadataOf });
export const openSloAlertConditionDocumentSchema = inlineCondition.extend({
  apiVersion: z.literal(OPENSLO_API_VERSION),
  metadata: metadataOf,
});
export type OpenSloAlertPolicy = z.output<typeof inlinePolicy>;
export type OpenSloAlertCondition = z.output<typeof inlineCondition>;

export function openSloKind(data: unknown): unknown {
  return (data as { kind?: unknown }).kind;
}

export const openSloDocumentSchema = z.object({
  apiVersion: z.literal(OPENSLO_API_VERSION),
  kind: z.literal('SLO', 'only kind: SLO, AlertPolicy and AlertCondition documents are read from an SLO spec file'),
  metadata: z.object({
    name: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'SLO names are lower-case words joined by "-"'),
    displayName: z.string().optional(),
    labels: labelValues.optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.object({
    description: z.string().optional(),
    service: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'service names are lower-case words joined by "-"'),
    budgetingMethod: z.literal('Occurrences', 'only budgetingMethod: Occurrences is supported (Timeslices are not)'),
    timeWindow: z
      .array(
        z.object({
          duration: z
            .string()
            .refine((d) => positiveSeconds(d) !== undefined, 'must be a duration such as 28d or 30d')
            .superRefine((d, ctx) => {
              const problem = periodProblem(d);
              if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
            }),
          isRolling: z.literal(true, 'only rolling time windows are supported'),
        }),
      )
      .length(1, 'give exactly one time window'),
    indicator: z.object(
      {
        metadata: z.object({ name: z.string() }).optional(),
        spec: z.object({
          ratioMetric: z
            .object({
              counter: z.literal(true, 'ratioMetric.counter must be true: the generator rates counters'),
              good: metricRef.optional(),
              bad: metricRef.optional(),
              total: metricRef,
            })
            .superRefine((r, ctx) => {
              if ((r.good === undefined) === (r.bad === undefined)) {
                ctx.addIssue({ code: 'custom', message: 'give exactly one of good or bad beside total' });
              }
            }),
        }),
      },
      'an inline indicator with a ratioMetric is required (indicatorRef is not supported)',
    ),
    objectives: z
      .array(
        z
          .object({ target: z.number().gt(0).lt(1).optional(), targetPercent: z.number().gt(0).lt(100).optional() })
          .refine((o) => (o.target === undefined) !== (o.targetPercent === undefined), 'give target (0.995) or targetPercent (99.5)'),
      )
      .length(1, 'give exactly one objective'),
    alertPolicies: z.array(alertPolicy).optional(),
  }),
});

export type OpenSloDocument = z.output<typeof openSloDocumentSchema>;

/** OpenSLO labels may hold lists; Prometheus labels hold one string. */
function flattenLabels(labels: Record<string, string | string[]> | undefined): Record<string, string> | undefined {
  if (!labels) return undefined;
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
}

/** A reference or a mapping the generator cannot honour, at `path` of the SLO document. */
export class OpenSloIssue extends Error {
  constructor(
    readonly path: (string | number)[],
    message: string,
  ) {
    super(message);
  }
}

/** AlertPolicy and AlertCondition documents of the same file, by name. */
export interface OpenSloLibrary {
  policies: ReadonlyMap<string, OpenSloAlertPolicy>;
  conditions: ReadonlyMap<string, OpenSloAlertCondition>;
}

const RESERVED_POLICY_LABELS = ['service', 'slo', 'category', 'long_window', 'short_window'];

/** The SLO's alert policies as burn rates (undefined: the workbook's four). */
function burnRatesOf(doc: OpenSloDocument, library: OpenSloLibrary): BurnRateSpec[] | undefined {
  const policies = doc.spec.alertPolicies ?? [];
  const burnRates: BurnRateSpec[] = [];
  let workbookPolicy: number | undefined;
  let conditionPolicy: number | undefined;
  policies.forEach((entry, i) => {
    const at: (string | number)[] = ['spec', 'alertPolicies', i];
    let policy: { metadata?: OpenSloAlertPolicy['metadata']; spec: OpenSloAlertPolicy['spec'] };
    if (entry.alertPolicyRef !== undefined) {
      const found = library.policies.get(entry.alertPolicyRef);
      if (!found)
        throw new OpenSloIssue(
          [...at, 'alertPolicyRef'],
          `no AlertPolicy named "${entry.alertPolicyRef}" in this file; add it as a document (kind: AlertPolicy) or write the policy inline`,
        );
      policy = found;
    } else {
      policy = { metadata: entry.metadata, spec: entry.spec! };
    }
    const policyLabels = flattenLabels(policy.metadata?.labels) ?? {};
    for (const key of Object.keys(policyLabels)) {
      if (RESERVED_POLICY_LABELS.includes(key))
        throw new OpenSloIssue(at, `alert policy label "${key}" is set by the generator; remove it`);
    }
    const policySeverity = policyLabels.severity;
    delete policyLabels.severity;
    if (policySeverity !== undefined && !(SEVERITIES as readonly string[]).includes(policySeverity)) {
      throw new OpenSloIssue(at, `alert policy label severity "${policySeverity}" must be critical, warning or info`);
    }
    const conditions = policy.spec.conditions ?? [];
    if (conditions.length === 0) workbookPolicy ??= i;
    else conditionPolicy ??= i;
    conditions.forEach((c, k) => {
      let condition: { metadata?: OpenSloAlertCondition['metadata']; spec: OpenSloAlertCondition['spec'] };
      if (c.conditionRef !== undefined) {
        const found = library.conditions.get(c.conditionRef);
        if (!found)
          throw new OpenSloIssue(
            [...at, 'spec', 'conditions', k, 'conditionRef'],
            `no AlertCondition named "${c.conditionRef}" in this file; add it as a document (kind: AlertCondition) or write the condition inline`,
          );
        condition = found;
      } else {
        condition = { metadata: c.metadata, spec: c.spec! };
      }
      const cond = condition.spec.condition;
      const b: BurnRateSpec = { burn_rate: cond.threshold, long_window: cond.lookbackWindow, op: cond.op };
      if (Object.keys(policyLabels).length > 0) b.labels = policyLabels;
      const sev = condition.spec.severity ?? (policySeverity as BurnRateSpec['severity']);
      if (sev !== undefined) b.severity = sev;
      const short = condition.metadata?.annotations?.[SHORT_WINDOW_ANNOTATION];
      if (short !== undefined) {
        const shortSeconds = positiveSeconds(short);
        const longSeconds = positiveSeconds(cond.lookbackWindow) ?? 0;
        if (shortSeconds === undefined || shortSeconds >= longSeconds) {
          throw new OpenSloIssue(
            [...at, 'spec', 'conditions', k],
            `annotation ${SHORT_WINDOW_ANNOTATION}: "${short}" must be a duration shorter than lookbackWindow ${cond.lookbackWindow}`,
          );
        }
        b.short_window = short;
      }
      if (cond.alertAfter !== undefined && positiveSeconds(cond.alertAfter) !== undefined) b.for = cond.alertAfter;
      burnRates.push(b);
    });
  });
  if (workbookPolicy !== undefined && conditionPolicy !== undefined) {
    throw new OpenSloIssue(
      ['spec', 'alertPolicies', workbookPolicy],
      "this alert policy has no conditions (the workbook's four alerts) while another has burnrate conditions; give it conditions, or remove the others' to get the workbook alerts",
    );
  }
  return conditionPolicy === undefined ? undefined : burnRates;
}

/** One validated OpenSLO document as a service name and a spec entry. Throws
 * OpenSloIssue for a reference it cannot resolve. */
export function openSloToSlo(
  doc: OpenSloDocument,
  library: OpenSloLibrary = { policies: new Map(), conditions: new Map() },
): { service: string; slo: SloEntrySpec } {
  const ratio = doc.spec.indicator.spec.ratioMetric;
  const objective = doc.spec.objectives[0]!;
  const percent = objective.targetPercent ?? Number(((objective.target ?? 0) * 100).toPrecision(12));
  const total = ratio.total.metricSource.spec.query;
  const events = ratio.good ? { good: ratio.good.metricSource.spec.query, total } : { bad: ratio.bad!.metricSource.spec.query, total };
  const burnRates = burnRatesOf(doc, library);
  const alerting: NonNullable<SloEntrySpec['alerting']> = { enabled: (doc.spec.alertPolicies ?? []).length > 0 };
  if (burnRates) alerting.burn_rates = burnRates;
  const slo: SloEntrySpec = {
    name: doc.metadata.name,
    objective: percent,
    period: doc.spec.timeWindow[0]!.duration,
    sli: { events },
    alerting,
  };
  const description = doc.spec.description ?? doc.metadata.displayName;
  if (description !== undefined) slo.description = description;
  const labels = flattenLabels(doc.metadata.labels);
  if (labels) slo.labels = labels;
  if (doc.metadata.annotations) slo.annotations = doc.metadata.annotations;
  return { service: doc.spec.service, slo };
}
