/**
 * How workers split a compression pass without talking to each other: the
 * list is cut into one share per worker of about equal bytes; each worker
 * does its own share from the front, then the next worker's share from the
 * back, then the rest (from the back too). An owner and its helper meet
 * somewhere in the share whatever their speeds, so nothing is done twice
 * but around that point: the helper loads what the owner already stored.
 */

/** The order in which worker `index` of `workers` visits the items of `sizes`, and how many of those are its own. */
export function planShares(sizes: readonly number[], index: number, workers: number): { order: number[]; ownCount: number } {
  const n = Math.max(1, Math.min(workers, sizes.length));
  if (sizes.length === 0 || index >= n) return { order: sizes.map((_, i) => i), ownCount: 0 };
  const bounds = cutByBytes(sizes, n);
  const order: number[] = [];
  for (let i = bounds[index]; i < bounds[index + 1]; i++) order.push(i);
  const ownCount = order.length;
  for (let d = 1; d < n; d++) {
    const share = (index + d) % n;
    for (let i = bounds[share + 1] - 1; i >= bounds[share]; i--) order.push(i);
  }
  return { order, ownCount };
}

/** Start offsets of `n` consecutive shares of about equal bytes, plus the end. */
function cutByBytes(sizes: readonly number[], n: number): number[] {
  let total = 0;
  for (const size of sizes) total += size;
  const bounds = [0];
  let sum = 0;
  for (let i = 0; i < sizes.length && bounds.length < n; i++) {
    sum += sizes[i];
    // Cut after i once this share holds its part; every share keeps at least one item.
    const left = sizes.length - (i + 1);
    if (sum >= (total * bounds.length) / n || left === n - bounds.length) bounds.push(i + 1);
  }
  bounds.push(sizes.length);
  return bounds;
}
