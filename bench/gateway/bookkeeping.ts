/** Benchmark: the metric bookkeeping of one prediction, in a loop, side by side:
 *   - now: the gateway's own GatewayMetrics (plain-number families of src/metrics),
 *     called exactly as the /predict handler calls it;
 *   - prom-client: the same families as prom-client Counter/Gauge/Histogram, every
 *     series bound once as a child (`labels(...)`), the best prom-client allows.
 * One prediction is 8 updates: in-flight up, class count, confidence, outcome,
 * in-flight down, inference duration, HTTP count, HTTP duration. Prints the time
 * per prediction (median of alternating rounds, with quartiles) and the ratio.
 *
 *   npm run build && node dist/bench/gateway/bookkeeping.js [--rounds 20] [--predictions 1000000]
 */
import { parseArgs } from 'node:util';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CONFIDENCE_BUCKETS, GatewayMetrics, HTTP_DURATION_BUCKETS, INFERENCE_DURATION_BUCKETS } from '../../src/gateway/metrics.js';
import { alternateRounds, formatMicros, median, type Contender } from '../support/rounds.js';

const { values: args } = parseArgs({
  options: { rounds: { type: 'string', default: '20' }, predictions: { type: 'string', default: '1000000' } },
});
const rounds = Number(args.rounds);
const predictions = Number(args.predictions);

const served = { model: 'iris', version: 'v1', classes: ['setosa', 'versicolor', 'virginica'] };

/** What one single-row /predict does to the metrics (src/gateway/server.ts). */
interface PredictionBookkeeping {
  inferenceStarted(): void;
  prediction(classIndex: number, confidence: number): void;
  inferenceOutcome(outcome: 'success'): void;
  inferenceFinished(seconds: number): void;
  observeHttp(method: string, route: string, status: number, seconds: number): void;
}

/** The same families in prom-client, children bound once. */
function promClientBookkeeping(): PredictionBookkeeping {
  const registers = [new Registry()];
  const mv = [served.model, served.version] as const;
  const http = { method: 'POST', route: '/predict', status: '200' };
  const counter = (name: string, labelNames: string[]) => new Counter({ name, help: 'h', labelNames, registers });
  const histogram = (name: string, labelNames: string[], buckets: number[]) =>
    new Histogram({ name, help: 'h', labelNames, buckets, registers });
  const requests = counter('http_requests_total', ['method', 'route', 'status']);
  const duration = histogram('http_request_duration_seconds', ['method', 'route', 'status'], HTTP_DURATION_BUCKETS);
  const outcomes = counter('inference_requests_total', ['model', 'version', 'outcome']);
  const inFlight = new Gauge({ name: 'inference_in_flight', help: 'h', labelNames: ['model', 'version'], registers }).labels(...mv);
  const inference = histogram('inference_duration_seconds', ['model', 'version'], INFERENCE_DURATION_BUCKETS).labels(...mv);
  const classes = counter('inference_predictions_total', ['model', 'version', 'class']);
  const confidence = histogram('inference_prediction_confidence', ['model', 'version'], CONFIDENCE_BUCKETS).labels(...mv);
  const classChildren = served.classes.map((c) => classes.labels(...mv, c));
  const success = outcomes.labels(...mv, 'success');
  const httpCount = requests.labels(http);
  const httpDuration = duration.labels(http);
  return {
    inferenceStarted: () => inFlight.inc(),
    prediction(classIndex, p) {
      classChildren[classIndex]?.inc();
      confidence.observe(p);
    },
    inferenceOutcome: () => success.inc(),
    inferenceFinished(seconds) {
      inFlight.dec();
      inference.observe(seconds);
    },
    observeHttp(_method, _route, _status, seconds) {
      httpCount.inc();
      httpDuration.observe(seconds);
    },
  };
}

function contender(name: string, m: PredictionBookkeeping): Contender {
  return {
    name,
    run(n) {
      for (let i = 0; i < n; i++) {
        // Values that move across buckets, as real ones do.
        const seconds = 0.0005 + (i % 97) * 0.00003;
        m.inferenceStarted();
        m.prediction(i % 3, 0.6 + (i % 5) * 0.08);
        m.inferenceOutcome('success');
        m.inferenceFinished(seconds);
        m.observeHttp('POST', '/predict', 200, seconds + 0.0002);
      }
    },
  };
}

const gateway = new GatewayMetrics({ served, admin: false, droppedEvents: () => 0, defaultMetrics: false });
// The served version's series, looked up once as the gateway does when a deployment starts serving.
const vs = gateway.version(served.version, served.classes);
const now: PredictionBookkeeping = {
  inferenceStarted: () => gateway.inferenceStarted(vs),
  prediction: (classIndex, p) => gateway.prediction(vs, classIndex, p),
  inferenceOutcome: (outcome) => gateway.inferenceOutcome(outcome, vs),
  inferenceFinished: (seconds) => gateway.inferenceFinished(vs, seconds),
  observeHttp: (method, route, status, seconds) => gateway.observeHttp(method, route, status, seconds),
};
const results = alternateRounds([contender('now', now), contender('prom-client', promClientBookkeeping())], {
  rounds,
  iterations: predictions,
});
const ours = results.get('now')!;
const theirs = results.get('prom-client')!;
process.stdout.write(
  `metric bookkeeping per prediction (8 updates), ${predictions.toLocaleString('en')} predictions a round, ${rounds} alternating rounds:\n` +
    `  now (plain-number families):       ${formatMicros(ours)}\n` +
    `  prom-client children, bound once:  ${formatMicros(theirs)}\n` +
    `  ratio (medians): ${(median(theirs) / median(ours)).toFixed(1)}x\n`,
);
