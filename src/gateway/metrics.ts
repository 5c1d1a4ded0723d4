import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import { CounterFamily, GaugeFamily, HistogramFamily, type CounterCell, type GaugeCell, type HistogramCell } from '../metrics/index.js';
import { BODY_REJECT_REASONS, REJECT_REASONS, type RejectReason } from './input.js';
import { HTTP_METRICS } from '../definition/index.js';

/** Buckets of http_request_duration_seconds. 0.3 must stay: it is the latency
 * SLO threshold, and the SLO rules read the le="0.3" bucket directly. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5, 10];
export const INFERENCE_DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.3, 0.5, 1, 2.5];
/** A forest of 50 trees over 3 classes never answers below 1/3; resolution where models are unsure. */
export const CONFIDENCE_BUCKETS = [0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1];

export const UNMATCHED_ROUTE = 'unmatched';
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

/** The routes, the methods they answer and the statuses they can give: the series
 * created at zero on start, so rates and ratios exist before the first request. */
export interface RouteSpec {
  method: string;
  route: string;
  statuses: number[];
  reasons: RejectReason[];
}

/** Statuses any route can answer: 500 from the error handler (an unexpected
 * exception) and 503 while the server closes. They exist at zero from the start
 * like every other series: a counter that first appears at 1 hides its first
 * request from rate() and from the SLO's counts alike. */
export const ANY_ROUTE_STATUSES = [500, 503];

export function routeSpecs(admin: boolean): RouteSpec[] {
  const specs: RouteSpec[] = [
    {
      method: 'POST',
      route: '/predict',
      statuses: [200, 400, 413, 415, 503],
      reasons: [...BODY_REJECT_REASONS, 'missing_feature', 'unknown_feature', 'non_finite', 'batch_too_large'],
    },
    {
      method: 'POST',
      route: '/feedback',
      statuses: [202, 400, 404, 409, 413, 415],
      reasons: [...BODY_REJECT_REASONS, 'unknown_request_id', 'unknown_label', 'duplicate_feedback'],
    },
    { method: 'GET', route: '/health', statuses: [200], reasons: [] },
    { method: 'GET', route: '/ready', statuses: [200, 503], reasons: [] },
    { method: 'GET', route: '/models', statuses: [200], reasons: [] },
    { method: 'GET', route: '/metrics', statuses: [200], reasons: [] },
  ];
  if (admin) {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      specs.push({
        method,
        route: '/admin/fault',
        statuses: [200, 400, 401, 403],
        reasons:
          method === 'PUT'
            ? [...BODY_REJECT_REASONS, 'unknown_feature', 'non_finite', 'forbidden', 'unauthorized']
            : ['forbidden', 'unauthorized'],
      });
    }
  }
  return specs.map((spec) => ({ ...spec, statuses: [...new Set([...spec.statuses, ...ANY_ROUTE_STATUSES])] }));
}

export type InferenceOutcome = 'success' | 'invalid_input' | 'error';

export interface ServedModel {
  model: string;
  version: string;
  classes: readonly string[];
}

interface HttpSeries {
  count: CounterCell;
  duration: HistogramCell;
}

/** The inference series of one served version, looked up once when it starts serving. */
export interface VersionSeries {
  outcomes: Record<InferenceOutcome, CounterCell>;
  inFlight: GaugeCell;
  inferenceDuration: HistogramCell;
  confidence: HistogramCell;
  classCounts: CounterCell[];
}

/** Role of a served version: the stable one, or a canary taking a share of requests. */
export type ServingRole = 'stable' | 'canary';

/** All metrics of the gateway in one registry of its own (never prom-client's global
 * one), so tests and several gateways in one process do not share counters. The
 * per-request families are plain-number families (src/metrics): every series a
 * request touches is looked up once and then only added to. */
