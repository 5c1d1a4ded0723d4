import { MlmonError } from '../errors.js';
import type { StackSettings } from '../definition/index.js';

/** The integrations Alertmanager notifies; each goes either to its real
 * destination or to the local notification sink. */
export const INTEGRATIONS = ['slack', 'pagerduty', 'email', 'heartbeat'] as const;
export type Integration = (typeof INTEGRATIONS)[number];

/** Slack channels of the routing table (names without credentials, so they
 * may live in the repository). */
export interface SlackChannels {
  /** On-call channel: SLO burn, service down, error rate. */
  alerts: string;
  infra: string;
  mlTeam: string;
  platform: string;
}

export interface SlackTarget {
  viaSink: boolean;
  /** Incoming-webhook URL. A secret when real (goes to a 0600 file). */
  webhookUrl: string;
  channels: SlackChannels;
}

export interface PagerDutyTarget {
  viaSink: boolean;
  /** Events API v2 endpoint. */
  url: string;
  /** Integration (routing) key. A secret when real. */
  routingKey: string;
}

export interface EmailTarget {
  viaSink: boolean;
  /** host:port */
  smarthost: string;
  from: string;
  to: string;
  username: string | undefined;
  /** A secret (goes to a 0600 file). */
  password: string | undefined;
  requireTls: boolean;
}

/** Dead man's switch: Watchdog notifications are POSTed here; the service
 * behind it alarms when they stop. */
export interface HeartbeatTarget {
  viaSink: boolean;
  /** Often carries a token, so it is treated as a secret when real. */
  url: string;
}

export interface NotificationTargets {
  slack: SlackTarget;
  pagerduty: PagerDutyTarget;
  email: EmailTarget;
  heartbeat: HeartbeatTarget;
  /** Integrations that go to the local sink, for the startup message. */
  viaSink: Integration[];
}

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
/** Placeholder key for the sink: not a secret, the sink accepts any key. */
export const SINK_ROUTING_KEY = 'mlmon-local-sink';
export const SINK_EMAIL_FROM = 'alertmanager@mlmon.localhost';
export const SINK_EMAIL_TO = 'oncall@mlmon.localhost';

const DEFAULT_CHANNELS: SlackChannels = { alerts: '#alerts', infra: '#infra', mlTeam: '#ml-team', platform: '#platform' };

/** Base URL of the sink's HTTP side for these settings. */
export function sinkHttpUrl(settings: StackSettings): string {
  return `http://${settings.host}:${settings.ports['notification-sink']}`;
}

function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function envError(name: string, message: string): MlmonError {
  return new MlmonError('bad_env', `${name}: ${message}`, {
    location: 'environment (.env)',
    hint: 'See .env.example for every variable and its format; unset it to use the local notification sink.',
  });
}

function httpUrl(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = value(env, name);
  if (v === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw envError(name, 'is not a URL');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw envError(name, 'must be an http(s) URL');
  return v;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const v = value(env, name)?.toLowerCase();
  if (v === undefined) return fallback;
  if (['1', 'true', 'yes'].includes(v)) return true;
  if (['0', 'false', 'no'].includes(v)) return false;
  throw envError(name, `must be true or false, not "${v}"`);
}

function channel(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const v = value(env, name);
  if (v === undefined) return fallback;
  if (!/^[#@]?[a-z0-9][a-z0-9._-]*$/i.test(v)) throw envError(name, `"${v}" is not a Slack channel name`);
  return v.startsWith('#') || v.startsWith('@') ? v : `#${v}`;
}

/** Where each integration's notifications go: the real destination when its
 * credentials are in `env`, the local sink otherwise. Pure. */
export function resolveNotificationTargets(env: NodeJS.ProcessEnv, settings: StackSettings): NotificationTargets {
  const sink = sinkHttpUrl(settings);
  const channels: SlackChannels = {
    alerts: channel(env, 'SLACK_CHANNEL_ALERTS', DEFAULT_CHANNELS.alerts),
    infra: channel(env, 'SLACK_CHANNEL_INFRA', DEFAULT_CHANNELS.infra),
    mlTeam: channel(env, 'SLACK_CHANNEL_ML', DEFAULT_CHANNELS.mlTeam),
    platform: channel(env, 'SLACK_CHANNEL_PLATFORM', DEFAULT_CHANNELS.platform),
  };

  const webhook = httpUrl(env, 'SLACK_WEBHOOK_URL');
  const slack: SlackTarget = webhook
    ? { viaSink: false, webhookUrl: webhook, channels }
    : { viaSink: true, webhookUrl: `${sink}/slack/webhook`, channels };

  const routingKey = value(env, 'PAGERDUTY_ROUTING_KEY');
  const pagerduty: PagerDutyTarget = routingKey
    ? { viaSink: false, url: httpUrl(env, 'PAGERDUTY_URL') ?? PAGERDUTY_EVENTS_URL, routingKey }
    : { viaSink: true, url: `${sink}/v2/enqueue`, routingKey: SINK_ROUTING_KEY };

  const smarthost = value(env, 'SMTP_SMARTHOST');
  let email: EmailTarget;
  if (smarthost) {
    if (!/^[^\s:]+:\d+$/.test(smarthost) && !/^\[[0-9a-f:]+\]:\d+$/i.test(smarthost)) {
      throw envError('SMTP_SMARTHOST', `"${smarthost}" must be host:port, e.g. smtp.example.com:587`);
    }
    const from = value(env, 'SMTP_FROM');
    const to = value(env, 'SMTP_TO');
    if (!from) throw envError('SMTP_FROM', 'is required when SMTP_SMARTHOST is set');
    if (!to) throw envError('SMTP_TO', 'is required when SMTP_SMARTHOST is set');
    const username = value(env, 'SMTP_USERNAME');
    const password = value(env, 'SMTP_PASSWORD');
    if (username && !password) throw envError('SMTP_PASSWORD', 'is required when SMTP_USERNAME is set');
    if (password && !username) throw envError('SMTP_USERNAME', 'is required when SMTP_PASSWORD is set');
    email = { viaSink: false, smarthost, from, to, username, password, requireTls: bool(env, 'SMTP_REQUIRE_TLS', true) };
  } else {
    email = {
      viaSink: true,
      smarthost: `${settings.host}:${settings.ports['notification-sink-smtp']}`,
      from: SINK_EMAIL_FROM,
      to: SINK_EMAIL_TO,
      username: undefined,
      password: undefined,
      // The sink speaks plain SMTP (loopback, or the compose network); the login it
      // may ask for is added by the renderer (sinkLogin), not STARTTLS.
      requireTls: false,
    };
  }

  const beat = httpUrl(env, 'HEARTBEAT_URL');
  const heartbeat: HeartbeatTarget = beat ? { viaSink: false, url: beat } : { viaSink: true, url: `${sink}/heartbeat` };

  const all = { slack, pagerduty, email, heartbeat };
  const viaSink = INTEGRATIONS.filter((i) => all[i].viaSink);
  return { ...all, viaSink };
}

/** One line for the startup log: which integrations go where. */
export function describeTargets(t: NotificationTargets, settings: StackSettings): string {
  if (t.viaSink.length === 0) return 'notifications: every integration uses its real credentials';
  const real = INTEGRATIONS.filter((i) => !t[i].viaSink);
  const sink = `local notification sink ${sinkHttpUrl(settings)} (see \`mlmon notifications\`)`;
  const realPart = real.length > 0 ? `; real: ${real.join(', ')}` : '';
  return `notifications: ${t.viaSink.join(', ')} → ${sink}${realPart}. Set the variables of .env.example to send them for real.`;
}
