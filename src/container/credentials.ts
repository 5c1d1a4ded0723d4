import { MlmonError } from '../errors.js';

/** A variable that means nothing without another one. The native stack
 * quietly sends such an integration to the sink and says so at every start;
 * `mlmon compose configure` runs once, and a compose user would only find out
 * when a page goes missing, so it refuses instead. */
interface Dependency {
  /** Set without `needs`, this variable is a mistake. */
  variable: string;
  needs: string;
  what: string;
}

const DEPENDENCIES: readonly Dependency[] = [
  { variable: 'PAGERDUTY_URL', needs: 'PAGERDUTY_ROUTING_KEY', what: 'PagerDuty' },
  { variable: 'SMTP_FROM', needs: 'SMTP_SMARTHOST', what: 'email' },
  { variable: 'SMTP_TO', needs: 'SMTP_SMARTHOST', what: 'email' },
  { variable: 'SMTP_USERNAME', needs: 'SMTP_SMARTHOST', what: 'email' },
  { variable: 'SMTP_PASSWORD', needs: 'SMTP_SMARTHOST', what: 'email' },
];

/** Variables whose value is a secret: never printed, only written to the
 * group-readable files of a configured folder. */
export const SECRET_VARIABLES = ['SLACK_WEBHOOK_URL', 'PAGERDUTY_ROUTING_KEY', 'SMTP_PASSWORD', 'HEARTBEAT_URL'] as const;

function set(env: NodeJS.ProcessEnv, name: string): boolean {
  return (env[name]?.trim() ?? '') !== '';
}

function envError(name: string, message: string, hint: string): MlmonError {
  return new MlmonError('bad_env', `${name}: ${message}`, { location: 'environment (.env)', hint });
}

/** Refuses half-set or malformed credentials before the shared parser
 * (resolveNotificationTargets) sees them; that parser then checks formats.
 * Pure. Messages name the variable and never its value. */
export function checkComposeCredentials(env: NodeJS.ProcessEnv): void {
  for (const d of DEPENDENCIES) {
    if (set(env, d.variable) && !set(env, d.needs)) {
      throw envError(
        d.variable,
        `is set but ${d.needs} is empty`,
        `Set ${d.needs} to send ${d.what} notifications for real, or unset ${d.variable} to send them to the notification-sink container.`,
      );
    }
  }
  const key = env.PAGERDUTY_ROUTING_KEY?.trim() ?? '';
  if (key !== '') {
    // The usual slip is pasting the events URL or a key with a space in it.
    if (/^https?:/i.test(key)) {
      throw envError(
        'PAGERDUTY_ROUTING_KEY',
        'holds a URL, not an integration key',
        'Use the 32-character "Integration Key" of an Events API v2 integration; the endpoint goes in PAGERDUTY_URL.',
      );
    }
    if (/[\s"'`]/.test(key)) {
      throw envError('PAGERDUTY_ROUTING_KEY', 'contains spaces or quotes', 'Copy the integration key again without surrounding text.');
    }
  }
  const hook = env.SLACK_WEBHOOK_URL?.trim() ?? '';
  if (/\s/.test(hook)) {
    throw envError('SLACK_WEBHOOK_URL', 'contains spaces', 'Copy the webhook URL again (https://hooks.slack.com/services/...).');
  }
}

/** Replaces every secret value of `env` in `text` (e.g. a tool's output) by a
 * marker, so an error message can quote the tool without leaking. */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv): string {
  let out = text;
  for (const name of SECRET_VARIABLES) {
    const v = env[name]?.trim();
    if (v) out = out.split(v).join(`<${name}>`);
  }
  return out;
}
