/** Registering a model that mlmon did not train: its reference data (the
 * training set, or a sample of it) becomes the profile the ML exporter measures
 * drift and quality against. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { MlmonError } from '../errors.js';
import { categoricalProfile, featureProfile, mixOf, type AnyFeatureProfile, type ReferenceProfile } from './profile.js';
import { compareVersions, MODEL_NAME_RE, publishVersion, VERSION_NAME_RE, type ModelKind, type ModelMetadata } from './registry.js';
import type { Cell, Table } from './table.js';

/** Classes a classification target may have: each becomes a label value of the prediction counters. */
export const MAX_CLASSES = 100;
/** Features a model may have: each is a label value of the drift series. */
export const MAX_FEATURES = 500;

export interface RegisterOptions {
  registryDir: string;
  model: string;
  file: string;
  target: string;
  version?: string;
  features?: readonly string[];
  predictionColumn?: string;
  /** Default: regression when every target value is a number, else classification. */
  kind?: ModelKind;
  now?: Date;
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A cell as a number, or undefined when it is text that is not one. */
export function numericValue(c: Cell): number | undefined {
  if (typeof c === 'number') return c;
  if (c === null || !NUMBER_RE.test(c)) return undefined;
  const n = Number(c);
  return Number.isFinite(n) ? n : undefined;
}

function isNumericColumn(cells: readonly Cell[]): boolean {
  return cells.every((c) => c === null || numericValue(c) !== undefined);
}

const textOf = (c: Cell): string => (typeof c === 'number' ? String(c) : (c as string));

function refuse(code: string, message: string, location: string, hint?: string): MlmonError {
  return new MlmonError(code, message, hint === undefined ? { location } : { location, hint });
}

/** Pure: the metadata of a new version from a table. Throws MlmonError with file:line. */
export function profileTable(
  table: Table,
  opts: Omit<RegisterOptions, 'registryDir' | 'file' | 'version'> & { version: string; fingerprint: string },
): ModelMetadata {
  const columns = new Set(table.columns);
  const listed = table.columns.join(', ');
  if (!MODEL_NAME_RE.test(opts.model)) {
    throw new MlmonError('bad_model_name', `model name "${opts.model}" must be a letter or _ followed by up to 63 letters, digits, _ or -`);
  }
  if (!columns.has(opts.target)) {
    throw refuse(
      'reference_no_target',
      `the target column "${opts.target}" is not in the data (columns: ${listed})`,
      table.header,
      'Name the column holding the true label with --target.',
    );
  }
  const pc = opts.predictionColumn;
  if (pc !== undefined && !columns.has(pc)) {
    throw refuse('reference_no_prediction', `the prediction column "${pc}" is not in the data (columns: ${listed})`, table.header);
  }
  const features = opts.features ? [...opts.features] : table.columns.filter((c) => c !== opts.target && c !== pc);
  if (features.length === 0) throw refuse('reference_no_features', 'no feature columns besides the target', table.header);
  if (features.length > MAX_FEATURES)
    throw refuse(
      'reference_too_many_features',
      `${features.length} features; at most ${MAX_FEATURES}`,
      table.header,
      'Choose the monitored ones with --features.',
    );
  for (const f of features) {
    if (!columns.has(f)) throw refuse('reference_no_feature', `feature "${f}" is not in the data (columns: ${listed})`, table.header);
    if (f === opts.target || f === pc)
      throw refuse('reference_feature_is_target', `"${f}" is the target or prediction column, not a feature`, table.header);
  }

  const profiles: Record<string, AnyFeatureProfile> = {};
  for (const f of features) {
    const cells = table.column(f);
    const present = cells.filter((c): c is string | number => c !== null);
    if (present.length === 0) {
      throw refuse(
        'reference_feature_empty',
        `feature "${f}" has no usable values (every row is empty)`,
        table.header,
        'Leave it out with --features, or register data where it is filled in.',
      );
    }
    profiles[f] = isNumericColumn(present)
      ? { type: 'numeric', ...featureProfile(present.map((c) => numericValue(c) as number)) }
      : categoricalProfile(present.map(textOf));
  }

  const targetCells = table.column(opts.target);
  const labelled = targetCells.map((c, i) => [c, i] as const).filter(([c]) => c !== null);
  if (labelled.length === 0) throw refuse('reference_target_empty', `the target column "${opts.target}" has no values`, table.header);
  const kind: ModelKind = opts.kind ?? (isNumericColumn(targetCells) ? 'regression' : 'classification');
  const predictionCells = pc === undefined ? undefined : table.column(pc);

  let classes: string[] = [];
  let class_mix: Record<string, number> = {};
  let prediction: ReferenceProfile['prediction'];
  let quality: Pick<ModelMetadata, 'heldout_accuracy' | 'reference_mae' | 'reference_rmse'> = {};
  if (kind === 'classification') {
    const targets = labelled.map(([c]) => textOf(c as string | number));
    const predicted = predictionCells?.filter((c): c is string | number => c !== null).map(textOf);
    classes = [...new Set([...targets, ...(predicted ?? [])])].sort(compareVersions);
    if (classes.length > MAX_CLASSES) {
      throw refuse(
        'reference_too_many_classes',
        `the target has ${classes.length} distinct values; a classification model may have at most ${MAX_CLASSES}`,
        table.header,
        'A numeric target is a regression model: pass --type regression.',
      );
    }
    class_mix = mixOf(predicted ?? targets, classes);
    if (predictionCells) {
      const pairs = labelled.filter(([, i]) => predictionCells[i] !== null);
      if (pairs.length > 0) {
        const right = pairs.filter(([c, i]) => textOf(c as string | number) === textOf(predictionCells[i] as string | number)).length;
        quality = { heldout_accuracy: right / pairs.length };
      }
    }
  } else {
    const numeric = (cells: readonly Cell[], column: string): number[] =>
      cells.map((c, i) => {
        if (c === null) return Number.NaN;
        const n = numericValue(c);
        if (n === undefined)
          throw refuse(
            'reference_not_numeric',
            `"${c}" in column "${column}" is not a number, and a regression model needs numbers`,
            table.where(i),
          );
        return n;
      });
    const targets = numeric(targetCells, opts.target);
    const predicted = predictionCells ? numeric(predictionCells, pc as string) : undefined;
    prediction = featureProfile((predicted ?? targets).filter((v) => !Number.isNaN(v)));
    if (predicted) {
      let abs = 0;
      let sq = 0;
      let n = 0;
      targets.forEach((t, i) => {
        const p = predicted[i] as number;
        if (Number.isNaN(t) || Number.isNaN(p)) return;
        abs += Math.abs(p - t);
        sq += (p - t) ** 2;
        n++;
      });
      if (n > 0) quality = { reference_mae: abs / n, reference_rmse: Math.sqrt(sq / n) };
    }
  }
  const now = opts.now ?? new Date();
  return {
    model: opts.model,
    version: opts.version,
    trained_at: now.toISOString(),
    trained_at_unix: Math.floor(now.getTime() / 1000),
    kind,
    training_data: { source: `file:${basename(table.file)}`, fingerprint: opts.fingerprint, rows: table.rowCount, heldout_rows: 0 },
    features,
    classes,
    target: opts.target,
    ...quality,
    reference: prediction ? { features: profiles, class_mix, prediction } : { features: profiles, class_mix },
  };
}

/** Read the reference file, profile it and publish the new version (made current). */
export async function registerModel(opts: RegisterOptions): Promise<ModelMetadata> {
  if (opts.version !== undefined && !VERSION_NAME_RE.test(opts.version)) {
    throw new MlmonError(
      'bad_version',
      `version "${opts.version}" must be 1 to 64 letters, digits, ., _ or -, starting with a letter or digit`,
    );
  }
  // The CSV and Parquet readers load when a model is registered, not with the registry.
  const { readTable } = await import('./table.js');
  const table = await readTable(opts.file);
  const fingerprint = `sha256:${createHash('sha256')
    .update(await readFile(opts.file))
    .digest('hex')}`;
  // Profile before publishing: a bad file never claims a version number.
  const probe = profileTable(table, { ...opts, version: opts.version ?? 'v0', fingerprint });
  return publishVersion(
    opts.registryDir,
    opts.model,
    undefined,
    (version) => ({ ...probe, version }),
    opts.version === undefined ? {} : { version: opts.version },
  );
}
