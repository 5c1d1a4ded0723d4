/** Validation of manifests against the Kubernetes OpenAPI definitions vendored
 * in schemas/kubernetes/ (v1.35.0, trimmed to the kinds we render). */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { fromRepo } from '../../src/paths.js';

const DEFINITIONS = 'v1.35.0-definitions.json';

/** The kinds we render, by apiVersion/kind. */
export const KINDS: Readonly<Record<string, string>> = {
  'apps/v1/Deployment': 'io.k8s.api.apps.v1.Deployment',
  'v1/Service': 'io.k8s.api.core.v1.Service',
  'v1/ServiceAccount': 'io.k8s.api.core.v1.ServiceAccount',
  'v1/ConfigMap': 'io.k8s.api.core.v1.ConfigMap',
  'v1/PersistentVolumeClaim': 'io.k8s.api.core.v1.PersistentVolumeClaim',
  'networking.k8s.io/v1/NetworkPolicy': 'io.k8s.api.networking.v1.NetworkPolicy',
};

type Schema = { type?: string; format?: string; properties?: Record<string, Schema>; additionalProperties?: unknown } & Record<
  string,
  unknown
>;

/** Ajv over the definitions, read the way `kubectl apply` (strict field
 * validation, its default) reads manifests: an unknown field is an error, so
 * every object with declared properties gets `additionalProperties: false`.
 * IntOrString is a string with format `int-or-string` in the spec: here it is
 * what the API server accepts, an integer or a string. */
export function kubernetesValidator(): (doc: { apiVersion: string; kind: string }) => { ok: boolean; errors: string[] } {
  const raw = JSON.parse(readFileSync(fromRepo('schemas', 'kubernetes', DEFINITIONS), 'utf8')) as { definitions: Record<string, Schema> };
  const defs = raw.definitions;
  const strict = (s: unknown): void => {
    if (!s || typeof s !== 'object') return;
    const o = s as Schema;
    if (o.type === 'object' && o.properties && o.additionalProperties === undefined) o.additionalProperties = false;
    for (const v of Object.values(o)) {
      if (Array.isArray(v)) v.forEach(strict);
      else strict(v);
    }
  };
  for (const d of Object.values(defs)) strict(d);
  defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = { anyOf: [{ type: 'integer' }, { type: 'string' }] } as Schema;
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const f of ['int32', 'int64']) ajv.addFormat(f, { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
  ajv.addFormat('date-time', () => true);
  ajv.addSchema({ $id: 'k8s', definitions: defs });
  const compiled = new Map<string, ValidateFunction>();
  return (doc) => {
    const name = KINDS[`${doc.apiVersion}/${doc.kind}`];
    if (!name) return { ok: false, errors: [`no vendored schema for ${doc.apiVersion} ${doc.kind}`] };
    let v = compiled.get(name);
    if (!v) {
      v = ajv.compile({ $ref: `k8s#/definitions/${name}` });
      compiled.set(name, v);
    }
    const ok = v(doc) === true;
    return { ok, errors: (v.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`) };
  };
}
