/** The SLO spec as a person writes it (config/slos.yaml), validated with zod.
 * Problems are reported as `config/slos.yaml:14: <what> (<what to do>)`. */
import { readFileSync } from 'node:fs';
import { relative, isAbsolute } from 'node:path';
import { isMap, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';
import { z } from 'zod';
import { MlmonError } from '../errors.js';
import { repoRoot } from '../paths.js';
import { RESERVED_LABELS, SEVERITIES } from './conventions.js';
import { isSelector, parseSelector } from './selector.js';
import { parseDuration } from './windows.js';
import {
  isOpenSloDocument,
  openSloAlertConditionDocumentSchema,
  openSloAlertPolicyDocumentSchema,
  openSloDocumentSchema,
  openSloKind,
  OpenSloIssue,
  openSloToSlo,
  type OpenSloAlertCondition,
  type OpenSloAlertPolicy,
  type OpenSloDocument,
} from './openslo.js';

export const SPEC_VERSION = 'mlmon/v1';

const NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

export const selectorText = z.string().superRefine((text, ctx) => {
  const sel = parseSelector(text);
  if (!isSelector(sel)) ctx.addIssue({ code: 'custom', message: `"${text}" ${sel.error}` });
});

export const durationText = z.string().refine((t) => parseDuration(t) !== undefined, {
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
  return typeof threshold === 'number' ? threshold : parseDuration(threshold);
}

const sliSchema = z
  .strictObject({ events: eventsSli.optional(), latency: latencySli.optional() })
  .superRefine((sli, ctx) => {
    if ((sli.events === undefined) === (sli.latency === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'sli needs exactly one of "events" (bad or good over total) or "latency" (histogram under a threshold)' });
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
    const long = parseDuration(b.long_window);
    const short = b.short_window === undefined ? undefined : parseDuration(b.short_window);
    if (long !== undefined && short !== undefined && short >= long) {
      ctx.addIssue({ code: 'custom', path: ['short_window'], message: `short_window must be shorter than long_window (${b.long_window}); the workbook uses 1/12 of it` });
    }
  });

export const alertingSchema = z.strictObject({
  enabled: z.boolean().optional(),
  burn_rates: z.array(burnRateSchema).min(1, 'give at least one burn rate, or leave burn_rates out for the workbook\'s four').optional(),
  /** Low-traffic guard: requests the long window must hold before an alert may fire. */
  min_requests: z.number().int().nonnegative().optional(),
  labels: labelMap.optional(),
  annotations: annotationMap.optional(),
});

export const sloSchema = z.strictObject({
  name: z.string().regex(NAME, 'SLO names are lower-case words joined by "-", such as availability'),
  description: z.string().optional(),
  objective: z
    .number('objective must be a percentage such as 99.5')
    .gt(0, 'objective must be above 0 (a percentage such as 99.5)')
    .lt(100, 'objective must be below 100 (a percentage such as 99.5; 100 leaves no error budget)'),
  period: durationText.optional(),
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
      if (seen.has(svc.name)) ctx.addIssue({ code: 'custom', path: ['services', i, 'name'], message: `service "${svc.name}" is declared twice` });
      seen.add(svc.name);
      const slos = new Set<string>();
      svc.slos.forEach((slo, j) => {
        if (slos.has(slo.name)) {
          ctx.addIssue({ code: 'custom', path: ['services', i, 'slos', j, 'name'], message: `SLO "${slo.name}" of service "${svc.name}" is declared twice` });
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

/** Where a file is, as people see it: relative to the repository when inside it. */
function displayPath(path: string): string {
  const rel = relative(repoRoot, path);
  return !isAbsolute(path) || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/** Line (1-based) of the node at `path`, or of its deepest existing ancestor. */
export function lineOfPath(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => {
        const k = p.key as { value?: unknown } | null;
        return (k && typeof k === 'object' && 'value' in k ? k.value : k) === key;
      });
      if (!pair) break;
      const keyRange = (pair.key as { range?: [number, number, number] } | null)?.range;
      if (keyRange) offset = keyRange[0];
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key] as { range?: [number, number, number] } | undefined;
      if (!item) break;
      node = item;
      if (item.range) offset = item.range[0];
    } else {
      break;
    }
  }
  const value = node as { range?: [number, number, number] } | null;
  if (value && typeof value === 'object' && value.range && path.length > 0 && !isMap(node) && !isSeq(node)) {
    offset = value.range[0];
  }
  return lineCounter.linePos(offset).line;
}

function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

function issueError(file: string, doc: Document, lc: LineCounter, issue: z.core.$ZodIssue): MlmonError {
  let path = issue.path;
  // Point at the unknown key itself, not at the object holding it.
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path = [...path, issue.keys[0]];
  const line = lineOfPath(doc, lc, path);
  const where = path.length > 0 ? `${pathText(path)}: ` : '';
  return new MlmonError('slo-spec-invalid', `${where}${issue.message}`, {
    location: `${file}:${line}`,
    hint: 'Fix the SLO spec (see docs/SLO_TRACKING.md for its fields) and run `mlmon generate` again.',
  });
}

/** Parses and validates spec text: one mlmon spec document and/or OpenSLO
 * `openslo/v1` SLO documents, separated by `---`. `file` names the text in errors. */
export function parseSloSpec(text: string, file: string): SloSpec {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc });
  if (!Array.isArray(docs)) return { version: SPEC_VERSION, services: [] };
  let native: SloSpec | undefined;
  // SLO documents are converted once every document is read: they may refer to
  // AlertPolicy and AlertCondition documents further down.
  const openSlos: { doc: Document; data: OpenSloDocument }[] = [];
  const policies = new Map<string, OpenSloAlertPolicy>();
  const conditions = new Map<string, OpenSloAlertCondition>();
  const fromOpenSlo: { service: string; slo: SloEntrySpec; line: number }[] = [];
  for (const doc of docs) {
    const syntax = doc.errors[0];
    if (syntax) {
      const line = syntax.linePos?.[0].line ?? 1;
      throw new MlmonError('slo-spec-yaml', `not valid YAML: ${syntax.message.split('\n')[0] ?? ''}`, { location: `${file}:${line}` });
    }
    let data: unknown;
    try {
      // toJS resolves aliases: an undefined one (`*a`) or an alias bomb throws here.
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      throw new MlmonError('slo-spec-yaml', `not valid YAML: ${(e as Error).message.split('\n')[0] ?? ''}`, {
        location: `${file}:${lineOfPath(doc, lc, [])}`,
      });
    }
    if (data === null || data === undefined) continue;
    if (isOpenSloDocument(data)) {
      const kind = openSloKind(data);
      if (kind === 'AlertPolicy' || kind === 'AlertCondition') {
        const schema = kind === 'AlertPolicy' ? openSloAlertPolicyDocumentSchema : openSloAlertConditionDocumentSchema;
        const parsed = schema.safeParse(data);
        if (!parsed.success) throw issueError(file, doc, lc, parsed.error.issues[0]!);
        const named: Map<string, unknown> = kind === 'AlertPolicy' ? policies : conditions;
        if (named.has(parsed.data.metadata.name)) {
          throw new MlmonError('slo-spec-invalid', `${kind} "${parsed.data.metadata.name}" is declared twice`, { location: `${file}:${lineOfPath(doc, lc, ['metadata', 'name'])}` });
        }
        if (kind === 'AlertPolicy') policies.set(parsed.data.metadata.name, parsed.data as OpenSloAlertPolicy);
        else conditions.set(parsed.data.metadata.name, parsed.data as OpenSloAlertCondition);
        continue;
      }
      const parsed = openSloDocumentSchema.safeParse(data);
      if (!parsed.success) throw issueError(file, doc, lc, parsed.error.issues[0]!);
      openSlos.push({ doc, data: parsed.data });
      continue;
    }
    if (native) {
      throw new MlmonError('slo-spec-invalid', 'a spec file holds one mlmon spec document; the others must be OpenSLO (apiVersion: openslo/v1)', {
        location: `${file}:${lineOfPath(doc, lc, [])}`,
      });
    }
    const parsed = sloSpecSchema.safeParse(data);
    if (!parsed.success) throw issueError(file, doc, lc, parsed.error.issues[0]!);
    native = parsed.data;
  }
  for (const { doc, data } of openSlos) {
    try {
      fromOpenSlo.push({ ...openSloToSlo(data, { policies, conditions }), line: lineOfPath(doc, lc, []) });
    } catch (e) {
      if (!(e instanceof OpenSloIssue)) throw e;
      throw new MlmonError('slo-spec-invalid', `${pathText(e.path)}: ${e.message}`, {
        location: `${file}:${lineOfPath(doc, lc, e.path)}`,
        hint: 'Fix the OpenSLO document (see docs/SLO_TRACKING.md for what is supported) and run `mlmon generate` again.',
      });
    }
  }
  const spec: SloSpec = native ?? { version: SPEC_VERSION, services: [] };
  for (const { service, slo, line } of fromOpenSlo) {
    let svc = spec.services.find((s) => s.name === service);
    if (!svc) {
      svc = { name: service, slos: [] };
      spec.services.push(svc);
    }
    if (svc.slos.some((s) => s.name === slo.name)) {
      throw new MlmonError('slo-spec-invalid', `SLO "${slo.name}" of service "${service}" is declared twice`, { location: `${file}:${line}` });
    }
    svc.slos.push(slo);
  }
  return spec;
}

/** Reads and validates an SLO spec file. Throws MlmonError with `file:line`. */
export function loadSloSpecFile(path: string): SloSpec {
  const file = displayPath(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new MlmonError('slo-spec-missing', `cannot read the SLO spec: ${(e as Error).message}`, {
      location: file,
      hint: 'Create it (see docs/SLO_TRACKING.md) or pass the right path.',
    });
  }
  return parseSloSpec(text, file);
}
