import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MlmonError } from '../errors.js';
import { writeFileAtomic } from '../files.js';
import type { ReferenceProfile } from './profile.js';
import type { SerializedForest } from './forest.js';

/** What a model predicts: a class (classification) or a number (regression). */
export type ModelKind = 'classification' | 'regression';
export const MODEL_KINDS: readonly ModelKind[] = ['classification', 'regression'];

/** metadata.json, snake_case because the ML exporter (and people with jq) read it.
 * Files written before `kind` existed are classification models with numeric features. */
export interface ModelMetadata {
  model: string;
  version: string;
  /** When the version was made: trained here, or registered from its reference data. */
  trained_at: string;
  trained_at_unix: number;
  /** Default classification. */
  kind?: ModelKind;
  /** Seed of the training recipe (models trained by mlmon only). */
  seed?: number;
  training_data: { source: string; fingerprint: string; rows: number; heldout_rows: number };
  features: string[];
  /** Classes a classification model predicts; empty for regression. */
  classes: string[];
  /** Target column of registered models. */
  target?: string;
  /** Accuracy on held-out rows (trained here) or on the reference data's own
   * predictions (registered with a prediction column); absent when unknown. */
  heldout_accuracy?: number;
  /** Regression models registered with a prediction column: errors on the reference data. */
  reference_mae?: number;
  reference_rmse?: number;
  reference: ReferenceProfile;
}

export function modelKind(m: Pick<ModelMetadata, 'kind'>): ModelKind {
  return m.kind ?? 'classification';
}

export interface ModelListing {
  model: string;
  current: string | undefined;
  versions: string[];
}

const VERSION_RE = /^v([1-9][0-9]*)$/;
/** Version names a user may choose: safe as a folder name and as a label value. */
export const VERSION_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Model names: safe as a folder name, a label value and a URL path segment. */
export const MODEL_NAME_RE = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

export function versionNumber(version: string): number | undefined {
  const m = VERSION_RE.exec(version);
  return m ? Number(m[1]) : undefined;
}

/** Natural order: digit runs compare as numbers, so v2 < v10 and 1.2.0 < 1.10.0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] as string;
    const y = pb[i] as string;
    if (x === y) continue;
    const nx = /^\d/.test(x) && /^\d/.test(y);
    if (nx && Number(x) !== Number(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** Valid version names in natural order (v2 before v10); hidden temp folders are not versions. */
export function sortVersions(versions: string[]): string[] {
  return versions.filter((v) => VERSION_NAME_RE.test(v)).sort(compareVersions);
}

export function nextVersion(existing: string[]): string {
  const max = existing.reduce((m, v) => Math.max(m, versionNumber(v) ?? 0), 0);
  return `v${max + 1}`;
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** Version folders of a model (CURRENT and DEPLOYMENT beside them are files). */
export async function listVersions(registryDir: string, model: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(join(registryDir, model), { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw e;
  }
  return sortVersions(entries.filter((e) => e.isDirectory()).map((e) => e.name));
}

export async function readCurrentVersion(registryDir: string, model: string): Promise<string | undefined> {
  try {
    const v = (await readFile(join(registryDir, model, 'CURRENT'), 'utf8')).trim();
    return v === '' ? undefined : v;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export async function listModels(registryDir: string): Promise<ModelListing[]> {
  const out: ModelListing[] = [];
  for (const model of (await listDir(registryDir)).sort()) {
    if (model.startsWith('.')) continue;
    const versions = await listVersions(registryDir, model);
    if (versions.length === 0) continue;
    out.push({ model, current: await readCurrentVersion(registryDir, model), versions });
  }
  return out;
}

export async function readMetadata(registryDir: string, model: string, version: string): Promise<ModelMetadata> {
  const path = join(registryDir, model, version, 'metadata.json');
  try {
    return JSON.parse(await readFile(path, 'utf8')) as ModelMetadata;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new MlmonError(
      'model_metadata',
      code === 'ENOENT' ? 'no such model version' : `cannot read model metadata: ${(e as Error).message}`,
      {
        location: path,
        hint: 'Train a model with `mlmon train --data-dir <dir>`.',
      },
    );
  }
}

export async function readForest(registryDir: string, model: string, version: string): Promise<SerializedForest> {
  const path = join(registryDir, model, version, 'model.json');
  try {
    return JSON.parse(await readFile(path, 'utf8')) as SerializedForest;
  } catch (e) {
    throw new MlmonError('model_artifact', `cannot read the model artifact: ${(e as Error).message}`, {
      location: path,
      hint: 'Train a new version with `mlmon train --data-dir <dir>`.',
    });
  }
}

/** Publish a model as a new version and make it current: the next vN, or
 * `opts.version` when the user names one (refused when it exists). The version
 * folder is filled under a hidden temp name and renamed into place; a rename
 * onto an existing version fails, so two publishers racing each get their own
 * version number instead of mixing files. A running exporter picks the new
 * version up at its next registry refresh. */
export async function publishVersion(
  registryDir: string,
  model: string,
  forest: SerializedForest | undefined,
  metadataFor: (version: string) => ModelMetadata,
  opts: { version?: string } = {},
): Promise<ModelMetadata> {
  const modelDir = join(registryDir, model);
  await mkdir(modelDir, { recursive: true });
  for (let attempt = 0; attempt < 20; attempt++) {
    const version = opts.version ?? nextVersion(await listVersions(registryDir, model));
    const metadata = metadataFor(version);
    const tmp = join(modelDir, `.tmp-${version}-${process.pid}-${randomBytes(4).toString('hex')}`);
    await mkdir(tmp);
    try {
      if (forest) await writeFile(join(tmp, 'model.json'), JSON.stringify(forest));
      await writeFile(join(tmp, 'metadata.json'), JSON.stringify(metadata, null, 2) + '\n');
      await rename(tmp, join(modelDir, version));
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') {
        if (opts.version !== undefined) {
          throw new MlmonError('model_version_exists', `${model} already has a version ${opts.version}`, {
            location: join(modelDir, opts.version),
            hint: 'Versions never change once published: choose another --version, or leave it out for the next vN.',
          });
        }
        continue;
      }
      throw e;
    }
    await writeFileAtomic(join(modelDir, 'CURRENT'), `${version}\n`);
    return metadata;
  }
  throw new MlmonError('model_publish', 'could not claim a new version number after 20 attempts', { location: modelDir });
}
