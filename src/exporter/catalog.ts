import { listModels, readMetadata, type ModelMetadata } from '../model/index.js';
import type { FeatureReference } from '../drift/index.js';
import { LabelledCounts } from './counts.js';

/** What the exporter knows about one model from the registry. Every label value
 * the exporter emits for a model (versions, features, classes) comes from here. */
export interface CatalogModel {
  model: string;
  /** The version named in CURRENT (or the newest one when CURRENT is missing). */
  active: string;
  /** Every version in the registry. */
  versions: readonly string[];
  metadata: ModelMetadata;
  features: readonly string[];
  /** The same names as a set: every event looks its keys up here. */
  featureSet: ReadonlySet<string>;
  /** Counter keys of [model, feature], made once (ingest touches them for every event). */
  featureKeys: readonly string[];
  classes: readonly string[];
  references: ReadonlyMap<string, FeatureRange & FeatureReference>;
}

export interface FeatureRange {
  min: number;
  max: number;
}

export interface Catalog {
  models: ReadonlyMap<string, CatalogModel>;
}

export const EMPTY_CATALOG: Catalog = { models: new Map() };

/** Pure: a catalog entry from the active version's metadata. */
export function catalogModel(metadata: ModelMetadata, versions: readonly string[]): CatalogModel {
  const references = new Map<string, FeatureRange & FeatureReference>();
  for (const feature of metadata.features) {
    const p = metadata.reference.features[feature];
    if (!p) continue; // no reference for this feature: counted, but no drift
    references.set(feature, {
      min: p.min,
      max: p.max,
      binEdges: p.bin_edges,
      binProportions: p.bin_proportions,
      // Kept as a typed array: KS walks it for every feature at every compute.
      sortedValues: Float64Array.from(p.values),
    });
  }
  return {
    model: metadata.model,
    active: metadata.version,
    versions: versions.includes(metadata.version) ? versions : [...versions, metadata.version],
    metadata,
    features: metadata.features,
    featureSet: new Set(metadata.features),
    featureKeys: metadata.features.map((f) => LabelledCounts.key([metadata.model, f])),
    classes: metadata.classes,
    references,
  };
}

export function catalogOf(entries: readonly CatalogModel[]): Catalog {
  return { models: new Map(entries.map((e) => [e.model, e])) };
}

/** Read the registry. Metadata of a version never changes once published, so entries
 * of `previous` are reused when the active version is the same. Problems with one model
 * are reported and that model keeps its previous entry (or is left out). */
export async function loadCatalog(
  registryDir: string,
  previous: Catalog = EMPTY_CATALOG,
): Promise<{ catalog: Catalog; problems: string[] }> {
  const problems: string[] = [];
  const entries: CatalogModel[] = [];
  let listings: Awaited<ReturnType<typeof listModels>>;
  try {
    listings = await listModels(registryDir);
  } catch (e) {
    return { catalog: previous, problems: [`cannot list the registry ${registryDir}: ${(e as Error).message}`] };
  }
  for (const listing of listings) {
    const active = listing.current && listing.versions.includes(listing.current) ? listing.current : listing.versions.at(-1);
    if (active === undefined) continue;
    const before = previous.models.get(listing.model);
    if (before && before.active === active) {
      entries.push(before.versions.length === listing.versions.length ? before : { ...before, versions: listing.versions });
      continue;
    }
    try {
      entries.push(catalogModel(await readMetadata(registryDir, listing.model, active), listing.versions));
    } catch (e) {
      problems.push(`${listing.model}/${active}: ${(e as Error).message}`);
      if (before) entries.push(before);
    }
  }
  return { catalog: catalogOf(entries), problems };
}
