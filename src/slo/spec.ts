/** The native SLO spec as a person writes it (config/slos.yaml): its zod
 * schema and types. Reading a file, and telling it apart from OpenSLO
 * documents, is loader.ts's job. */
import { z } from 'zod';
import { RESERVED_LABELS, SEVERITIES } from './conventions.js';
import { isSelector, parseSelector } from './selector.js';
import { periodProblem, positiveSeconds } from './windows.js';

export const SPEC_VERSION = 'mlmon/v1';

const NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

export const selectorText = z.string().superRefine((text, ctx) => {
  const sel = parseSelector(text);
  if (!isSelector(sel)) ctx.addIssue({ code: 'custom', message: `"${text}" ${sel.error}` });
});

export const durationText = z.string().refine((t) => positiveSeconds(t) !== undefined, {
  message: 'must be a Prometheus duration such as 30d, 7d or 28d',
});

const labelMap = z.record(z.string(), z.string()).superRefine((labels, ctx) => {
  for (const key of Object.keys(labels)) {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(key)) {
      ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is not a valid Prometheus label name` });
    } else if (RESERVED_LABELS.includes(key)) {
      ctx.addIssue({ code: 'custom', path: [key], message: `label "${key}" is set by the generator; remove it` });
    }
  }
});

const annotationMap = z.record(z.string(), z.string());

const eventsSli = z
  .strictObject({
    bad: selectorText.optional(),
    good: selectorText.optional(),
    total: selectorText,
  })
  .superRefine((ev, ctx) => {
    if ((ev.bad === undefined) === (ev.good === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of "bad" or "good" beside "total"' });
    }
  });

const latencySli = z
  .strictObject({
    /** Selector of the histogram's base name, without `_bucket` and without `le`. */
    histogram: selectorText,
    /** Seconds (0.3) or a duration ("300ms"); must be one of the buckets. */
    threshold: z.union([z.number().positive(), z.string()]),
    buckets: z.array(z.number().positive()).min(1),
  })
  .superRefine((lat, ctx) => {
    const t = thresholdSeconds(lat.threshold);
    if (t === undefined) {
      ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'threshold must be seconds (0.3) or a duration ("300ms")' });
    } else if (!lat.buckets.some((b) => Math.abs(b - t) < 1e-9)) {
      ctx.addIssue({
        code: 'custom',
        path: ['threshold'],
        message: `threshold ${t}s is not one of the histogram's buckets [${lat.buckets.join(', ')}]; the share of requests under it cannot be counted exactly. Pick a bucket boundary or add one to the histogram`,
      });
    }
  });

export function thresholdSeconds(threshold: number | string): number | undefined {
  return typeof threshold === 'number' ? threshold : positiveSeconds(threshold);
}

const sliSchema = z.strictObject({ events: eventsSli.optional(), latency: latencySli.optional() }).superRefine((sli, ctx) => {
  if ((sli.events === undefined) === (sli.latency === undefined)) {
    ctx.addIssue({
      code: 'custom',
      message: 'sli needs exactly one of "events" (bad or good over total) or "latency" (histogram under a threshold)',
    });
  }
});

/** One burn-rate alert of the spec's own, replacing the workbook's four. Windows are
 * written for the SLO's real period (the test profile divides them by 60). */
export const burnRateSchema = z
  .strictObject({
    burn_rate: z.number('burn_rate must be a number such as 14.4').positive('burn_rate must be above 0, such as 14.4'),
    long_window: durationText,
    /** Default: 1/12 of the long window, as in the workbook. */
    short_window: durationText.optional(),
    /** Default: critical (a page) from 6x up, as the workbook's page tiers; warning below. */
    severity: z.enum(SEVERITIES, 'severity must be critical, warning or info').optional(),
    /** `gt` (default) fires above the burn rate, `gte` at it too. */
    op: z.enum(['gt', 'gte'], 'op must be gt or gte: a burn-rate alert fires when the budget burns faster than the threshold').optional(),
    for: durationText.optional(),
    /** Labels of this alert alone. */
    labels: labelMap.optional(),
  })
  .superRefine((b, ctx) => {
    const long = positiveSeconds(b.long_window);
    const short = b.short_window === undefined ? undefined : positiveSeconds(b.short_window);
    if (long !== undefined && short !== undefined && short >= long) {
      ctx.addIssue({
        code: 'custom',
        path: ['short_window'],
        message: `short_window must be shorter than long_window (${b.long_window}); the workbook uses 1/12 of it`,
      });
    }
  });

export const alertingSchema = z.strictObject({
  enabled: z.boolean().optional(),
  burn_rates: z.array(burnRateSchema).min(1, "give at least one burn rate, or leave burn_rates out for the workbook's four").optional(),
  /** Low-traffic guard: requests the long window must hold before an alert may fire. */
  min_requests: z.number().int().nonnegative().optional(),
  labels: labelMap.optional(),
  annotations: annotationMap.optional(),
});

/** A period every window can count whole tiles of, in both profiles (windows.ts). */
const periodText = durationText.superRefine((text, ctx) => {
  const problem = periodProblem(text);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

export const sloSchema = z.strictObject({
  name: z.string().regex(NAME, 'SLO names are lower-case words joined by "-", such as availability'),
  description: z.string().optional(),
  objective: z
    .number('objective must be a percentage such as 99.5')
    .gt(0, 'objective must be above 0 (a percentage such as 99.5)')
    .lt(100, 'objective must be below 100 (a percentage such as 99.5; 100 leaves no error budget)'),
  period: periodText.optional(),
  sli: sliSchema,
  labels: labelMap.optional(),
  annotations: annotationMap.optional(),
  alerting: alertingSchema.optional(),
});

const serviceSchema = z.strictObject({
  name: z.string().regex(NAME, 'service names are lower-case words joined by "-", such as inference-gateway'),
  labels: labelMap.optional(),
  slos: z.array(sloSchema).min(1, 'a service needs at least one SLO'),
});

export const sloSpecSchema = z
  .strictObject({
    version: z.literal(SPEC_VERSION, `version must be "${SPEC_VERSION}"`),
    runbook_base_url: z.url().optional(),
    services: z.array(serviceSchema),
  })
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.services.forEach((svc, i) => {
      if (seen.has(svc.name))
        ctx.addIssue({ code: 'custom', path: ['services', i, 'name'], message: `service "${svc.name}" is declared twice` });
      seen.add(svc.name);
      const slos = new Set<string>();
      svc.slos.forEach((slo, j) => {
        if (slos.has(slo.name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['services', i, 'slos', j, 'name'],
            message: `SLO "${slo.name}" of service "${svc.name}" is declared twice`,
          });
        }
        slos.add(slo.name);
      });
    });
  });

/** The spec as written (no defaults applied; the model applies them). */
export type SloSpec = z.output<typeof sloSpecSchema>;
export type ServiceSpec = SloSpec['services'][number];
export type SloEntrySpec = ServiceSpec['slos'][number];
export type BurnRateSpec = z.output<typeof burnRateSchema>;
