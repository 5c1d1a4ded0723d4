/** Reads an SLO spec file: YAML documents that are either the native mlmon spec
 * (spec.ts) or OpenSLO `openslo/v1` documents (openslo.ts), dispatched here so
 * that neither format knows the other. Problems are reported as
 * `config/slos.yaml:14: <what> (<what to do>)`. */
import { readFileSync } from 'node:fs';
import { relative, isAbsolute } from 'node:path';
import { isMap, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { z } from 'zod';
import { MlmonError } from '../errors.js';
import { repoRoot } from '../paths.js';
import { SPEC_VERSION, sloSpecSchema, type SloEntrySpec, type SloSpec } from './spec.js';
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
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
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
          throw new MlmonError('slo-spec-invalid', `${kind} "${parsed.data.metadata.name}" is declared twice`, {
            location: `${file}:${lineOfPath(doc, lc, ['metadata', 'name'])}`,
          });
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
      throw new MlmonError(
        'slo-spec-invalid',
        'a spec file holds one mlmon spec document; the others must be OpenSLO (apiVersion: openslo/v1)',
        {
          location: `${file}:${lineOfPath(doc, lc, [])}`,
        },
      );
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
      throw new MlmonError('slo-spec-invalid', `SLO "${slo.name}" of service "${service}" is declared twice`, {
        location: `${file}:${line}`,
      });
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