export class GatewayMetrics {
  readonly registry: Registry;
  private readonly httpRequests: CounterFamily;
  private readonly httpDuration: HistogramFamily;
  private readonly rejected: CounterFamily;
  /** HTTP series by method, then route, then status: nested maps, so a request costs
   * three map reads and no string building. */
  private readonly httpSeries = new Map<string, Map<string, Map<number, HttpSeries>>>();
  private readonly inferenceRequests: CounterFamily;
  private readonly inferenceDurationFamily: HistogramFamily;
  private readonly inFlightFamily: GaugeFamily;
  private readonly predictionsFamily: CounterFamily;
  private readonly confidenceFamily: HistogramFamily;
  private readonly modelInfo: GaugeFamily;
  private readonly canaryShare: GaugeFamily;
  private readonly model: string;
  private readonly versions = new Map<string, VersionSeries>();
  private stableSeries: VersionSeries;

  constructor(opts: { served: ServedModel; admin: boolean; droppedEvents: () => number; defaultMetrics?: boolean }) {
    const registry = (this.registry = new Registry());
    if (opts.defaultMetrics !== false) {
      collectDefaultMetrics({ register: registry });
      // prom-client names these gauges *_total, which promtool's lint (and the
      // naming convention) reserve for counters; the per-type gauges without the
      // suffix carry the same numbers (sum by type).
      for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
        registry.removeSingleMetric(name);
      }
    }
    const httpLabels = ['method', 'route', 'status'];
    const modelLabels = ['model', 'version'];
    this.httpRequests = new CounterFamily({
      name: HTTP_METRICS.requests,
      help: 'HTTP requests answered, by method, route template and status code.',
      labelNames: httpLabels,
      registry,
    });
    this.httpDuration = new HistogramFamily({
      name: HTTP_METRICS.duration,
      help: 'Time from request received to response sent, by method, route template and status code.',
      labelNames: httpLabels,
      buckets: HTTP_DURATION_BUCKETS,
      registry,
    });
    this.rejected = new CounterFamily({
      name: 'http_request_errors_total',
      help: 'Requests refused for bad input, by route template and reason.',
      labelNames: ['route', 'reason'],
      registry,
    });
    this.inferenceRequests = new CounterFamily({
      name: 'inference_requests_total',
      help: 'Prediction requests by outcome (success, invalid_input, error).',
      labelNames: [...modelLabels, 'outcome'],
      registry,
    });
    this.inferenceDurationFamily = new HistogramFamily({
      name: 'inference_duration_seconds',
      help: 'Time spent producing predictions for one request (model call, including injected latency).',
      labelNames: modelLabels,
      buckets: INFERENCE_DURATION_BUCKETS,
      registry,
    });
    this.inFlightFamily = new GaugeFamily({
      name: 'inference_in_flight',
      help: 'Prediction requests being processed now.',
      labelNames: modelLabels,
      registry,
    });
    this.predictionsFamily = new CounterFamily({
      name: 'inference_predictions_total',
      help: 'Predictions made, by predicted class.',
      labelNames: [...modelLabels, 'class'],
      registry,
    });
    this.confidenceFamily = new HistogramFamily({
      name: 'inference_prediction_confidence',
      help: 'Probability of the predicted class.',
      labelNames: modelLabels,
      buckets: CONFIDENCE_BUCKETS,
      registry,
    });
    this.modelInfo = new GaugeFamily({
      name: 'model_info',
      help: 'The model versions being served (always 1), by role: stable, or a canary taking a share of the requests.',
      labelNames: [...modelLabels, 'role'],
      registry,
    });
    this.canaryShare = new GaugeFamily({
      name: 'model_traffic_share',
      help: 'Share of prediction requests each served version answers (0..1).',
      labelNames: modelLabels,
      registry,
    });
    const droppedEvents = opts.droppedEvents;
    new Counter({
      name: 'inference_events_dropped_total',
      help: 'Inference events lost before the exporter could read them (memory or disk bound reached, write errors).',
      registers: [registry],
      collect() {
        // The writer's own count only grows: publish it as it is.
        this.reset();
        this.inc(droppedEvents());
      },
    });

