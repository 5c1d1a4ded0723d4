import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MlmonError } from '../errors.js';
import { writeFileAtomic } from '../files.js';
import type { ReferenceProfile } from './profile.js';
import type { SerializedForest } from './forest.js';

/** metadata.json, snake_case because the ML exporter (and people with jq) read it. */
export interface ModelMetadata {
  model: string;
  version: string;
  trained_at: string;
  trained_at_unix: number;
  seed: number;
  training_data: { source: string; fingerprint: string; rows: number; heldout_rows: number };
  features: string[];
  classes: string[];
  heldout_accuracy: number;
  reference: ReferenceProfile;
}

export interface ModelListing {
  model: string;
  current: string | undefined;
  versions: string[];
}

const VERSION_RE = /^v([1-9][0-9]*)$/;

export function versionNumber(version: string): number | undefined {
  const m = VERSION_RE.exec(version);
  return m ? Number(m[1]) : undefined;
}

/** Versions sorted by number (v2 before v10). */
export function sortVersions(versions: string[]): string[] {
  return versions.filter((v) => versionNumber(v) !== undefined).sort((a, b) => versionNumber(a)! - versionNumber(b)!);
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

export async function listVersions(registryDir: string, model: string): Promise<string[]> {
  return sortVersions(await listDir(join(registryDir, model)));
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

/** Publish a trained model as the next version and make it current.
 * The version folder is filled under a hidden temp name and renamed into place;
 * a rename onto an existing version fails, so two trainings racing each get
 * their own version number instead of mixing files. */
export async function publishVersion(
  registryDir: string,
  model: string,
  forest: SerializedForest,
  metadataFor: (version: string) => ModelMetadata,
): Promise<ModelMetadata> {
  const modelDir = join(registryDir, model);
  await mkdir(modelDir, { recursive: true });
  for (let attempt = 0; attempt < 20; attempt++) {
    const version = nextVersion(await listVersions(registryDir, model));
    const metadata = metadataFor(version);
    const tmp = join(modelDir, `.tmp-${version}-${process.pid}-${randomBytes(4).toString('hex')}`);
    await mkdir(tmp);
    try {
      await writeFile(join(tmp, 'model.json'), JSON.stringify(forest));
      await writeFile(join(tmp, 'metadata.json'), JSON.stringify(metadata, null, 2) + '\n');
      await rename(tmp, join(modelDir, version));
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') continue;
      throw e;
    }
    await writeFileAtomic(join(modelDir, 'CURRENT'), `${version}\n`);
    return metadata;
  }
  throw new MlmonError('model_publish', 'could not claim a new version number after 20 attempts', { location: modelDir });
}
