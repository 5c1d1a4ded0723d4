import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { MlmonError } from '../errors.js';
import type { RemoteWriteAuth, RemoteWriteSettings } from '../definition/index.js';

/** The remote-write flags of `mlmon up`, as commander hands them over. */
export interface RemoteWriteCliOptions {
  remoteWriteUrl?: string;
  remoteWriteBearerTokenFile?: string;
  remoteWriteUsername?: string;
  remoteWritePasswordFile?: string;
  /** Extra metric names (or regexes) to forward; repeatable. */
  remoteWriteKeep?: string[];
}

/** Environment variables with the same meaning as the flags (flags win). */
export const REMOTE_WRITE_ENV = {
  url: 'MLMON_REMOTE_WRITE_URL',
  bearerTokenFile: 'MLMON_REMOTE_WRITE_BEARER_TOKEN_FILE',
  username: 'MLMON_REMOTE_WRITE_USERNAME',
  passwordFile: 'MLMON_REMOTE_WRITE_PASSWORD_FILE',
  /** Comma-separated. */
  keep: 'MLMON_REMOTE_WRITE_KEEP',
} as const;

function optionError(flag: string, message: string, hint?: string): MlmonError {
  return new MlmonError('bad_option', `${flag}: ${message}`, { location: 'remote write', ...(hint ? { hint } : {}) });
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

/** A credentials file must exist when the stack starts: promtool refuses a
 * config naming a missing one, and the message would not say which flag. The
 * path is made absolute because Prometheus resolves relative paths against the
 * run directory, not the caller's folder. */
function credentialsFile(flag: string, path: string, cwd: string): string {
  const abs = resolve(cwd, path);
  if (!existsSync(abs))
    throw optionError(flag, `no such file: ${abs}`, 'Write the secret into that file (one line, mode 0600), then start again.');
  return abs;
}

/** Anything Prometheus accepts as a relabel regex alternative, and nothing
 * that would widen the keep rule to every series. */
function keepPattern(p: string): string {
  if (p === '.*' || p === '.+')
    throw optionError(
      '--remote-write-keep',
      `"${p}" would forward every series`,
      'Name metrics, e.g. --remote-write-keep ml_model_accuracy',
    );
  try {
    new RegExp(`^(?:${p})$`);
  } catch {
    throw optionError('--remote-write-keep', `"${p}" is not a valid regular expression`);
  }
  return p;
}

/** Remote-write settings from flags and MLMON_REMOTE_WRITE_* variables, or
 * undefined when no URL is given. Throws MlmonError on contradictory input. */
export function remoteWriteFromOptions(
  o: RemoteWriteCliOptions,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): RemoteWriteSettings | undefined {
  const url = nonEmpty(o.remoteWriteUrl) ?? nonEmpty(env[REMOTE_WRITE_ENV.url]);
  const bearer = nonEmpty(o.remoteWriteBearerTokenFile) ?? nonEmpty(env[REMOTE_WRITE_ENV.bearerTokenFile]);
  const username = nonEmpty(o.remoteWriteUsername) ?? nonEmpty(env[REMOTE_WRITE_ENV.username]);
  const passwordFile = nonEmpty(o.remoteWritePasswordFile) ?? nonEmpty(env[REMOTE_WRITE_ENV.passwordFile]);
  const keepFlags = o.remoteWriteKeep ?? [];
  const keep = (keepFlags.length > 0 ? keepFlags : (env[REMOTE_WRITE_ENV.keep] ?? '').split(','))
    .map((k) => k.trim())
    .filter(Boolean)
    .map(keepPattern);

  if (!url) {
    if (bearer || username || passwordFile || keepFlags.length > 0) {
      throw optionError('--remote-write-url', 'is required when other remote-write options are given', `or set ${REMOTE_WRITE_ENV.url}`);
    }
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw optionError('--remote-write-url', `"${url}" is not a URL`, 'e.g. http://victoria:8428/api/v1/write');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw optionError('--remote-write-url', 'must be an http(s) URL');
  if (parsed.username || parsed.password) {
    throw optionError(
      '--remote-write-url',
      'must not carry credentials',
      'Use --remote-write-username with --remote-write-password-file, or --remote-write-bearer-token-file.',
    );
  }
  if (bearer && (username || passwordFile)) {
    throw optionError(
      '--remote-write-bearer-token-file',
      'cannot be combined with basic auth (--remote-write-username/--remote-write-password-file)',
    );
  }
  if (Boolean(username) !== Boolean(passwordFile)) {
    throw optionError(
      username ? '--remote-write-password-file' : '--remote-write-username',
      'basic auth needs both a username and a password file',
    );
  }
  let auth: RemoteWriteAuth | undefined;
  if (bearer) auth = { kind: 'bearer', credentialsFile: credentialsFile('--remote-write-bearer-token-file', bearer, cwd) };
  else if (username && passwordFile) {
    auth = { kind: 'basic', username, passwordFile: credentialsFile('--remote-write-password-file', passwordFile, cwd) };
  }
  return { url, ...(auth ? { auth } : {}), ...(keep.length > 0 ? { keepSeries: keep } : {}) };
}
