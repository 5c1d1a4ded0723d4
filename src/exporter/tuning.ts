/** Per-model tuning of drift, quality and freshness: one declarative file
 * (config/models.yaml), `defaults` for every model and an entry per model that
 * overrides any of them. The exporter applies window sizes, drift thresholds and
 * label TTLs itself and publishes every threshold as a series
 * (ml_drift_threshold, ml_alert_threshold), which the model-quality alerts
 * compare against: a tuned threshold needs no change to the alert rules. */
import { readFile } from 'node:fs/promises';
import { isMap, isScalar, LineCounter, parseDocument, type Node, type Pair } from 'yaml';
import { DRIFT_RULES, type DriftRule, type DriftThresholds } from '../drift/index.js';
import { tryParseDuration } from '../duration.js';
import { MlmonError } from '../errors.js';
import type { ExporterConfig } from './options.js';

/** Name of the file in the configuration folder. */
export const MODEL_TUNING_FILE = 'models.yaml';

export interface ModelTuning {
  /** Most recent predictions per version in the drift window. */
  windowSize: number;
  /** With `minSamples`, the minimum window (`min_window_samples`): below it PSI, the
   * chi-square test and the drifted verdict are not computed, and the drift alerts wait. */
  thresholds: DriftThresholds;
  /** How long a prediction waits for its label. */
  labelTtlMs: number;
  /** Classification: accuracy alert when this far (absolute) below the reference accuracy. */
  accuracyDrop: number;
  /** Regression: error alert when MAE is this share above the reference MAE. */
  errorIncrease: number;
  /** Quality alerts wait for this many labels in the window. */
  minQualitySamples: number;
  /** Stale model: newest version older than this. */
  staleAfterMs: number;
  /** No events: none for this long. */
  noEventsAfterMs: number;
}

export const BUILTIN_TUNING: Omit<ModelTuning, 'windowSize' | 'thresholds' | 'labelTtlMs'> = {
  accuracyDrop: 0.05,
  errorIncrease: 0.2,
  minQualitySamples: 100,
  staleAfterMs: 30 * 86_400_000,
  noEventsAfterMs: 3_600_000,
};

/** The file's content: overrides of the defaults, and per model. */
export interface TuningFile {
  defaults: Partial<ModelTuning>;
  models: ReadonlyMap<string, Partial<ModelTuning>>;
}

export const EMPTY_TUNING: TuningFile = { defaults: {}, models: new Map() };

/** The tuning of one model: built-in < exporter flags (`base`) < file defaults < the model's entry. */
export function tuningFor(file: TuningFile, base: ModelTuning, model: string): ModelTuning {
  const merge = (a: ModelTuning, o: Partial<ModelTuning>): ModelTuning => ({
    ...a,
    ...o,
    thresholds: { ...a.thresholds, ...(o.thresholds ?? {}) },
  });
  return merge(merge(base, file.defaults), file.models.get(model) ?? {});
}

type Setter = (t: Partial<ModelTuning>, value: unknown, fail: (msg: string) => never) => void;

const number =
  (min: number, max: number, set: (t: Partial<ModelTuning>, n: number) => void, integer = false): Setter =>
  (t, v, fail) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      return fail(`must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`);
    }
    set(t, v);
  };
const duration =
  (set: (t: Partial<ModelTuning>, ms: number) => void): Setter =>
  (t, v, fail) => {
    const ms = typeof v === 'string' ? tryParseDuration(v) : undefined;
    if (ms === undefined || ms <= 0) return fail('must be a duration such as 90s, 15m, 1h or 7d');
    set(t, ms);
  };
const threshold = (key: keyof DriftThresholds, min: number, max: number): Setter =>
  number(min, max, (t, n) => {
    t.thresholds = { ...(t.thresholds ?? {}), [key]: n } as DriftThresholds;
  });

/** Keys of the file, with what each accepts. */
export const TUNING_KEYS: Readonly<Record<string, Setter>> = {
  window_size: number(10, 100_000, (t, n) => (t.windowSize = n), true),
  psi_moderate: threshold('psiModerate', 0, 100),
  psi_major: threshold('psiMajor', 0, 100),
  p_value: threshold('ksPValue', 0, 1),
  drift_rule: (t, v, fail) => {
    if (typeof v !== 'string' || !DRIFT_RULES.includes(v as DriftRule)) fail(`must be one of ${DRIFT_RULES.join(', ')}`);
    t.thresholds = { ...(t.thresholds ?? {}), rule: v as DriftRule } as DriftThresholds;
  },
  min_window_samples: number(
    1,
    100_000,
    (t, n) => {
      t.thresholds = { ...(t.thresholds ?? {}), minSamples: n } as DriftThresholds;
    },
    true,
  ),
  label_ttl: duration((t, ms) => (t.labelTtlMs = ms)),
  accuracy_drop: number(0, 1, (t, n) => (t.accuracyDrop = n)),
  error_increase: number(0, 100, (t, n) => (t.errorIncrease = n)),
  min_quality_samples: number(1, 1_000_000, (t, n) => (t.minQualitySamples = n), true),
  stale_after: duration((t, ms) => (t.staleAfterMs = ms)),
  no_events_after: duration((t, ms) => (t.noEventsAfterMs = ms)),
};

