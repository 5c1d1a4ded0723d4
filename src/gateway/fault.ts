import { z } from 'zod';

/** Faults the alert tests inject. Off by default; PUT replaces the whole state. */
export interface FaultState {
  /** Share of /predict requests answered 503. */
  error_ratio: number;
  /** Delay added to every /predict request. */
  latency_ms: number;
  /** Added to incoming feature values before prediction and before the event is recorded. */
  feature_shift: Record<string, number>;
}

export const NO_FAULT: Readonly<FaultState> = Object.freeze({ error_ratio: 0, latency_ms: 0, feature_shift: {} });

export function faultSchema(features: readonly string[]) {
  const shift = z.strictObject(
    Object.fromEntries(features.map((f) => [f, z.number().optional()])) as Record<string, z.ZodOptional<z.ZodNumber>>,
  );
  return z.strictObject({
    error_ratio: z.number().min(0).max(1).optional(),
    latency_ms: z.number().min(0).max(60_000).optional(),
    feature_shift: shift.optional(),
  });
}

export function faultFrom(body: {
  error_ratio?: number;
  latency_ms?: number;
  feature_shift?: Record<string, number | undefined>;
}): FaultState {
  const shift: Record<string, number> = {};
  for (const [k, v] of Object.entries(body.feature_shift ?? {})) if (v !== undefined && v !== 0) shift[k] = v;
  return { error_ratio: body.error_ratio ?? 0, latency_ms: body.latency_ms ?? 0, feature_shift: shift };
}

export function isActive(f: FaultState): boolean {
  return f.error_ratio > 0 || f.latency_ms > 0 || Object.keys(f.feature_shift).length > 0;
}

/** Loopback only: the control changes what every client sees, so it must not be reachable from the network. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
