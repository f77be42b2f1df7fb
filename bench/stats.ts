/** Pure statistics over a handful of rounds. */

/** Summary of a sample: median and the full spread. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

/**
 * Median of the finite values; the mean of the two middle values for an even count.
 * Returns NaN for an empty sample.
 */
export function computeMedian(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median, min and max of the finite values (NaN fields when there are none). */
export function summarizeSpread(values: readonly number[]): Spread {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  return {
    median: computeMedian(finite),
    min: Math.min(...finite),
    max: Math.max(...finite),
    n: finite.length,
  };
}

/** a / b, or NaN when b is zero or either side is not finite. */
export function divideSafely(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return Number.NaN;
  return a / b;
}
