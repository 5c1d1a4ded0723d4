/** What the console knows before asking Prometheus: the SLOs of the rules
 * Prometheus runs, read from the catalog written beside them (the run directory
 * of a stack, or config/prometheus/ as `mlmon generate` wrote it), never from the
 * spec, which may have been edited since. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MlmonError } from '../errors.js';
import { stackPaths, type Profile } from '../definition/index.js';
import { CATALOG_FILE, type Slo, type SloCatalogFile } from '../slo/index.js';

export function sloId(slo: Pick<Slo, 'service' | 'name'>): string {
  return `${slo.service}/${slo.name}`;
}

export interface SloCatalog {
  slos: Slo[];
  profile: Profile;
  file: string;
  byId(service: string, name: string): Slo | undefined;
}

/** The catalog file to read: the stack's run directory when it has one (the
 * rules Prometheus was last given, in the stack's profile), else the generated
 * one in `<configDir>/prometheus/`. */
export function catalogFileFor(opts: { dataDir?: string; configDir: string }): string {
  const run = opts.dataDir ? stackPaths(opts.dataDir).sloCatalogFile : undefined;
  return run !== undefined && existsSync(run) ? run : join(opts.configDir, 'prometheus', CATALOG_FILE);
}

/** Reads a catalog; throws MlmonError naming the file when it is missing or not one. */
export function loadSloCatalog(file: string): SloCatalog {
  let parsed: Partial<SloCatalogFile>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<SloCatalogFile>;
  } catch (e) {
    throw new MlmonError('slo-catalog-unreadable', `cannot read the SLO catalog: ${(e as Error).message.split('\n')[0] ?? ''}`, {
      location: file,
      hint: 'Run `mlmon generate` (it writes config/prometheus/slo_catalog.json from config/slos.yaml), or start the stack.',
    });
  }
  if (!Array.isArray(parsed.slos) || (parsed.profile !== 'production' && parsed.profile !== 'test')) {
    throw new MlmonError('slo-catalog-invalid', 'not an SLO catalog (no slos and profile)', {
      location: file,
      hint: 'Run `mlmon generate` to write it again.',
    });
  }
  const slos = parsed.slos;
  const index = new Map(slos.map((s) => [sloId(s), s]));
  return { slos, profile: parsed.profile, file, byId: (service, name) => index.get(`${service}/${name}`) };
}
