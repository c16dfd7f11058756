/** Small statistics for the benchmark: percentiles over samples, min/median/max over repeats. */

/** min / median / max of repeated runs of one figure (the issue asks for all three). */
export interface Spread {
  min: number;
  median: number;
  max: number;
  n: number;
}

/**
 * The value below which `p` (0–100) percent of the samples fall (nearest-rank).
 * @example percentile([1, 2, 3, 4], 50) // 2
 */
export function percentile(samples: readonly number[], p: number): number {
  if (!samples.length) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/**
 * @example spread([3, 1, 2]) // { min: 1, median: 2, max: 3, n: 3 }
 */
export function spread(values: readonly number[]): Spread {
  if (!values.length) return { min: Number.NaN, median: Number.NaN, max: Number.NaN, n: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: sorted[0]!, median, max: sorted[sorted.length - 1]!, n: sorted.length };
}

/** Milliseconds since `start` (a process.hrtime.bigint() reading). */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}
