/** What the console knows before asking Prometheus: the SLOs of the spec, in
 * the profile the stack runs (windows and series names depend on it). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Profile } from '../definition/index.js';
import { buildSloModels, loadSloSpecFile, type Slo } from '../slo/index.js';
import { stackPaths } from '../definition/index.js';

export const SLO_SPEC_FILE = 'slos.yaml';

/** The profile recorded by the running stack in `<data>/state.json`, if any. */
export function stackProfile(dataDir: string): Profile | undefined {
  const file = stackPaths(dataDir).stateFile;
  if (!existsSync(file)) return undefined;
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as { settings?: { profile?: unknown } };
    const p = state.settings?.profile;
    return p === 'test' || p === 'production' ? p : undefined;
  } catch {
    return undefined;
  }
}

export function sloId(slo: Pick<Slo, 'service' | 'name'>): string {
  return `${slo.service}/${slo.name}`;
}

export interface SloCatalog {
  slos: Slo[];
  profile: Profile;
  specFile: string;
  byId(service: string, name: string): Slo | undefined;
}

/** Reads and validates `<configDir>/slos.yaml`; throws MlmonError with file:line. */
export function loadSloCatalog(configDir: string, profile: Profile): SloCatalog {
  const specFile = join(configDir, SLO_SPEC_FILE);
  const slos = buildSloModels(loadSloSpecFile(specFile), profile);
  const index = new Map(slos.map((s) => [sloId(s), s]));
  return { slos, profile, specFile, byId: (service, name) => index.get(`${service}/${name}`) };
}
