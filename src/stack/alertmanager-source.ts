import {
  alertTimingOf,
  configHoldsSecrets,
  describeTargets,
  renderAlertmanagerConfig,
  resolveNotificationTargets,
  writeCredentialFiles,
} from '../alerting/index.js';
import { dirname, join } from 'node:path';
import { readSecretFile, writeSecretFile } from '../secrets.js';
import { withDotEnv } from '../definition/index.js';
import type { StackPaths, StackSettings } from '../definition/index.js';

/** The variables of .env.example that decide where notifications go. */
const NOTIFICATION_VARIABLE = /^(SLACK_|PAGERDUTY_|SMTP_|HEARTBEAT_)/;
export const NOTIFICATION_ENV_FILE = 'notification.env.json';

export function notificationVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => NOTIFICATION_VARIABLE.test(e[0]) && typeof e[1] === 'string' && e[1] !== ''),
  );
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
}

export interface AlertmanagerSource {
  text: string;
  /** True when the text holds a credential inline (written owner-only). */
  secret: boolean;
  /** One line per integration: real destination or the local sink. */
  summary: string;
}

/** The environment notification credentials come from: the caller's as it is,
 * else the process's with the .env beside the configuration folder. */
function notificationEnv(s: StackSettings, env: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  return env ?? withDotEnv(join(dirname(s.configDir), '.env'), process.env);
}

/** One line per integration, real destination or the local sink, as a start
 * of this stack renders them (reads the environment and .env, writes nothing). */
export function notificationSummary(s: StackSettings, env?: NodeJS.ProcessEnv): string {
  return describeTargets(resolveNotificationTargets(notificationEnv(s, env), s), s);
}

/** The Alertmanager configuration for a run directory: credentials from the
 * environment go to owner-only files under the data directory (never into the
 * repository); a missing credential routes that integration to the local sink.
 * Templates are referenced relative to the config file (Alertmanager resolves
 * them against its directory). */
export async function alertmanagerSource(
  s: StackSettings,
  p: StackPaths,
  opts: { reload?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<AlertmanagerSource> {
  // Credentials come from the environment, or from .env beside the config folder
  // (an environment given by the caller is taken as it is, without .env).
  // A reload also falls back on what the stack started with, so that running
  // `mlmon reload` from a shell without the variables does not quietly send
  // pages to the sink.
  let env = notificationEnv(s, opts.env);
  const saved = opts.reload ? readSecretFile(p.secretsDir, NOTIFICATION_ENV_FILE) : undefined;
  if (saved !== undefined) env = { ...(JSON.parse(saved) as Record<string, string>), ...definedOnly(env) };
  writeSecretFile(p.secretsDir, NOTIFICATION_ENV_FILE, `${JSON.stringify(notificationVariables(env))}\n`);
  const targets = resolveNotificationTargets(env, s);
  await writeCredentialFiles(targets, p.secretsDir);
  const text = renderAlertmanagerConfig(s, targets, {
    secretsDir: p.secretsDir,
    templatesDir: 'templates',
    timing: alertTimingOf(s.profile),
  });
  return { text, secret: configHoldsSecrets(targets), summary: describeTargets(targets, s) };
}
