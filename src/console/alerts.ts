/** Alerts as Alertmanager holds them (silenced and inhibited ones marked), and
 * the silence a person asks for from the console. Pure. */
import { tryParseDuration } from '../duration.js';
import { exactMatchers, type AmAlert, type NewSilence } from '../upstream/index.js';
import type { AlertDisplayState, AlertView } from './api-types.js';
import { ConsoleInputError } from './input.js';
import { modelDetailUrl } from './models.js';
import { sloDetailUrl } from './slo-list.js';

const SEVERITY_ORDER: Record<string, number> = { critical: 0, warning: 1, info: 2 };

function displayState(a: AmAlert): AlertDisplayState {
  if (a.status.silencedBy.length > 0) return 'silenced';
  if (a.status.inhibitedBy.length > 0) return 'inhibited';
  return a.status.state === 'unprocessed' ? 'unprocessed' : 'firing';
}

export function consoleUrlOf(labels: Record<string, string>): string | null {
  if (labels.category === 'slo' && labels.service && labels.slo) return sloDetailUrl({ service: labels.service, name: labels.slo });
  if (labels.model) return modelDetailUrl(labels.model);
  return null;
}

/** Most severe first, then the oldest. */
export function alertViews(alerts: readonly AmAlert[]): AlertView[] {
  return alerts
    .map((a) => ({
      fingerprint: a.fingerprint,
      alertname: a.labels.alertname ?? '',
      severity: a.labels.severity ?? '',
      category: a.labels.category ?? '',
      service: a.labels.service ?? null,
      state: displayState(a),
      silencedBy: a.status.silencedBy,
      inhibitedBy: a.status.inhibitedBy,
      labels: a.labels,
      summary: a.annotations.summary ?? '',
      description: a.annotations.description ?? '',
      runbookUrl: linkableUrl(a.annotations.runbook_url),
      startsAt: a.startsAt,
      receivers: a.receivers.map((r) => r.name),
      generatorUrl: a.generatorURL ?? null,
      consoleUrl: consoleUrlOf(a.labels),
    }))
    .sort((x, y) => (SEVERITY_ORDER[x.severity] ?? 9) - (SEVERITY_ORDER[y.severity] ?? 9) || x.startsAt.localeCompare(y.startsAt));
}

export const SILENCE_DURATIONS = ['15m', '1h', '2h', '4h', '8h', '1d', '3d', '7d'] as const;
export const MAX_SILENCE_SECONDS = 30 * 86400;
export const SILENCE_CREATED_BY = 'mlmon console';

/** A silence of exactly the alert with `labels`, from `now` for `duration`. */
export function silenceFor(
  labels: Record<string, string>,
  duration: string,
  now: Date,
  opts: { createdBy?: string; comment?: string } = {},
): NewSilence {
  const ms = tryParseDuration(duration);
  const seconds = ms === undefined ? undefined : ms / 1000;
  if (seconds === undefined || seconds < 60 || seconds > MAX_SILENCE_SECONDS) {
    throw new ConsoleInputError(`duration must be a duration from 1m to 30d, such as ${SILENCE_DURATIONS.join(', ')}; got "${duration}"`);
  }
  if (Object.keys(labels).length === 0) throw new ConsoleInputError('labels must name at least one label of the alert to silence');
  return {
    matchers: exactMatchers(labels),
    startsAt: now.toISOString(),
    endsAt: new Date(now.getTime() + seconds * 1000).toISOString(),
    createdBy: opts.createdBy?.trim() || SILENCE_CREATED_BY,
    comment: opts.comment?.trim() || `Silenced from the mlmon console for ${duration}`,
  };
}

/** A URL the page may turn into a link: http(s) only. A `javascript:` or
 * `data:` runbook_url (anyone who can edit a rule file or push an alert can
 * write one) would run in the console's origin when clicked. */
export function linkableUrl(text: string | undefined): string | null {
  if (!text) return null;
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}
