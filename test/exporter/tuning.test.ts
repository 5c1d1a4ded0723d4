import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configDir } from '../../src/paths.js';
import { DEFAULT_EXPORTER_CONFIG } from '../../src/exporter/options.js';
import { MODEL_TUNING_FILE, parseTuning, tunedConfig } from '../../src/exporter/tuning.js';
import { MlmonError } from '../../src/errors.js';

test('per-model tuning: built-in < exporter flags < file defaults < the model entry', () => {
  const file = parseTuning(
    [
      'defaults:',
      '  psi_major: 0.3',
      '  label_ttl: 2d',
      'models:',
      '  fraud:',
      '    window_size: 5000',
      '    psi_major: 0.5',
      '    accuracy_drop: 0.02',
      '  quiet:',
    ].join('\n'),
    'models.yaml',
  );
  const cfg = tunedConfig({ ...DEFAULT_EXPORTER_CONFIG, windowSize: 800 }, file);
  const fraud = cfg.tuning('fraud');
  assert.equal(fraud.windowSize, 5000);
  assert.equal(fraud.thresholds.psiMajor, 0.5);
  assert.equal(fraud.thresholds.psiModerate, 0.1, 'untouched thresholds keep their defaults');
  assert.equal(fraud.accuracyDrop, 0.02);
  assert.equal(fraud.labelTtlMs, 2 * 86_400_000);
  const other = cfg.tuning('other');
  assert.equal(other.windowSize, 800, 'from the flags');
  assert.equal(other.thresholds.psiMajor, 0.3, 'from the file defaults');
  assert.equal(other.thresholds.minSamples, 200, 'built in');
  assert.deepEqual(cfg.tuning('quiet'), other, 'an empty entry changes nothing');
});

test('the tuning file is validated with file:line errors', () => {
  const fails = (text: string, line: number, message: RegExp) =>
    assert.throws(
      () => parseTuning(text, 'models.yaml'),
      (e: unknown) => e instanceof MlmonError && e.location === `models.yaml:${line}` && message.test(e.message),
      text,
    );
  fails('models:\n  a:\n    psi_major: high\n', 3, /models\.a: psi_major must be a number from 0 to 100/);
  fails('models:\n  a:\n    window_sise: 10\n', 3, /unknown setting "window_sise"/);
  fails('defaults:\n  label_ttl: forever\n', 2, /label_ttl must be a duration/);
  fails('defaults:\n  window_size: 10.5\n', 2, /must be a whole number/);
  fails('defaults:\n  drift_rule: any\n', 2, /must be one of both, psi, ks, either/);
  fails('modles: {}\n', 1, /unknown section "modles"/);
  fails('defaults:\n  psi_moderate: 0.5\n  psi_major: 0.2\n', 2, /psi_moderate must not be above psi_major/);
  fails('defaults: [\n', 2, /./);
});

test('the shipped config/models.yaml is valid', () => {
  const path = join(configDir, MODEL_TUNING_FILE);
  const file = parseTuning(readFileSync(path, 'utf8'), path);
  assert.ok(file.models.has('iris'));
});
