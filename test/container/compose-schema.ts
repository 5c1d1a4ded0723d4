import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { fromRepo } from '../../src/paths.js';

// ajv-formats is CommonJS with a default export the ESM types do not see.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** A validator of the Compose Specification's JSON schema (vendored under schemas/). */
export function composeValidator() {
  const schema = JSON.parse(readFileSync(fromRepo('schemas', 'compose-spec.json'), 'utf8')) as Record<string, unknown>;
  // The schema names its draft-07 meta-schema by an https URL Ajv does not know; Ajv's default is draft-07.
  delete schema.$schema;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(schema);
}
