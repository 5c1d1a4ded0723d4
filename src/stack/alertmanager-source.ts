import {
  configHoldsSecrets,
  describeTargets,
  renderAlertmanagerConfig,
  resolveNotificationTargets,
  writeCredentialFiles,
} from '../alerting/index.js';
import { dirname, join } from 'node:path';
import { withDotEnv } from './dotenv.js';
import type { StackPaths, StackSettings } from './settings.js';

export interface AlertmanagerSource {
  text: string;
  /** True when the text holds a credential inline (written owner-only). */
  secret: boolean;
  /** One line per integration: real destination or the local sink. */
  summary: string;
}

/** The Alertmanager configuration for a run directory: credentials from the
 * environment go to owner-only files under the data directory (never into the
 * repository); a missing credential routes that integration to the local sink.
 * Templates are referenced relative to the config file (Alertmanager resolves
 * them against its directory). */
export async function alertmanagerSource(s: StackSettings, p: StackPaths, env: NodeJS.ProcessEnv = process.env): Promise<AlertmanagerSource> {
  // Credentials come from the environment, or from .env beside the config folder.
  const targets = resolveNotificationTargets(withDotEnv(join(dirname(s.configDir), '.env'), env), s);
  await writeCredentialFiles(targets, p.secretsDir);
  const text = renderAlertmanagerConfig(s, targets, {
    secretsDir: p.secretsDir,
    templatesDir: 'templates',
    timing: s.profile === 'test' ? 'test' : 'production',
  });
  return { text, secret: configHoldsSecrets(targets), summary: describeTargets(targets, s) };
}
