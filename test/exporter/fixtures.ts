import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEventWriter } from '../../src/events/index.js';
import { stackPaths } from '../../src/definition/index.js';
import type { ModelMetadata } from '../../src/model/index.js';

/** A data dir of its own for one test. */
export function tempDataDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `mlmon-exporter-${tag}-`));
}

/** Metadata of a small synthetic model with exactly known references:
 * features `a` (training values 0.0 … 9.9) and `b` (100 … 199), classes x/y/z in 50/30/20. */
export function syntheticMetadata(model = 'demo', version = 'v1', features = ['a', 'b']): ModelMetadata {
  const ref: ModelMetadata['reference']['features'] = {};
  features.forEach((f, k) => {
    const base = k === 0 ? 0 : 100 * k;
    const step = k === 0 ? 0.1 : 1;
    const values = Array.from({ length: 100 }, (_, i) => Number((base + i * step).toFixed(6)));
    const min = values[0] as number;
    const max = values[99] as number;
    const edges = Array.from({ length: 11 }, (_, i) => Number((min + ((max - min) * i) / 10).toFixed(6)));
    ref[f] = { count: 100, min, max, mean: (min + max) / 2, std: 1, bin_edges: edges, bin_proportions: new Array(10).fill(0.1), values };
  });
  return {
    model,
    version,
    trained_at: '2026-01-01T00:00:00.000Z',
    trained_at_unix: 1767225600,
    seed: 42,
    training_data: { source: 'synthetic', fingerprint: 'sha256:00', rows: 100, heldout_rows: 0 },
    features,
    classes: ['x', 'y', 'z'],
    heldout_accuracy: 0.9,
    reference: { features: ref, class_mix: { x: 0.5, y: 0.3, z: 0.2 } },
  };
}

/** Publish `metadata` in the registry layout and make it current. */
export function writeRegistry(dataDir: string, metadata: ModelMetadata): void {
  const dir = join(stackPaths(dataDir).registryDir, metadata.model, metadata.version);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'metadata.json'), JSON.stringify(metadata));
  writeFileSync(join(stackPaths(dataDir).registryDir, metadata.model, 'CURRENT'), `${metadata.version}\n`);
}

export function prediction(
  id: string,
  ts: number,
  features: Record<string, number | null>,
  predicted: string,
  model = 'demo',
  version = 'v1',
) {
  return {
    type: 'prediction' as const,
    id,
    ts,
    model,
    version,
    features: features as Record<string, number>,
    prediction: predicted,
    confidence: 0.9,
  };
}

export function feedback(id: string, ts: number, label: string, model = 'demo', version = 'v1') {
  return { type: 'feedback' as const, id, ts, label, model, version };
}

/** Append events to the data dir's spool through the gateway's own writer. */
export async function spool(dataDir: string, events: ReturnType<typeof prediction | typeof feedback>[]): Promise<void> {
  const w = await openEventWriter({ dir: stackPaths(dataDir).eventsDir });
  for (const e of events) w.append(e);
  await w.close();
}

/** Value of one sample in exposition text, or undefined when absent. */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got: Record<string, string> = {};
    for (const part of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) got[part[1] as string] = part[2] as string;
    const wanted = Object.entries(labels);
    if (wanted.every(([k, v]) => got[k] === v) && Object.keys(got).length === wanted.length) {
      const v = m[4] as string;
      return v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v);
    }
  }
  return undefined;
}
