import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { REJECT_REASONS, type RejectReason } from './input.js';

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

const BODY_REASONS: RejectReason[] = ['malformed_json', 'unsupported_media_type', 'body_too_large', 'invalid_type', 'invalid_value', 'missing_field', 'unknown_field'];

export function routeSpecs(admin: boolean): RouteSpec[] {
  const specs: RouteSpec[] = [
    {
      method: 'POST',
      route: '/predict',
      statuses: [200, 400, 413, 415, 503],
      reasons: [...BODY_REASONS, 'missing_feature', 'unknown_feature', 'non_finite', 'batch_too_large'],
    },
    {
      method: 'POST',
      route: '/feedback',
      statuses: [202, 400, 404, 409, 413, 415],
      reasons: [...BODY_REASONS, 'unknown_request_id', 'unknown_label', 'duplicate_feedback'],
    },
    { method: 'GET', route: '/health', statuses: [200], reasons: [] },
    { method: 'GET', route: '/ready', statuses: [200, 503], reasons: [] },
    { method: 'GET', route: '/models', statuses: [200], reasons: [] },
    { method: 'GET', route: '/metrics', statuses: [200], reasons: [] },
  ];
  if (admin) {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      specs.push({ method, route: '/admin/fault', statuses: [200, 400, 403], reasons: method === 'PUT' ? [...BODY_REASONS, 'unknown_feature', 'non_finite', 'forbidden'] : ['forbidden'] });
    }
  }
  return specs;
}

export interface ServedModel {
  model: string;
  version: string;
  classes: readonly string[];
}

type CounterChild = ReturnType<Counter<string>['labels']>;
type HistogramChild = ReturnType<Histogram<string>['labels']>;

/** All metrics of the gateway in one registry of its own (never prom-client's global
 * one), so tests and several gateways in one process do not share counters. */
export class GatewayMetrics {
  readonly registry: Registry;
  private readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly rejected: Counter<'route' | 'reason'>;
  private readonly inferenceRequests: Counter<'model' | 'version' | 'outcome'>;
  private readonly inferenceDuration: Histogram<'model' | 'version'>;
  private readonly inFlight: Gauge<'model' | 'version'>;
  private readonly predictions: Counter<'model' | 'version' | 'class'>;
  private readonly confidence: Histogram<'model' | 'version'>;
  /** Label children cached by key: looking labels up per request is measurable at thousands per second. */
  private readonly httpChildren = new Map<string, { count: CounterChild; duration: HistogramChild }>();
  private readonly served: Record<string, string>;
  private readonly classChildren: CounterChild[];

  constructor(opts: { served: ServedModel; admin: boolean; droppedEvents: () => number; defaultMetrics?: boolean }) {
    const registry = (this.registry = new Registry());
    const registers = [registry];
    if (opts.defaultMetrics !== false) {
      collectDefaultMetrics({ register: registry });
      // prom-client names these gauges *_total, which promtool's lint (and the
      // naming convention) reserve for counters; the per-type gauges without the
      // suffix carry the same numbers (sum by type).
      for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
        registry.removeSingleMetric(name);
      }
    }
    this.httpRequests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered, by method, route template and status code.', labelNames: ['method', 'route', 'status'], registers });
    this.httpDuration = new Histogram({ name: 'http_request_duration_seconds', help: 'Time from request received to response sent, by method, route template and status code.', labelNames: ['method', 'route', 'status'], buckets: HTTP_DURATION_BUCKETS, registers });
    this.rejected = new Counter({ name: 'http_request_errors_total', help: 'Requests refused for bad input, by route template and reason.', labelNames: ['route', 'reason'], registers });
    this.inferenceRequests = new Counter({ name: 'inference_requests_total', help: 'Prediction requests by outcome (success, invalid_input, error).', labelNames: ['model', 'version', 'outcome'], registers });
    this.inferenceDuration = new Histogram({ name: 'inference_duration_seconds', help: 'Time spent producing predictions for one request (model call, including injected latency).', labelNames: ['model', 'version'], buckets: INFERENCE_DURATION_BUCKETS, registers });
    this.inFlight = new Gauge({ name: 'inference_in_flight', help: 'Prediction requests being processed now.', labelNames: ['model', 'version'], registers });
    this.predictions = new Counter({ name: 'inference_predictions_total', help: 'Predictions made, by predicted class.', labelNames: ['model', 'version', 'class'], registers });
    this.confidence = new Histogram({ name: 'inference_prediction_confidence', help: 'Probability of the predicted class.', labelNames: ['model', 'version'], buckets: CONFIDENCE_BUCKETS, registers });
    const modelInfo = new Gauge({ name: 'model_info', help: 'The model version being served (always 1).', labelNames: ['model', 'version'], registers });
    const droppedEvents = opts.droppedEvents;
    let reported = 0;
    new Counter({
      name: 'inference_events_dropped_total',
      help: 'Inference events lost before the exporter could read them (memory or disk bound reached, write errors).',
      registers,
      collect() {
        const now = droppedEvents();
        if (now > reported) this.inc(now - reported);
        reported = now;
      },
    });

