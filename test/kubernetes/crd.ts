/** Validation of manifests against the vendored prometheus-operator CRD schemas. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { fromRepo } from '../../src/paths.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
export type Doc = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: Record<string, unknown>;
};

const SCHEMAS: Record<string, string> = {
  PrometheusRule: 'prometheusrules.v1.json',
  ServiceMonitor: 'servicemonitors.v1.json',
  AlertmanagerConfig: 'alertmanagerconfigs.v1alpha1.json',
};

/** The CRD patterns are Go (RE2) regexes; the only RE2 syntax in them that
 * JavaScript lacks is the leading `(?i)` flag (time-interval month names),
 * which becomes the `i` flag here. */
const goRegExp = Object.assign(
  (pattern: string, flags: string) =>
    pattern.includes('(?i)') ? new RegExp(pattern.replaceAll('(?i)', ''), `${flags}i`) : new RegExp(pattern, flags),
  { code: 'goRegExp' },
);

/** Ajv over the CRD's openAPIV3Schema: OpenAPI's int32/int64 formats declared,
 * x-kubernetes-* keywords left to the API server (strict: false ignores them). */
export function crdValidator(kind: string): { validate: ValidateFunction; apiVersion: string } {
  const raw = JSON.parse(readFileSync(fromRepo('schemas', 'prometheus-operator', SCHEMAS[kind]!), 'utf8')) as Record<string, unknown> & {
    'x-crd': { group: string; version: string; kind: string };
  };
  const crd = raw['x-crd'];
  assert.equal(crd.kind, kind);
  const { $comment: _c, 'x-crd': _x, ...schema } = raw;
  const ajv = new Ajv({ strict: false, allErrors: true, code: { regExp: goRegExp } });
  addFormats(ajv);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  return { validate: ajv.compile(schema), apiVersion: `${crd.group}/${crd.version}` };
}
