import { join } from 'node:path';
import { dataDirFrom, stackPaths } from '../definition/index.js';
import { newToken, readSecretFile, removeSecretFile, writeSecretFile } from '../secrets.js';

/** File name of the fault-control token inside `<data>/secrets/`. */
export const ADMIN_TOKEN_FILE = 'admin-token';

/** Environment variable that hands the token to the gateway (and to clients). */
export const ADMIN_TOKEN_ENV = 'MLMON_GATEWAY_ADMIN_TOKEN';

export function adminTokenPath(dataDir: string): string {
  return join(stackPaths(dataDir).secretsDir, ADMIN_TOKEN_FILE);
}

/** A fresh random token (or `given`), written owner-only (0600 in a 0700 folder
 * this user owns; a planted symlink is replaced, never followed) where `mlmon
 * fault` finds it. A new token at every stack start: one leaked from an old
 * run opens nothing. */
export function createAdminToken(secretsDir: string, given?: string): string {
  const token = given ?? newToken();
  writeSecretFile(secretsDir, ADMIN_TOKEN_FILE, `${token}\n`);
  return token;
}

/** Removes the token of a stack running without fault control, so no stale token lies around. */
export function removeAdminToken(secretsDir: string): void {
  removeSecretFile(secretsDir, ADMIN_TOKEN_FILE);
}

/** The token a client should present: `MLMON_GATEWAY_ADMIN_TOKEN` first, else
 * `<dataDir>/secrets/admin-token` (dataDir defaults to MLMON_DATA_DIR or ./data). */
export function findAdminToken(opts: { dataDir?: string; env?: NodeJS.ProcessEnv } = {}): string | undefined {
  const env = opts.env ?? process.env;
  const fromEnv = env[ADMIN_TOKEN_ENV]?.trim();
  if (fromEnv) return fromEnv;
  const dataDir = dataDirFrom(opts.dataDir, env);
  try {
    return readSecretFile(stackPaths(dataDir).secretsDir, ADMIN_TOKEN_FILE)?.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The same bearer check as every authenticated API of the stack. */
export { bearerMatches } from '../secrets.js';
