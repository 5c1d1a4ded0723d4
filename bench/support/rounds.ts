/** Side-by-side timing inside one process: the contenders run in alternating
 * rounds (A, B, A, B, ...), so a change in the machine's load between rounds
 * touches both alike, and each figure is the median of its rounds with the
 * quartiles as its spread. */
import { quantile } from '../../src/model/profile.js';

/** Quantile q of unsorted values (linear between neighbours, as the model's reference profiles). */
export const quantileOf = (xs: readonly number[], q: number): number =>
  quantile(
    [...xs].sort((x, y) => x - y),
    q,
  );
export const median = (xs: readonly number[]): number => quantileOf(xs, 0.5);

export interface Contender {
  name: string;
  /** Does `iterations` units of work; the bench divides the time by it. */
  run(iterations: number): void;
}

export interface RoundsOptions {
  rounds: number;
  iterations: number;
  /** Untimed rounds first, so the JIT has compiled both before anything counts. */
  warmupRounds?: number;
}

/** Nanoseconds per unit of work, one figure per round, by contender. */
export function alternateRounds(contenders: readonly Contender[], opts: RoundsOptions): Map<string, number[]> {
  const out = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  const warmup = opts.warmupRounds ?? 2;
  for (let round = 0; round < warmup + opts.rounds; round++) {
    // Alternate which goes first, too.
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const c of order) {
      const t0 = process.hrtime.bigint();
      c.run(opts.iterations);
      const ns = Number(process.hrtime.bigint() - t0) / opts.iterations;
      if (round >= warmup) out.get(c.name)!.push(ns);
    }
  }
  return out;
}

/** `0.21 µs (quartiles 0.20–0.23)` */
export function formatMicros(nsPerOp: readonly number[]): string {
  const us = (q: number) => (quantileOf(nsPerOp, q) / 1000).toFixed(2);
  return `${us(0.5)} µs (quartiles ${us(0.25)}–${us(0.75)})`;
}
