import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StackSettings } from '../definition/index.js';
import { writeCredentialFiles, writeSecretConfig } from './credentials.js';
import { configHoldsSecrets, renderAlertmanagerConfig, type AlertTiming } from './render.js';
import type { NotificationTargets } from './targets.js';

export const ALERTMANAGER_CONFIG_FILE = 'alertmanager.yml';

/** The edge for `mlmon up`: writes the credential files, then the rendered
 * config, into `runDir` unless it holds a secret inline, in which case it goes
 * to the owner-only `secretsDir`. Returns the path to pass as --config.file. */
export async function writeAlertmanagerFiles(
  settings: StackSettings,
  targets: NotificationTargets,
  opts: { secretsDir: string; templatesDir: string; runDir: string; timing?: AlertTiming },
): Promise<string> {
  await writeCredentialFiles(targets, opts.secretsDir);
  const text = renderAlertmanagerConfig(settings, targets, {
    secretsDir: opts.secretsDir,
    templatesDir: opts.templatesDir,
    ...(opts.timing ? { timing: opts.timing } : {}),
  });
  if (configHoldsSecrets(targets)) return writeSecretConfig(opts.secretsDir, ALERTMANAGER_CONFIG_FILE, text);
  await mkdir(opts.runDir, { recursive: true });
  const path = join(opts.runDir, ALERTMANAGER_CONFIG_FILE);
  await writeFile(path, text);
  return path;
}
