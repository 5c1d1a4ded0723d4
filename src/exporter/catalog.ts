import { prepareReference, type PreparedReference } from '../drift/index.js';
import {
  listModels,
  modelKind,
  OTHER_CATEGORY,
  readMetadata,
  type FeatureProfile,
  type ModelKind,
  type ModelMetadata,
} from '../model/index.js';
import { LabelledCounts } from './counts.js';

/** A numeric feature's training reference, ready for PSI and KS. */
export interface NumericReference {
  type: 'numeric';
  name: string;
  min: number;
  max: number;
  /** Bin edges and proportions, and the sorted training values with their rank
   * lookup (typed arrays: KS walks them for every feature at every compute).
   * Absent in a catalog loaded without references: the ingest API's checks need
   * none, and the training values are most of a version's memory. */
  prepared: PreparedReference | undefined;
}

/** A categorical reference: buckets are the reference categories in profile order,
 * then one OTHER_CATEGORY bucket for every value outside them. A window stores a
 * value as its bucket index, so no category ever becomes a label value. */
export interface CategoricalReference {
  type: 'categorical';
  name: string;
  buckets: readonly string[];
  index: ReadonlyMap<string, number>;
  proportions: Float64Array;
  count: number;
}

export type FeatureReference = NumericReference | CategoricalReference;

/** One registered version: what its events are checked, windowed and compared against. */
export interface CatalogVersion {
  model: string;
  version: string;
  kind: ModelKind;
  /** The version's metadata without its reference profile (kept in `features` and `prediction`). */
  metadata: Omit<ModelMetadata, 'reference'>;
  /** Every feature of the version, in metadata order; undefined where the profile lacks one. */
  features: readonly (FeatureReference | undefined)[];
  featureNames: readonly string[];
  featureSet: ReadonlySet<string>;
  /** Position of each feature in `features`. */
  featureIndex: ReadonlyMap<string, number>;
  /** Counter keys of [model, feature], made once (ingest touches them for every event). */
  featureKeys: readonly string[];
  classes: readonly string[];
  /** What predictions are compared against: the class mix as buckets (classes, then
   * other) for classification, the reference predictions' distribution for regression. */
  prediction: FeatureReference | undefined;
}

/** What the exporter knows about one model from the registry. Every label value
 * the exporter emits for a model (versions, features, classes) comes from here. */
export interface CatalogModel {
  model: string;
  /** The version named in CURRENT (or the newest one when CURRENT is missing). */
  current: string;
  /** Every version in the registry, oldest first. */
  versions: readonly string[];
  /** Versions whose metadata is loaded: the current one and those events named.
   * Metadata of a version never changes, so an entry is loaded once. */
  loaded: ReadonlyMap<string, CatalogVersion>;
}

export interface Catalog {
  models: ReadonlyMap<string, CatalogModel>;
}

export const EMPTY_CATALOG: Catalog = { models: new Map() };

function categorical(name: string, shares: Readonly<Record<string, number>>, count: number): CategoricalReference {
  const buckets = Object.keys(shares).filter((c) => c !== OTHER_CATEGORY);
  buckets.push(OTHER_CATEGORY);
  const proportions = Float64Array.from(buckets, (b) => shares[b] ?? 0);
  return { type: 'categorical', name, buckets, index: new Map(buckets.map((b, i) => [b, i])), proportions, count };
}

export interface CatalogOptions {
  /** Keep the numeric references (bins and training values) for drift; default true. */
  references?: boolean;
}

function numeric(name: string, p: FeatureProfile, references: boolean): NumericReference {
  return {
    type: 'numeric',
    name,
    min: p.min,
    max: p.max,
    prepared: references
      ? prepareReference({ binEdges: p.bin_edges, binProportions: p.bin_proportions, sortedValues: Float64Array.from(p.values) })
      : undefined,
  };
}

/** Pure: a catalog entry from a version's metadata. */
export function catalogVersion(metadata: ModelMetadata, opts: CatalogOptions = {}): CatalogVersion {
  const references = opts.references ?? true;
  const kind = modelKind(metadata);
  const features = metadata.features.map((name): FeatureReference | undefined => {
    const p = metadata.reference.features[name];
    if (!p) return undefined; // no reference for this feature: counted, but no drift
    if (p.type === 'categorical') return categorical(name, p.categories, p.count);
    return numeric(name, p, references);
  });
  let prediction: FeatureReference | undefined;
  if (kind === 'classification') {
    const mix: Record<string, number> = {};
    for (const c of metadata.classes) mix[c] = metadata.reference.class_mix[c] ?? 0;
    prediction = categorical('prediction', mix, metadata.training_data.rows);
  } else if (metadata.reference.prediction) {
    prediction = numeric('prediction', metadata.reference.prediction, references);
  }
  const { reference: _reference, ...kept } = metadata;
  return {
    model: metadata.model,
    version: metadata.version,
    kind,
    metadata: kept,
    features,
    featureNames: metadata.features,
    featureSet: new Set(metadata.features),
    featureIndex: new Map(metadata.features.map((f, i) => [f, i])),
    featureKeys: metadata.features.map((f) => LabelledCounts.key([metadata.model, f])),
    classes: kind === 'classification' ? metadata.classes : [],
    prediction,
  };
}

/** Pure: a model with the given versions loaded (tests and benches build catalogs this way). */
export function catalogModel(
  current: ModelMetadata,
  versions: readonly string[] = [current.version],
  more: readonly ModelMetadata[] = [],
): CatalogModel {
  const loaded = new Map<string, CatalogVersion>();
  for (const m of [current, ...more]) loaded.set(m.version, catalogVersion(m));
  return {
    model: current.model,
    current: current.version,
    versions: versions.includes(current.version) ? versions : [...versions, current.version],
    loaded,
  };
}

export function catalogOf(entries: readonly CatalogModel[]): Catalog {
  return { models: new Map(entries.map((e) => [e.model, e])) };
}

export const versionKey = (model: string, version: string): string => `${model}\u001f${version}`;

/** The version of a model whose figures stand for it: the current one. */
export function currentVersion(entry: CatalogModel): CatalogVersion | undefined {
  return entry.loaded.get(entry.current);
}

/** Read the registry. Versions already loaded are reused; the current version of
 * each model and the versions in `wanted` (model/version keys named by events)
 * are loaded. Problems with one version are reported and it stays unloaded. */
export async function loadCatalog(
  registryDir: string,
  previous: Catalog = EMPTY_CATALOG,
  wanted: ReadonlySet<string> = new Set(),
  opts: CatalogOptions = {},
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
    const current = listing.current && listing.versions.includes(listing.current) ? listing.current : listing.versions.at(-1);
    if (current === undefined) continue;
    const before = previous.models.get(listing.model);
    const loaded = new Map<string, CatalogVersion>();
    for (const v of listing.versions) {
      const known = before?.loaded.get(v);
      if (known) loaded.set(v, known);
      else if (v === current || wanted.has(versionKey(listing.model, v))) {
        try {
          loaded.set(v, catalogVersion(await readMetadata(registryDir, listing.model, v), opts));
        } catch (e) {
          problems.push(`${listing.model}/${v}: ${(e as Error).message}`);
        }
      }
    }
    if (loaded.size === 0) continue;
    entries.push({
      model: listing.model,
      current: loaded.has(current) ? current : ([...loaded.keys()].at(-1) as string),
      versions: listing.versions,
      loaded,
    });
  }
  return { catalog: catalogOf(entries), problems };
}
