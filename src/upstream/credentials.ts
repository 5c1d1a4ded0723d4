/** The stack's admin credentials: one user and password that Prometheus,
 * Alertmanager, the Pushgateway and the node and blackbox exporters demand
 * (HTTP basic auth through their `--web.config.file`), and that every client of
 * ours presents. The password is made at the first `mlmon up` (or taken from
 * MLMON_ADMIN_PASSWORD) and kept owner-only in `<data>/secrets/`; the programs
 * see only its bcrypt hash. */
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { MlmonError } from '../errors.js';
import { newToken, readMountedSecretFile, readSecretFile, writeSecretFile } from '../secrets.js';

export const ADMIN_USER_ENV = 'MLMON_ADMIN_USER';
export const ADMIN_PASSWORD_ENV = 'MLMON_ADMIN_PASSWORD';
export const DEFAULT_ADMIN_USER = 'admin';
/** File names inside `<data>/secrets/`. */
export const ADMIN_PASSWORD_FILE = 'admin-password';
export const ADMIN_USER_FILE = 'admin-user';
export const WEB_CONFIG_FILE = 'web-config.yml';
/** bcrypt cost of the hash the programs check (the upstream programs cache a
 * successful check, so the cost is paid about once per client, not per request). */
const BCRYPT_COST = 10;
const MIN_PASSWORD_LENGTH = 12;

export interface BasicCredentials {
  username: string;
  password: string;
}

/** Where a stack's admin credentials live (what `mlmon status --json` shows as `auth`). */
export interface AdminCredentialFiles {
  username: string;
  passwordFile: string;
  webConfigFile: string;
}

export function adminPasswordPath(secretsDir: string): string {
  return join(secretsDir, ADMIN_PASSWORD_FILE);
}

function checkUsername(user: string): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(user)) {
    throw new MlmonError('bad_admin_user', `${ADMIN_USER_ENV}="${user}": a user name is 1-64 letters, digits, dot, dash or underscore`);
  }
  return user;
}

/** The web configuration the upstream programs read: the admin user with its
 * bcrypt hash, and the TLS section when the stack serves HTTPS (pure). */
export function renderWebConfig(username: string, hash: string, tls?: { certFile: string; keyFile: string }): string {
  const lines = ['# Written by mlmon up: basic auth of the stack (bcrypt). Owner-only; do not edit.'];
  if (tls) {
    lines.push(
      'tls_server_config:',
      `  cert_file: ${JSON.stringify(tls.certFile)}`,
      `  key_file: ${JSON.stringify(tls.keyFile)}`,
      '  min_version: TLS12',
    );
  }
  lines.push('basic_auth_users:', `  ${username}: ${JSON.stringify(hash)}`, '');
  return lines.join('\n');
}

/** Makes sure the admin credentials exist under `secretsDir` and returns where
 * they are. The password is MLMON_ADMIN_PASSWORD when set, else the one kept
 * from an earlier start, else a new random one; the web config is rewritten
 * only when its hash no longer matches (bcrypt is slow on purpose). */
export function ensureAdminCredentials(
  secretsDir: string,
  env: NodeJS.ProcessEnv,
  tls?: { certFile: string; keyFile: string },
): AdminCredentialFiles {
  const username = checkUsername(env[ADMIN_USER_ENV]?.trim() || DEFAULT_ADMIN_USER);
  const given = env[ADMIN_PASSWORD_ENV];
  if (given !== undefined && given !== '' && given.length < MIN_PASSWORD_LENGTH) {
    throw new MlmonError('weak_admin_password', `${ADMIN_PASSWORD_ENV} is shorter than ${MIN_PASSWORD_LENGTH} characters`, {
      hint: `choose a longer one, or leave ${ADMIN_PASSWORD_ENV} unset and mlmon makes a random one`,
    });
  }
  const stored = readSecretFile(secretsDir, ADMIN_PASSWORD_FILE);
  const kept = stored?.trim();
  const password = given || kept || newToken();
  // No newline after it: Alertmanager's smtp_auth_password_file sends the file's bytes as they are (Prometheus trims them).
  if (stored !== password) writeSecretFile(secretsDir, ADMIN_PASSWORD_FILE, password);
  if (readSecretFile(secretsDir, ADMIN_USER_FILE)?.trim() !== username) writeSecretFile(secretsDir, ADMIN_USER_FILE, `${username}\n`);
  const current = readSecretFile(secretsDir, WEB_CONFIG_FILE);
  const hash = /:\s*"(\$2[aby]\$[^"]+)"/.exec(current ?? '')?.[1];
  const fresh = hash && bcrypt.compareSync(password, hash) ? hash : bcrypt.hashSync(password, BCRYPT_COST);
  const text = renderWebConfig(username, fresh, tls);
  if (text !== current) writeSecretFile(secretsDir, WEB_CONFIG_FILE, text);
  return { username, passwordFile: join(secretsDir, ADMIN_PASSWORD_FILE), webConfigFile: join(secretsDir, WEB_CONFIG_FILE) };
}

/** The admin credentials of a stack, read back (undefined before its first start). */
export function readAdminCredentials(secretsDir: string): BasicCredentials | undefined {
  const password = readSecretFile(secretsDir, ADMIN_PASSWORD_FILE)?.trim();
  if (!password) return undefined;
  const username = readSecretFile(secretsDir, ADMIN_USER_FILE)?.trim() || DEFAULT_ADMIN_USER;
  return { username, password };
}

/** The admin credentials mounted into a container (compose: the folder
 * `mlmon compose configure` wrote, read-only), or undefined when the folder
 * holds no password. */
export function readMountedAdminCredentials(dir: string): BasicCredentials | undefined {
  const password = readMountedSecretFile(join(dir, ADMIN_PASSWORD_FILE))?.trim();
  if (!password) return undefined;
  const username = readMountedSecretFile(join(dir, ADMIN_USER_FILE))?.trim() || DEFAULT_ADMIN_USER;
  return { username: checkUsername(username), password };
}

/** The admin credentials from the environment (Kubernetes hands a Secret to a
 * pod this way), or undefined when MLMON_ADMIN_PASSWORD is unset. */
export function adminCredentialsFromEnv(env: NodeJS.ProcessEnv): BasicCredentials | undefined {
  const password = env[ADMIN_PASSWORD_ENV]?.trim();
  if (!password) return undefined;
  return { username: checkUsername(env[ADMIN_USER_ENV]?.trim() || DEFAULT_ADMIN_USER), password };
}

/** The `Authorization` header value for basic auth. */
export function basicAuthorization(c: BasicCredentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

/** Headers that carry `c`, or none. */
export function authHeaders(c: BasicCredentials | undefined): Record<string, string> {
  return c ? { authorization: basicAuthorization(c) } : {};
}