    const { model, version, classes } = opts.served;
    this.served = { model, version };
    modelInfo.set(this.served, 1);
    for (const outcome of ['success', 'invalid_input', 'error']) this.inferenceRequests.labels(model, version, outcome).inc(0);
    this.classChildren = classes.map((c) => this.predictions.labels(model, version, c));
    for (const child of this.classChildren) child.inc(0);
    this.inFlight.set(this.served, 0);
    this.inferenceDuration.zero(this.served);
    this.confidence.zero(this.served);
    for (const spec of routeSpecs(opts.admin)) {
      for (const status of spec.statuses) this.child(spec.method, spec.route, status);
      for (const reason of spec.reasons) this.rejected.labels(spec.route, reason).inc(0);
    }
    this.rejected.labels(UNMATCHED_ROUTE, 'not_found').inc(0);
    this.child('GET', UNMATCHED_ROUTE, 404);
  }

  private child(method: string, route: string, status: number) {
    const key = `${method} ${route} ${status}`;
    let c = this.httpChildren.get(key);
    if (!c) {
      const s = String(status);
      c = { count: this.httpRequests.labels(method, route, s), duration: this.httpDuration.labels(method, route, s) };
      c.count.inc(0);
      this.httpDuration.zero({ method, route, status: s });
      this.httpChildren.set(key, c);
    }
    return c;
  }

  /** One answered request. Unknown methods collapse to OTHER so they cannot add series. */
  observeHttp(method: string, route: string | undefined, status: number, seconds: number): void {
    const c = this.child(METHODS.has(method) ? method : 'OTHER', route ?? UNMATCHED_ROUTE, status);
    c.count.inc();
    c.duration.observe(seconds);
  }

  rejectedInput(route: string | undefined, reason: RejectReason): void {
    this.rejected.labels(route ?? UNMATCHED_ROUTE, reason).inc();
  }

  // The hot path uses children bound once to the served model's labels: prom-client
  // hashes a label object on every call otherwise, which costs more than the count.
  private hot?: {
    outcomes: Record<'success' | 'invalid_input' | 'error', ReturnType<Counter<string>['labels']>>;
    inFlight: ReturnType<Gauge<string>['labels']>;
    duration: ReturnType<Histogram<string>['labels']>;
    confidence: ReturnType<Histogram<string>['labels']>;
  };

  private bound() {
    if (!this.hot) {
      const { model, version } = this.served as { model: string; version: string };
      this.hot = {
        outcomes: {
          success: this.inferenceRequests.labels(model, version, 'success'),
          invalid_input: this.inferenceRequests.labels(model, version, 'invalid_input'),
          error: this.inferenceRequests.labels(model, version, 'error'),
        },
        inFlight: this.inFlight.labels(model, version),
        duration: this.inferenceDuration.labels(model, version),
        confidence: this.confidence.labels(model, version),
      };
    }
    return this.hot;
  }

  inferenceOutcome(outcome: 'success' | 'invalid_input' | 'error'): void {
    this.bound().outcomes[outcome].inc();
  }

  inferenceStarted(): void {
    this.bound().inFlight.inc();
  }

  inferenceFinished(seconds: number): void {
    const h = this.bound();
    h.inFlight.dec();
    h.duration.observe(seconds);
  }

  prediction(classIndex: number, confidence: number): void {
    this.classChildren[classIndex]?.inc();
    this.bound().confidence.observe(confidence);
  }
}

export { REJECT_REASONS };
