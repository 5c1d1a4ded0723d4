/** Which versions of a model the bundled gateway serves: a stable version and
 * at most one canary taking a share of the traffic. Kept beside the versions as
 * <registry>/<model>/DEPLOYMENT; the gateway follows the file and swaps models
 * without a restart. Training or registering a version never changes it: only
 * `mlmon model deploy` and `mlmon model rollback` (or `mlmon train --deploy`) do. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { MlmonError } from '../errors.js';
import { writeFileAtomic } from '../files.js';
import { listVersions } from './registry.js';

export const DEPLOYMENT_FILE = 'DEPLOYMENT';
/** Stable versions remembered for rollback. */
const HISTORY = 20;

export interface Canary {
  version: string;
  /** Share of requests it answers, 0 < percent < 100. */
  percent: number;
}

export interface Deployment {
  stable: string;
  canary: Canary | null;
  /** Earlier stable versions, newest last: where `rollback` goes. */
  previous: string[];
  updated_at: string;
}

const schema = z.object({
  stable: z.string().min(1),
  canary: z.object({ version: z.string().min(1), percent: z.number().gt(0).lt(100) }).nullable(),
  previous: z.array(z.string()),
  updated_at: z.string(),
});

export function deploymentPath(registryDir: string, model: string): string {
  return join(registryDir, model, DEPLOYMENT_FILE);
}

export async function readDeployment(registryDir: string, model: string): Promise<Deployment | undefined> {
  const path = deploymentPath(registryDir, model);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let parsed;
  try {
    parsed = schema.safeParse(JSON.parse(text));
  } catch (e) {
    throw new MlmonError('deployment_unreadable', `the deployment file is not JSON: ${(e as Error).message}`, { location: path });
  }
  if (!parsed.success) {
    throw new MlmonError(
      'deployment_unreadable',
      `the deployment file is damaged: ${parsed.error.issues[0]?.message ?? 'unexpected shape'}`,
      {
        location: path,
        hint: `Deploy a version again with \`mlmon model deploy ${model} <version>\`.`,
      },
    );
  }
  return parsed.data;
}

export async function writeDeployment(registryDir: string, model: string, d: Deployment): Promise<void> {
  await writeFileAtomic(deploymentPath(registryDir, model), JSON.stringify(d, null, 2) + '\n', { fsync: true });
}

/** Pure: the deployment after deploying `version` (as stable, or as a canary with `percent`). */
export function nextDeployment(current: Deployment | undefined, version: string, now: Date, percent?: number): Deployment {
  const updated_at = now.toISOString();
  if (!current) {
    if (percent !== undefined)
      throw new MlmonError('deploy_canary_first', 'a canary needs a stable version beside it: deploy one without --canary first');
    return { stable: version, canary: null, previous: [], updated_at };
  }
  if (percent !== undefined) {
    if (version === current.stable) {
      throw new MlmonError('deploy_canary_is_stable', `${version} is already the stable version; a canary must be another version`);
    }
    return { ...current, canary: { version, percent }, updated_at };
  }
  if (version === current.stable) return { ...current, canary: null, updated_at };
  return { stable: version, canary: null, previous: [...current.previous, current.stable].slice(-HISTORY), updated_at };
}

/** Pure: the deployment after a rollback: a canary is withdrawn; otherwise the previous stable returns. */
export function rolledBack(current: Deployment | undefined, model: string, now: Date): Deployment {
  if (!current) throw new MlmonError('rollback_nothing', `${model} has no deployment to roll back`);
  const updated_at = now.toISOString();
  if (current.canary) return { ...current, canary: null, updated_at };
  const back = current.previous.at(-1);
  if (back === undefined) {
    throw new MlmonError('rollback_nothing', `${model} ${current.stable} is the first version deployed; there is nothing to roll back to`);
  }
  return { stable: back, canary: null, previous: current.previous.slice(0, -1), updated_at };
}

/** Deploy a version that exists in the registry. */
export async function deployVersion(
  registryDir: string,
  model: string,
  version: string,
  opts: { percent?: number; now?: Date } = {},
): Promise<Deployment> {
  const versions = await listVersions(registryDir, model);
  if (!versions.includes(version)) {
    throw new MlmonError(
      'deploy_unknown_version',
      `${model} has no version ${version}${versions.length ? ` (versions: ${versions.join(', ')})` : ''}`,
      {
        location: join(registryDir, model),
      },
    );
  }
  if (!existsSync(join(registryDir, model, version, 'model.json'))) {
    throw new MlmonError(
      'deploy_not_servable',
      `${model} ${version} has no model the bundled gateway can serve (it was registered from reference data)`,
      {
        location: join(registryDir, model, version),
        hint: "Deploy your own service your own way: mlmon measures each version its events name, against that version's reference.",
      },
    );
  }
  if (opts.percent !== undefined && !(opts.percent > 0 && opts.percent < 100)) {
    throw new MlmonError('bad_flag', `--canary must be a percentage above 0 and below 100, got ${opts.percent}`);
  }
  const next = nextDeployment(await readDeployment(registryDir, model), version, opts.now ?? new Date(), opts.percent);
  await writeDeployment(registryDir, model, next);
  return next;
}

export async function rollbackDeployment(registryDir: string, model: string, now = new Date()): Promise<Deployment> {
  const next = rolledBack(await readDeployment(registryDir, model), model, now);
  await writeDeployment(registryDir, model, next);
  return next;
}
