/** Client of Alertmanager's v2 API: alerts (with silenced and inhibited ones) and silences. */
import type { ClientOptions } from './prometheus.js';
import { requestJson, type UpstreamRequest } from './request.js';

export interface AmAlert {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  generatorURL?: string;
  receivers: Array<{ name: string }>;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[]; inhibitedBy: string[] };
}

export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

export interface NewSilence {
  matchers: SilenceMatcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

export interface AmSilence extends NewSilence {
  id: string;
  status: { state: 'active' | 'pending' | 'expired' };
}

export class AlertmanagerClient {
  readonly baseUrl: string;
  private readonly opts: ClientOptions;

  constructor(baseUrl: string, opts: ClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.opts = opts;
  }

  private call(path: string, req: UpstreamRequest = {}): Promise<unknown> {
    const { auth, log, timeoutMs } = this.opts;
    return requestJson('alertmanager', this.baseUrl, path, { ...req, auth, ...(timeoutMs ? { timeoutMs } : {}) }, log);
  }

  /** Every alert Alertmanager holds, including silenced and inhibited ones. */
  async alerts(): Promise<AmAlert[]> {
    const q = 'active=true&silenced=true&inhibited=true&unprocessed=true';
    return (await this.call(`/api/v2/alerts?${q}`)) as AmAlert[];
  }

  async silences(): Promise<AmSilence[]> {
    return (await this.call('/api/v2/silences')) as AmSilence[];
  }

  /** Creates a silence; returns its id. */
  async createSilence(silence: NewSilence): Promise<string> {
    const res = (await this.call('/api/v2/silences', { json: silence })) as { silenceID: string };
    return res.silenceID;
  }

  /** Ends a silence now. */
  async expireSilence(id: string): Promise<void> {
    await this.call(`/api/v2/silence/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }
}

/** Matchers that select exactly the alert with these labels. */
export function exactMatchers(labels: Record<string, string>): SilenceMatcher[] {
  return Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => ({ name, value, isRegex: false, isEqual: true }));
}
