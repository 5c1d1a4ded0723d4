import { MlmonError } from '../errors.js';
import { pushTrainingRun } from './push.js';
import type { ModelMetadata } from './registry.js';
import { trainModel } from './train.js';
import { DEFAULT_MODEL } from './schema.js';

export interface TrainingOutcome {
  metadata: ModelMetadata;
  durationSeconds: number;
  /** Why the metrics were not pushed (unreachable gateway): a warning, not a failure. */
  pushWarning: string | undefined;
  pushed: boolean;
}

/** One batch training job: train, then report to the Pushgateway when one is given.
 * A failed training still reports (the failure marker) and then rethrows. */
export async function runTraining(opts: {
  registryDir: string;
  seed?: number;
  model?: string;
  pushgatewayUrl?: string;
  pushTimeoutMs?: number;
  /** Authorization header the Pushgateway demands (the stack's admin credentials). */
  pushAuthorization?: string | undefined;
}): Promise<TrainingOutcome> {
  const model = opts.model ?? DEFAULT_MODEL;
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  const push = async (failed: boolean, accuracy: number | undefined): Promise<string | undefined> => {
    if (!opts.pushgatewayUrl) return undefined;
    try {
      await pushTrainingRun(
        opts.pushgatewayUrl,
        { model, durationSeconds: elapsed(), finishedAtUnix: Date.now() / 1000, heldoutAccuracy: accuracy, failed },
        opts.pushTimeoutMs,
        opts.pushAuthorization,
      );
      return undefined;
    } catch (e) {
      const cause = (e as Error).cause as Error | undefined;
      return `training metrics not pushed to ${opts.pushgatewayUrl}: ${cause?.message ?? (e as Error).message}`;
    }
  };
  let metadata: ModelMetadata;
  try {
    metadata = await trainModel({ registryDir: opts.registryDir, seed: opts.seed, model });
  } catch (e) {
    const warning = await push(true, undefined);
    if (e instanceof MlmonError) throw e;
    throw new MlmonError('train_failed', `training failed: ${(e as Error).message}${warning ? ` (${warning})` : ''}`, {
      location: opts.registryDir,
      cause: e,
    });
  }
  const durationSeconds = elapsed();
  const pushWarning = await push(false, metadata.heldout_accuracy);
  return { metadata, durationSeconds, pushWarning, pushed: opts.pushgatewayUrl !== undefined && pushWarning === undefined };
}
