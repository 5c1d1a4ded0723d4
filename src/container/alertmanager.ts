import { renderAlertmanagerConfig, resolveNotificationTargets } from '../alerting/index.js';
import type { StackSettings } from '../stack/settings.js';
import { CONTAINER_HEADER, MOUNTS } from './conventions.js';
import { placeholderSettings, rewriteAddresses } from './settings.js';

/** The Alertmanager configuration of the compose stack (pure): the same
 * routing, inhibition and templates as the native one. With no credentials
 * every integration goes to the notification-sink container; `env` holding
 * the variables of .env.example switches them to the real destinations. */
export function renderContainerAlertmanagerConfig(s: StackSettings, env: NodeJS.ProcessEnv = {}): string {
  const ph = placeholderSettings(s);
  const text = renderAlertmanagerConfig(ph, resolveNotificationTargets(env, ph), {
    secretsDir: `${MOUNTS.alertmanagerConfigDir}/secrets`,
    templatesDir: 'templates',
    header: CONTAINER_HEADER,
    // Links are opened by a person's browser: the console's published port, not its compose name.
    ...(s.components.includes('console') ? { consoleUrl: `http://127.0.0.1:${s.ports.console}` } : {}),
  });
  return rewriteAddresses(text, s);
}
