import { posix } from 'node:path';
import { renderAlertmanagerConfig, resolveNotificationTargets } from '../alerting/index.js';
import type { StackSettings } from '../definition/index.js';
import { CONTAINER_HEADER, MOUNTS } from './conventions.js';
import { placeholderSettings, rewriteAddresses } from './settings.js';

/** Where the container finds the credential files of a configured folder. */
export const CONTAINER_SECRETS_DIR = `${MOUNTS.alertmanagerConfigDir}/secrets`;

/** The Alertmanager configuration of the compose stack (pure): the same
 * routing, inhibition and templates as the native one. With no credentials
 * every integration goes to the notification-sink container; `env` holding
 * the variables of .env.example switches them to the real destinations. */
export function renderContainerAlertmanagerConfig(
  s: StackSettings,
  env: NodeJS.ProcessEnv = {},
  header: string = CONTAINER_HEADER,
): string {
  const ph = placeholderSettings(s);
  const text = renderAlertmanagerConfig(ph, resolveNotificationTargets(env, ph), {
    // Alertmanager reads *_file paths as given (not relative to the config file), so they are absolute.
    secretsDir: CONTAINER_SECRETS_DIR,
    // Templates, though, resolve against the config file's folder.
    templatesDir: posix.relative(MOUNTS.alertmanagerConfigDir, MOUNTS.alertmanagerTemplatesDir),
    header,
    // Links are opened by a person's browser: the console's published port, not its compose name.
    ...(s.components.includes('console') ? { consoleUrl: `http://127.0.0.1:${s.ports.console}` } : {}),
    // The sink container asks for the stack's login, which is mounted here too.
    ...(s.access ? { sinkLogin: { username: s.access.username, passwordFile: s.access.passwordFile } } : {}),
  });
  return rewriteAddresses(text, s);
}