/** Pure: the tuning file from its text. Every problem names file:line. */
export function parseTuning(text: string, file: string): TuningFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true });
  const lineOf = (node: Node | Pair | null | undefined): string => {
    const range = node && 'range' in node ? node.range : node && 'key' in node ? (node.key as Node | null)?.range : undefined;
    return range ? `${file}:${lc.linePos(range[0]).line}` : file;
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new MlmonError('tuning_yaml', e.message.split('\n')[0] ?? 'invalid YAML', { location: `${file}:${e.linePos?.[0]?.line ?? 1}` });
  }
  const root = doc.contents;
  if (root === null) return EMPTY_TUNING;
  if (!isMap(root))
    throw new MlmonError('tuning_shape', 'the file must be a mapping with `defaults:` and `models:`', { location: lineOf(root) });
  const section = (map: Node, what: string): Partial<ModelTuning> => {
    if (!isMap(map)) throw new MlmonError('tuning_shape', `${what} must be a mapping of settings`, { location: lineOf(map) });
    const out: Partial<ModelTuning> = {};
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const set = TUNING_KEYS[key];
      const fail = (msg: string): never => {
        throw new MlmonError('tuning_value', `${what}: ${key} ${msg}`, { location: lineOf(pair.value as Node) });
      };
      if (!set) {
        throw new MlmonError('tuning_key', `${what}: unknown setting "${key}" (known: ${Object.keys(TUNING_KEYS).join(', ')})`, {
          location: lineOf(pair.key as Node),
        });
      }
      set(out, isScalar(pair.value) ? pair.value.value : pair.value, fail);
    }
    const psi = { ...out.thresholds };
    if (psi.psiModerate !== undefined && psi.psiMajor !== undefined && psi.psiModerate > psi.psiMajor) {
      throw new MlmonError('tuning_value', `${what}: psi_moderate must not be above psi_major`, { location: lineOf(map) });
    }
    return out;
  };
  const empty = (v: unknown): boolean => v === null || (isScalar(v) && v.value === null);
  let defaults: Partial<ModelTuning> = {};
  const models = new Map<string, Partial<ModelTuning>>();
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (key === 'defaults') defaults = empty(pair.value) ? {} : section(pair.value as Node, 'defaults');
    else if (key === 'models') {
      if (empty(pair.value)) continue;
      if (!isMap(pair.value))
        throw new MlmonError('tuning_shape', 'models must map model names to settings', { location: lineOf(pair.value as Node) });
      for (const m of pair.value.items) {
        const name = isScalar(m.key) ? String(m.key.value) : '';
        models.set(name, empty(m.value) ? {} : section(m.value as Node, `models.${name}`));
      }
    } else {
      throw new MlmonError('tuning_key', `unknown section "${key}": the file has \`defaults:\` and \`models:\``, {
        location: lineOf(pair.key as Node),
      });
    }
  }
  return { defaults, models };
}

/** The file, or no tuning when it does not exist. */
export async function loadTuning(file: string | undefined): Promise<TuningFile> {
  if (file === undefined) return EMPTY_TUNING;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_TUNING;
    throw new MlmonError('tuning_unreadable', `cannot read the model tuning file: ${(e as Error).message}`, { location: file });
  }
  return parseTuning(text, file);
}

/** The tuning every model gets from the exporter's own settings (flags), before the file. */
export function baseTuning(config: Pick<ExporterConfig, 'windowSize' | 'thresholds' | 'pendingTtlMs'>): ModelTuning {
  return { ...BUILTIN_TUNING, windowSize: config.windowSize, thresholds: config.thresholds, labelTtlMs: config.pendingTtlMs };
}

/** The config with its per-model tuning function (cached per model). */
export function tunedConfig<C extends Pick<ExporterConfig, 'windowSize' | 'thresholds' | 'pendingTtlMs'>>(
  config: C,
  file: TuningFile = EMPTY_TUNING,
): C & { tuning: (model: string) => ModelTuning } {
  const base = baseTuning(config);
  const cache = new Map<string, ModelTuning>();
  const tuning = (model: string): ModelTuning => {
    let t = cache.get(model);
    if (!t) cache.set(model, (t = tuningFor(file, base, model)));
    return t;
  };
  return { ...config, tuning };
}