    // Every fixed series exists at zero before the first request.
    this.model = opts.served.model;
    this.stableSeries = this.version(opts.served.version, opts.served.classes);
    this.setServing(opts.served.version, undefined);
    for (const spec of routeSpecs(opts.admin)) {
      for (const status of spec.statuses) this.http(spec.method, spec.route, status);
      for (const reason of spec.reasons) this.rejected.series(spec.route, reason);
    }
    this.rejected.series(UNMATCHED_ROUTE, 'not_found');
    this.http('GET', UNMATCHED_ROUTE, 404);
  }

  private http(method: string, route: string, status: number): HttpSeries {
    let byRoute = this.httpSeries.get(method);
    if (!byRoute) this.httpSeries.set(method, (byRoute = new Map()));
    let byStatus = byRoute.get(route);
    if (!byStatus) byRoute.set(route, (byStatus = new Map()));
    let series = byStatus.get(status);
    if (!series) {
      const s = String(status);
      series = { count: this.httpRequests.series(method, route, s), duration: this.httpDuration.series(method, route, s) };
      byStatus.set(status, series);
    }
    return series;
  }

  /** One answered request. Unknown methods collapse to OTHER so they cannot add series. */
  observeHttp(method: string, route: string | undefined, status: number, seconds: number): void {
    const series = this.http(METHODS.has(method) ? method : 'OTHER', route ?? UNMATCHED_ROUTE, status);
    series.count.inc();
    series.duration.observe(seconds);
  }

  rejectedInput(route: string | undefined, reason: RejectReason): void {
    this.rejected.series(route ?? UNMATCHED_ROUTE, reason).inc();
  }

  /** The series of one version, made (at zero) the first time it serves. Versions
   * come from the registry, so their number is bounded by what was deployed. */
  version(version: string, classes: readonly string[]): VersionSeries {
    let v = this.versions.get(version);
    if (!v) {
      const m = this.model;
      v = {
        outcomes: {
          success: this.inferenceRequests.series(m, version, 'success'),
          invalid_input: this.inferenceRequests.series(m, version, 'invalid_input'),
          error: this.inferenceRequests.series(m, version, 'error'),
        },
        classCounts: classes.map((c) => this.predictionsFamily.series(m, version, c)),
        inFlight: this.inFlightFamily.series(m, version),
        inferenceDuration: this.inferenceDurationFamily.series(m, version),
        confidence: this.confidenceFamily.series(m, version),
      };
      this.versions.set(version, v);
    }
    return v;
  }

  /** What is served now: model_info and the traffic shares follow it; versions no longer served leave them. */
  setServing(stable: string, canary: { version: string; percent: number } | undefined): void {
    this.modelInfo.reset();
    this.canaryShare.reset();
    this.modelInfo.series(this.model, stable, 'stable').set(1);
    this.canaryShare.series(this.model, stable).set(canary ? 1 - canary.percent / 100 : 1);
    if (canary) {
      this.modelInfo.series(this.model, canary.version, 'canary').set(1);
      this.canaryShare.series(this.model, canary.version).set(canary.percent / 100);
    }
  }

  /** Input refused before any version was chosen: counted against the stable version. */
  inferenceOutcome(outcome: InferenceOutcome, v: VersionSeries = this.stableSeries): void {
    v.outcomes[outcome].inc();
  }

  inferenceStarted(v: VersionSeries): void {
    v.inFlight.inc();
  }

  inferenceFinished(v: VersionSeries, seconds: number): void {
    v.inFlight.dec();
    v.inferenceDuration.observe(seconds);
  }

  prediction(v: VersionSeries, classIndex: number, confidence: number): void {
    v.classCounts[classIndex]?.inc();
    v.confidence.observe(confidence);
  }

  /** The stable version changed: input refusals count against it from now on. */
  setStableSeries(v: VersionSeries): void {
    this.stableSeries = v;
  }
}

export { REJECT_REASONS };
