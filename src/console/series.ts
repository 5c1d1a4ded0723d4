/** Range-query results laid on one time grid, the shape uPlot draws directly
 * (one x array shared by every y array, null where a series has no point). Pure. */
import type { GridValues, Interval, TimeGrid } from './api-types.js';
import type { RangeSeries } from '../upstream/index.js';

/** About this many points per chart: enough for a 1000-pixel-wide plot, cheap to query. */
export const POINTS_PER_CHART = 360;
export const MIN_STEP_SECONDS = 15;

/** A grid ending at `now` covering `rangeSeconds`, its step a whole number of
 * seconds and its points on multiples of the step, so reloads hit the same timestamps. */
export function timeGrid(now: number, rangeSeconds: number, points = POINTS_PER_CHART): TimeGrid {
  const step = Math.max(MIN_STEP_SECONDS, Math.ceil(rangeSeconds / points));
  const end = Math.floor(now / step) * step;
  const start = end - Math.ceil(rangeSeconds / step) * step;
  const times: number[] = [];
  for (let t = start; t <= end; t += step) times.push(t);
  return { start, end, step, times };
}

/** Values of `series` at each grid time, null where Prometheus returned none. */
export function onGrid(grid: TimeGrid, series: RangeSeries | undefined): GridValues {
  const out: GridValues = new Array(grid.times.length).fill(null);
  if (!series) return out;
  for (const [t, v] of series.points) {
    const i = Math.round((t - grid.start) / grid.step);
    if (i >= 0 && i < out.length && Number.isFinite(v)) out[i] = v;
  }
  return out;
}

/** null for NaN and ±Inf, which JSON cannot carry and a person cannot read. */
export function finiteOrNull(v: number | undefined): number | null {
  return v !== undefined && Number.isFinite(v) ? v : null;
}

/** Runs of consecutive points of a series: when a firing ALERTS series was present. */
export function intervalsOf(grid: TimeGrid, series: RangeSeries): Interval[] {
  const out: Interval[] = [];
  let current: Interval | undefined;
  for (const [t] of series.points) {
    if (current && t - current.to <= grid.step + 1e-9) {
      current.to = t;
    } else {
      if (current) out.push(current);
      current = { from: t, to: t, ongoing: false };
    }
  }
  if (current) out.push(current);
  const last = out[out.length - 1];
  if (last && grid.end - last.to < grid.step + 1e-9) last.ongoing = true;
  return out;
}
