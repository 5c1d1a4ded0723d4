import { z } from 'zod';

/** Reasons any JSON body can be refused for, whatever the route. */
export const BODY_REJECT_REASONS = [
  'malformed_json',
  'unsupported_media_type',
  'body_too_large',
  'invalid_type',
  'invalid_value',
  'missing_field',
  'unknown_field',
] as const;

/** Every reason a request can be refused for: the fixed label set of
 * http_request_errors_total, so a flood of bad input cannot add series. */
export const REJECT_REASONS = [
  ...BODY_REJECT_REASONS,
  'missing_feature',
  'unknown_feature',
  'non_finite',
  'batch_too_large',
  'unknown_request_id',
  'unknown_label',
  'duplicate_feedback',
  'forbidden',
  'unauthorized',
  'not_found',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** The 4xx body: which field, what is wrong with it, under which reason it was counted. */
export interface Rejection {
  status: number;
  reason: RejectReason;
  field: string;
  message: string;
}

export const MAX_BATCH = 100;

/** Schemas are built from the served model's feature and class lists, so the API
 * rejects exactly what the model cannot take. */
export function predictSchemas(features: readonly string[], classes: readonly string[]) {
  const row = z.strictObject(Object.fromEntries(features.map((f) => [f, z.number()])) as Record<string, z.ZodNumber>);
  const predict = z
    .strictObject({ features: row.optional(), instances: z.array(row).min(1).max(MAX_BATCH).optional() })
    .refine((b) => (b.features === undefined) !== (b.instances === undefined), {
      message: 'send exactly one of "features" (one row) or "instances" (a batch)',
    });
  const feedback = z.strictObject({
    request_id: z.string().min(1).max(200),
    label: z.enum(classes as [string, ...string[]]),
  });
  return { predict, feedback };
}

export type PredictBody = { features?: Record<string, number>; instances?: Record<string, number>[] };
export type FeedbackBody = { request_id: string; label: string };

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = data;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(body)' : path.map(String).join('.');
}

/** features.x and instances.3.x are features; everything else is an envelope field. */
function isFeaturePath(path: readonly PropertyKey[]): boolean {
  return (path[0] === 'features' && path.length === 2) || (path[0] === 'instances' && path.length === 3);
}
function isFeatureObject(path: readonly PropertyKey[]): boolean {
  return ((path[0] === 'features' || path[0] === 'feature_shift') && path.length === 1) || (path[0] === 'instances' && path.length === 2);
}

/** Turn the first schema issue into a rejection with a fixed reason. */
export function rejectionFromIssues(issues: readonly z.core.$ZodIssue[], data: unknown): Rejection {
  const issue = issues[0];
  if (!issue) return { status: 400, reason: 'invalid_type', field: '(body)', message: 'invalid request body' };
  const path = issue.path;
  const field = fieldName(path);
  const last = String(path[path.length - 1] ?? '');
  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = issue.keys[0] ?? '';
      const where = [...path, key];
      const reason = isFeatureObject(path) ? 'unknown_feature' : path[0] === 'label' ? 'unknown_label' : 'unknown_field';
      const what = reason === 'unknown_feature' ? 'unknown feature' : 'unknown field';
      return { status: 400, reason, field: fieldName(where), message: `${what} "${key}"` };
    }
    case 'invalid_type': {
      const value = valueAt(data, path);
      if (value === undefined) {
        const reason = isFeaturePath(path) ? 'missing_feature' : 'missing_field';
        return {
          status: 400,
          reason,
          field,
          message: `${reason === 'missing_feature' ? 'missing feature' : 'missing field'} "${last}" (expected ${issue.expected})`,
        };
      }
      if (typeof value === 'number' && !Number.isFinite(value)) {
        return { status: 400, reason: 'non_finite', field, message: `${field} must be a finite number, got ${value}` };
      }
      const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
      return {
        status: 400,
        reason: 'invalid_type',
        field,
        message: `${field} must be ${issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}, got ${got}`,
      };
    }
    case 'too_big':
      if (path[0] === 'instances' && path.length === 1) {
        return { status: 413, reason: 'batch_too_large', field, message: `a batch holds at most ${MAX_BATCH} instances` };
      }
      return { status: 400, reason: 'invalid_value', field, message: `${field} is too long` };
    case 'invalid_value':
      if (path[0] === 'label' && valueAt(data, path) === undefined) {
        return { status: 400, reason: 'missing_field', field, message: `missing field "label"` };
      }
      if (path[0] === 'label' && typeof valueAt(data, path) !== 'string') {
        return { status: 400, reason: 'invalid_type', field, message: `${field} must be a string` };
      }
      if (path[0] === 'label') {
        return {
          status: 400,
          reason: 'unknown_label',
          field,
          message: `unknown label ${JSON.stringify(valueAt(data, path))}; expected one of ${issue.values.join(', ')}`,
        };
      }
      return { status: 400, reason: 'invalid_value', field, message: `${field}: ${issue.message}` };
    case 'custom':
      return { status: 400, reason: 'missing_field', field: field, message: issue.message };
    default:
      return { status: 400, reason: 'invalid_value', field, message: `${field}: ${issue.message}` };
  }
}

/** Fastify's own refusals (raised before the handler runs) mapped onto our reasons. */
export function rejectionFromFastifyError(err: { code?: string; statusCode?: number; message: string }): Rejection | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, reason: 'unsupported_media_type', field: 'content-type', message: 'send the body as application/json' };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, reason: 'body_too_large', field: '(body)', message: 'request body is larger than the limit' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, reason: 'malformed_json', field: '(body)', message: 'the body is empty; send a JSON object' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, reason: 'malformed_json', field: '(body)', message: `the body is not valid JSON: ${err.message}` };
  }
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
    // secure-json-parse refusals (__proto__ keys) and other body parse errors arrive as plain 400s.
    return { status: 400, reason: 'malformed_json', field: '(body)', message: err.message };
  }
  return undefined;
}
