import { z } from 'zod';

/** Integrations the sink speaks. `webhook` is the heartbeat (Watchdog) receiver. */
export const SINK_INTEGRATIONS = ['slack', 'pagerduty', 'email', 'webhook'] as const;
export type SinkIntegration = (typeof SINK_INTEGRATIONS)[number];

/** One notification as received, one JSON line in the sink's log. */
export interface NotificationRecord {
  id: string;
  /** ISO 8601 time of receipt. */
  time: string;
  integration: SinkIntegration;
  /** Slack channel, PagerDuty routing key, email recipients, webhook path. */
  channel: string;
  /** The notification's headline, when the protocol has one. */
  summary: string;
  /** alertname/status when they can be read from the payload. */
  status: string | undefined;
  /** The body exactly as it arrived (parsed). */
  payload: unknown;
}

export type RecordDraft = Omit<NotificationRecord, 'id' | 'time'>;

// Slack incoming webhook body: Alertmanager sends attachments; people send text.
export const slackBody = z
  .object({
    channel: z.string().optional(),
    username: z.string().optional(),
    text: z.string().optional(),
    attachments: z
      .array(z.object({ title: z.string().optional(), text: z.string().optional(), color: z.string().optional() }).loose())
      .optional(),
    blocks: z.array(z.unknown()).optional(),
  })
  .loose();

export function slackRecord(body: z.infer<typeof slackBody>, pathChannel: string | undefined): RecordDraft {
  const first = body.attachments?.[0];
  const title = first?.title ?? body.text ?? '';
  const status = /^\[(FIRING|RESOLVED)/.exec(title)?.[1]?.toLowerCase();
  return {
    integration: 'slack',
    channel: body.channel ?? (pathChannel ? `#${pathChannel}` : '(webhook default)'),
    summary: title,
    status,
    payload: body,
  };
}

// PagerDuty Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/).
export const pagerdutyEvent = z
  .object({
    routing_key: z.string().min(1),
    event_action: z.enum(['trigger', 'acknowledge', 'resolve']),
    dedup_key: z.string().max(255).optional(),
    payload: z
      .object({
        summary: z.string().min(1).max(1024),
        source: z.string().min(1),
        severity: z.enum(['critical', 'error', 'warning', 'info']),
        timestamp: z.string().optional(),
        component: z.string().optional(),
        group: z.string().optional(),
        class: z.string().optional(),
        custom_details: z.unknown().optional(),
      })
      .loose()
      .optional(),
    links: z.array(z.object({ href: z.string(), text: z.string().optional() }).loose()).optional(),
    images: z.array(z.unknown()).optional(),
    client: z.string().optional(),
    client_url: z.string().optional(),
  })
  .loose()
  // A trigger must describe the incident; acknowledge/resolve only name it.
  .refine((e) => e.event_action !== 'trigger' || e.payload !== undefined, {
    message: 'payload is required for trigger events',
    path: ['payload'],
  })
  .refine((e) => e.event_action === 'trigger' || e.dedup_key !== undefined, {
    message: 'dedup_key is required for acknowledge and resolve events',
    path: ['dedup_key'],
  });

export function pagerdutyRecord(event: z.infer<typeof pagerdutyEvent>, dedupKey: string): RecordDraft {
  return {
    integration: 'pagerduty',
    channel: event.routing_key,
    summary: event.payload?.summary ?? '',
    status: event.event_action === 'resolve' ? 'resolved' : event.event_action === 'trigger' ? 'firing' : event.event_action,
    payload: { ...event, dedup_key: dedupKey },
  };
}

/** Alertmanager's webhook body (version 4), used for the heartbeat. */
export const webhookBody = z
  .object({
    receiver: z.string().optional(),
    status: z.string().optional(),
    groupLabels: z.record(z.string(), z.string()).optional(),
    commonAnnotations: z.record(z.string(), z.string()).optional(),
  })
  .loose();

export function webhookRecord(body: z.infer<typeof webhookBody>, path: string): RecordDraft {
  return {
    integration: 'webhook',
    channel: body.receiver ?? path,
    summary: body.commonAnnotations?.summary ?? body.groupLabels?.alertname ?? '',
    status: body.status,
    payload: body,
  };
}

export interface ReceivedMail {
  envelopeFrom: string | undefined;
  envelopeTo: string[];
  authUser: string | undefined;
  subject: string;
  from: string;
  to: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

export function emailRecord(mail: ReceivedMail): RecordDraft {
  const status = /^\[(FIRING|RESOLVED)/.exec(mail.subject)?.[1]?.toLowerCase();
  return {
    integration: 'email',
    channel: mail.envelopeTo.join(', '),
    summary: mail.subject,
    status,
    payload: mail,
  };
}
