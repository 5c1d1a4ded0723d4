/** What one run of `mlmon train` reports to the Pushgateway. */
export interface TrainingRun {
  model: string;
  durationSeconds: number;
  finishedAtUnix: number;
  /** Undefined when the run failed. */
  heldoutAccuracy: number | undefined;
  failed: boolean;
}

export const TRAINING_JOB = 'mlmon_train';

/** Grouping key: job and model, so every model keeps its own last run. */
export function trainingPushUrl(pushgatewayUrl: string, model: string): string {
  return `${pushgatewayUrl.replace(/\/+$/, '')}/metrics/job/${TRAINING_JOB}/model/${encodeURIComponent(model)}`;
}

/** The exposition text of a training run. A failed run leaves out accuracy and the
 * success timestamp: it is pushed with POST, which replaces only the metrics it
 * names, so the group keeps the last good run's values and alerts can say how
 * long ago training last succeeded. */
export async function renderTrainingMetrics(run: TrainingRun): Promise<string> {
  // Loaded when a run reports: processes that only read the registry never load prom-client for it.
  const { Gauge, Registry } = await import('prom-client');
  const registry = new Registry();
  const gauge = (name: string, help: string, value: number) => {
    new Gauge({ name, help, registers: [registry] }).set(value);
  };
  gauge('ml_training_duration_seconds', 'Wall time of the last training run.', run.durationSeconds);
  gauge('ml_training_last_run_timestamp_seconds', 'Unix time the last training run ended, successful or not.', run.finishedAtUnix);
  gauge('ml_training_failed', '1 when the last training run failed, 0 when it succeeded.', run.failed ? 1 : 0);
  if (!run.failed) {
    gauge('ml_training_last_success_timestamp_seconds', 'Unix time the last successful training run ended.', run.finishedAtUnix);
    if (run.heldoutAccuracy !== undefined) {
      gauge('ml_training_heldout_accuracy', 'Accuracy of the last trained model on the held-out rows.', run.heldoutAccuracy);
    }
  }
  return registry.metrics();
}

/** PUT (success: the group is exactly this run) or POST (failure: keep the last
 * success). Throws on an unreachable gateway or a non-2xx answer. */
export async function pushTrainingRun(pushgatewayUrl: string, run: TrainingRun, timeoutMs = 2000, authorization?: string): Promise<void> {
  const res = await fetch(trainingPushUrl(pushgatewayUrl, run.model), {
    method: run.failed ? 'POST' : 'PUT',
    headers: { 'content-type': 'text/plain; version=0.0.4', ...(authorization ? { authorization } : {}) },
    body: await renderTrainingMetrics(run),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`pushgateway answered HTTP ${res.status}: ${text.trim()}`);
}
