/** Client of Alertmanager's v2 API: alerts (with silenced and inhibited ones) and silences. */
import { requestJson, type RequestLog } from './upstream.js';

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
  private readonly log: RequestLog | undefined;

  constructor(baseUrl: string, log?: RequestLog) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.log = log;
  }

  /** Every alert Alertmanager holds, including silenced and inhibited ones. */
  async alerts(): Promise<AmAlert[]> {
    const q = 'active=true&silenced=true&inhibited=true&unprocessed=true';
    return (await requestJson('alertmanager', this.baseUrl, `/api/v2/alerts?${q}`, {}, this.log)) as AmAlert[];
  }

  async silences(): Promise<AmSilence[]> {
    return (await requestJson('alertmanager', this.baseUrl, '/api/v2/silences', {}, this.log)) as AmSilence[];
  }

  /** Creates a silence; returns its id. */
  async createSilence(silence: NewSilence): Promise<string> {
    const res = (await requestJson('alertmanager', this.baseUrl, '/api/v2/silences', { json: silence }, this.log)) as { silenceID: string };
    return res.silenceID;
  }
}

/** Matchers that select exactly the alert with these labels. */
export function exactMatchers(labels: Record<string, string>): SilenceMatcher[] {
  return Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => ({ name, value, isRegex: false, isEqual: true }));
}
