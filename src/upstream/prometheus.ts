/** A read-only client of Prometheus's HTTP API (/api/v1). */
import type { BasicCredentials } from './credentials.js';
import { requestJson, UpstreamError, type RequestLog } from './request.js';

export type Labels = Record<string, string>;

export interface InstantSample {
  labels: Labels;
  value: number;
}

export interface RangeSeries {
  labels: Labels;
  /** [unix seconds, value] in time order; gaps are simply missing points. */
  points: Array<[number, number]>;
}

export interface PrometheusRule {
  type: 'recording' | 'alerting';
  name: string;
  query: string;
  labels: Labels;
  group: string;
  file: string;
  /** Alerting rules only. */
  durationSeconds?: number;
}

interface ApiEnvelope {
  status: 'success' | 'error';
  data?: unknown;
  error?: string;
}

/** Prometheus prints special floats as strings: "NaN", "+Inf", "-Inf". */
export function sampleValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

export interface PrometheusAlert {
  labels: Labels;
  state: 'pending' | 'firing' | 'inactive';
  activeAt: string;
}

/** How a client reaches its upstream: credentials, request log, timeout. */
export interface ClientOptions {
  auth?: BasicCredentials | undefined;
  log?: RequestLog | undefined;
  timeoutMs?: number;
}

export class PrometheusClient {
  readonly baseUrl: string;
  private readonly opts: ClientOptions;

  constructor(baseUrl: string, opts: ClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.opts = opts;
  }

  private async data(path: string, form?: Record<string, string>): Promise<unknown> {
    const { auth, log, timeoutMs } = this.opts;
    const body = (await requestJson(
      'prometheus',
      this.baseUrl,
      path,
      { ...(form ? { form } : {}), auth, ...(timeoutMs ? { timeoutMs } : {}) },
      log,
    )) as ApiEnvelope;
    if (body?.status !== 'success') {
      throw new UpstreamError('prometheus', this.baseUrl, `Prometheus refused ${path}: ${body?.error ?? 'unknown error'}`, 200);
    }
    return body.data;
  }

  /** An instant vector query at `time` (default: now). Scalars come back as one unlabelled sample. */
  async query(expr: string, time?: number): Promise<InstantSample[]> {
    const form: Record<string, string> = { query: expr };
    if (time !== undefined) form.time = String(time);
    const data = (await this.data('/api/v1/query', form)) as { resultType: string; result: unknown };
    if (data.resultType === 'scalar') {
      const [, v] = data.result as [number, string];
      return [{ labels: {}, value: sampleValue(v) }];
    }
    if (data.resultType !== 'vector') return [];
    return (data.result as Array<{ metric: Labels; value: [number, string] }>).map((s) => ({
      labels: s.metric,
      value: sampleValue(s.value[1]),
    }));
  }

  async queryRange(expr: string, start: number, end: number, stepSeconds: number): Promise<RangeSeries[]> {
    const data = (await this.data('/api/v1/query_range', {
      query: expr,
      start: String(start),
      end: String(end),
      step: String(stepSeconds),
    })) as { result: Array<{ metric: Labels; values: Array<[number, string]> }> };
    return data.result.map((s) => ({ labels: s.metric, points: s.values.map(([t, v]) => [t, sampleValue(v)] as [number, number]) }));
  }

  /** One instant query's first value, or undefined when the result is empty. */
  async value(expr: string): Promise<number | undefined> {
    return (await this.query(expr))[0]?.value;
  }

  /** Alerts pending or firing now. */
  async alerts(): Promise<PrometheusAlert[]> {
    return ((await this.data('/api/v1/alerts')) as { alerts: PrometheusAlert[] }).alerts;
  }

  /** Every rule Prometheus has loaded, flattened. */
  async rules(): Promise<PrometheusRule[]> {
    const data = (await this.data('/api/v1/rules')) as {
      groups: Array<{
        name: string;
        file: string;
        rules: Array<{ type: string; name: string; query: string; labels?: Labels; duration?: number }>;
      }>;
    };
    return data.groups.flatMap((g) =>
      g.rules.map((r) => ({
        type: r.type === 'alerting' ? ('alerting' as const) : ('recording' as const),
        name: r.name,
        query: r.query,
        labels: r.labels ?? {},
        group: g.name,
        file: g.file,
        ...(r.duration !== undefined ? { durationSeconds: r.duration } : {}),
      })),
    );
  }
}

/** A link that opens `expr` in Prometheus's own graph page (same URL scheme on 2.42 and 2.48). */
export function prometheusGraphUrl(publicUrl: string, expr: string, range = '1h'): string {
  const q = new URLSearchParams({ 'g0.expr': expr, 'g0.tab': '0', 'g0.range_input': range });
  return `${publicUrl.replace(/\/+$/, '')}/graph?${q.toString()}`;
}

/** `{a="x",b="y"}` with values escaped as PromQL string literals. */
export function matchers(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `{${parts.join(',')}}`;
}
