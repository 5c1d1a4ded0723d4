import { join } from 'node:path';
import { ensurePrivateDir, removeSecretFile, writeSecretFile } from '../secrets.js';
import type { NotificationTargets } from './targets.js';

/** File names of the secrets inside the secrets directory; the rendered
 * Alertmanager config points at them through its `*_file` fields. */
export const CREDENTIAL_FILES = {
  slackWebhookUrl: 'slack_webhook_url',
  pagerdutyRoutingKey: 'pagerduty_routing_key',
  smtpPassword: 'smtp_password',
} as const;

export function credentialPath(secretsDir: string, name: keyof typeof CREDENTIAL_FILES): string {
  return join(secretsDir, CREDENTIAL_FILES[name]);
}

/** Writes the real credentials to owner-only files in `secretsDir` (0700) and
 * removes those of integrations now going to the sink, so a stale secret is
 * never picked up. */
export function writeCredentialFiles(targets: NotificationTargets, secretsDir: string): Promise<void> {
  ensurePrivateDir(secretsDir);
  const files: Array<[keyof typeof CREDENTIAL_FILES, string | undefined]> = [
    ['slackWebhookUrl', targets.slack.viaSink ? undefined : targets.slack.webhookUrl],
    ['pagerdutyRoutingKey', targets.pagerduty.viaSink ? undefined : targets.pagerduty.routingKey],
    ['smtpPassword', targets.email.viaSink ? undefined : targets.email.password],
  ];
  for (const [name, secret] of files) {
    if (secret === undefined) removeSecretFile(secretsDir, CREDENTIAL_FILES[name]);
    else writeSecretFile(secretsDir, CREDENTIAL_FILES[name], secret);
  }
  return Promise.resolve();
}
