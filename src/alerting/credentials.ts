import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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

async function writeSecret(path: string, content: string): Promise<void> {
  await writeFile(path, content, { mode: 0o600 });
  // writeFile's mode applies only to a new file; an older one may be looser.
  await chmod(path, 0o600);
}

/** Writes the real credentials to owner-only files in `secretsDir` (0700) and
 * removes those of integrations now going to the sink, so a stale secret is
 * never picked up. */
export async function writeCredentialFiles(targets: NotificationTargets, secretsDir: string): Promise<void> {
  await mkdir(secretsDir, { recursive: true, mode: 0o700 });
  await chmod(secretsDir, 0o700);
  const files: Array<[keyof typeof CREDENTIAL_FILES, string | undefined]> = [
    ['slackWebhookUrl', targets.slack.viaSink ? undefined : targets.slack.webhookUrl],
    ['pagerdutyRoutingKey', targets.pagerduty.viaSink ? undefined : targets.pagerduty.routingKey],
    ['smtpPassword', targets.email.viaSink ? undefined : targets.email.password],
  ];
  for (const [name, secret] of files) {
    const path = credentialPath(secretsDir, name);
    if (secret === undefined) await rm(path, { force: true });
    else await writeSecret(path, secret);
  }
}

/** Writes a rendered Alertmanager config that may hold a secret inline (the
 * heartbeat URL: Alertmanager 0.25 has no `url_file` for webhooks) as an
 * owner-only file inside `secretsDir`. Returns its path. */
export async function writeSecretConfig(secretsDir: string, fileName: string, text: string): Promise<string> {
  await mkdir(secretsDir, { recursive: true, mode: 0o700 });
  const path = join(secretsDir, fileName);
  await writeSecret(path, text);
  return path;
}
