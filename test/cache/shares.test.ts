import { describe, expect, it } from 'vitest';
import { planShares } from '../../src/cache/shares.js';

describe('planShares', () => {
  it('one worker: everything in order, all its own', () => {
    expect(planShares([5, 5, 5], 0, 1)).toEqual({ order: [0, 1, 2], ownCount: 3 });
  });

  it('two workers: own share forward, then the other share from its far end', () => {
    const sizes = [1, 1, 1, 1, 1, 1];
    expect(planShares(sizes, 0, 2)).toEqual({ order: [0, 1, 2, 5, 4, 3], ownCount: 3 });
    expect(planShares(sizes, 1, 2)).toEqual({ order: [3, 4, 5, 2, 1, 0], ownCount: 3 });
  });

  it('shares hold about equal bytes, not equal counts (the list is smallest first)', () => {
    const sizes = [1, 1, 1, 1, 1, 1, 6];
    expect(planShares(sizes, 0, 2)).toEqual({ order: [0, 1, 2, 3, 4, 5, 6], ownCount: 6 });
    expect(planShares(sizes, 1, 2)).toEqual({ order: [6, 5, 4, 3, 2, 1, 0], ownCount: 1 });
  });

  it('three workers: every item visited once by each, each share owned once', () => {
    const sizes = Array.from({ length: 10 }, (_, i) => i + 1);
    const plans = [0, 1, 2].map((i) => planShares(sizes, i, 3));
    for (const plan of plans) expect([...plan.order].sort((a, b) => a - b)).toEqual(sizes.map((_, i) => i));
    const owned = plans.flatMap((p) => p.order.slice(0, p.ownCount)).sort((a, b) => a - b);
    expect(owned).toEqual(sizes.map((_, i) => i));
    // Worker 0 helps worker 1 from the back of worker 1's share.
    const first1 = plans[1].order[0];
    const last1 = plans[1].order[plans[1].ownCount - 1];
    expect(plans[0].order[plans[0].ownCount]).toBe(last1);
    expect(plans[0].order.indexOf(first1)).toBeGreaterThan(plans[0].ownCount);
  });

  it('more workers than items, zero sizes, nothing to do', () => {
    expect(planShares([3, 3], 0, 4)).toEqual({ order: [0, 1], ownCount: 1 });
    expect(planShares([3, 3], 1, 4)).toEqual({ order: [1, 0], ownCount: 1 });
    expect(planShares([3, 3], 3, 4).ownCount).toBe(0);
    expect(planShares([0, 0, 0], 1, 2).order.sort()).toEqual([0, 1, 2]);
    expect(planShares([], 0, 2)).toEqual({ order: [], ownCount: 0 });
  });
});
