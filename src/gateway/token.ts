import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDirFrom, stackPaths } from '../definition/index.js';

/** File name of the fault-control token inside `<data>/secrets/`. */
export const ADMIN_TOKEN_FILE = 'admin-token';

/** Environment variable that hands the token to the gateway (and to clients). */
export const ADMIN_TOKEN_ENV = 'MLMON_GATEWAY_ADMIN_TOKEN';

export function adminTokenPath(dataDir: string): string {
  return join(stackPaths(dataDir).secretsDir, ADMIN_TOKEN_FILE);
}

/** A fresh random token (or `given`), written owner-only (0600 in a 0700 folder) where
 * `mlmon fault` finds it. A new token at every stack start: one leaked from an
 * old run opens nothing. Written to a temporary name and renamed, so a reader
 * never sees half a token. */
export function createAdminToken(secretsDir: string, given?: string): string {
  mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
  chmodSync(secretsDir, 0o700);
  const token = given ?? randomBytes(32).toString('base64url');
  const path = join(secretsDir, ADMIN_TOKEN_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return token;
}

/** Removes the token of a stack running without fault control, so no stale token lies around. */
export function removeAdminToken(secretsDir: string): void {
  rmSync(join(secretsDir, ADMIN_TOKEN_FILE), { force: true });
}

/** The token a client should present: `MLMON_GATEWAY_ADMIN_TOKEN` first, else
 * `<dataDir>/secrets/admin-token` (dataDir defaults to MLMON_DATA_DIR or ./data). */
export function findAdminToken(opts: { dataDir?: string; env?: NodeJS.ProcessEnv } = {}): string | undefined {
  const env = opts.env ?? process.env;
  const fromEnv = env[ADMIN_TOKEN_ENV]?.trim();
  if (fromEnv) return fromEnv;
  const dataDir = dataDirFrom(opts.dataDir, env);
  try {
    const text = readFileSync(adminTokenPath(dataDir), 'utf8').trim();
    return text || undefined;
  } catch {
    return undefined;
  }
}

/** Constant-time check of an `Authorization: Bearer <token>` header. Both sides
 * are hashed first so their lengths match and the length of the token leaks nothing. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  if (!header) return false;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(m[1] as string), digest(token));
}
