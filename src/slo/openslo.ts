/** OpenSLO `openslo/v1` SLO documents, read into the same spec entries as our own
 * format. Supported: an inline indicator with a Prometheus `ratioMetric` (good or
 * bad over total, plain counter selectors), one objective, one rolling time
 * window, `Occurrences` budgeting, and alert policies (which switch on the
 * workbook's multiwindow burn-rate alerts for the SLO). */
import { z } from 'zod';
import type { SloEntrySpec } from './spec.js';
import { isSelector, parseSelector } from './selector.js';
import { parseDuration } from './windows.js';

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

const alertPolicy = z.union([
  z.object({ alertPolicyRef: z.string() }),
  z.object({
    kind: z.literal('AlertPolicy'),
    metadata: z.object({ name: z.string() }).optional(),
    spec: z.object({
      conditions: z
        .array(
          z.union([
            z.object({ conditionRef: z.string() }),
            z.object({
              kind: z.literal('AlertCondition'),
              spec: z.object({
                condition: z.object({ kind: z.literal('burnrate', 'only burnrate alert conditions are supported') }).loose(),
              }).loose(),
            }).loose(),
          ]),
        )
        .optional(),
    }).loose(),
  }).loose(),
]);

export const openSloDocumentSchema = z.object({
  apiVersion: z.literal(OPENSLO_API_VERSION),
  kind: z.literal('SLO', 'only kind: SLO documents are read from an SLO spec file'),
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
          duration: z.string().refine((d) => parseDuration(d) !== undefined, 'must be a duration such as 28d or 30d'),
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

/** One validated OpenSLO document as a service name and a spec entry. */
export function openSloToSlo(doc: OpenSloDocument): { service: string; slo: SloEntrySpec } {
  const ratio = doc.spec.indicator.spec.ratioMetric;
  const objective = doc.spec.objectives[0]!;
  const percent = objective.targetPercent ?? Number(((objective.target ?? 0) * 100).toPrecision(12));
  const total = ratio.total.metricSource.spec.query;
  const events = ratio.good ? { good: ratio.good.metricSource.spec.query, total } : { bad: ratio.bad!.metricSource.spec.query, total };
  const slo: SloEntrySpec = {
    name: doc.metadata.name,
    objective: percent,
    period: doc.spec.timeWindow[0]!.duration,
    sli: { events },
    alerting: { enabled: (doc.spec.alertPolicies ?? []).length > 0 },
  };
  const description = doc.spec.description ?? doc.metadata.displayName;
  if (description !== undefined) slo.description = description;
  const labels = flattenLabels(doc.metadata.labels);
  if (labels) slo.labels = labels;
  if (doc.metadata.annotations) slo.annotations = doc.metadata.annotations;
  return { service: doc.spec.service, slo };
}
