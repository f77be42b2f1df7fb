import { describe, expect, test } from 'vitest';
import { compareRecords, extractRatios, formatComparison } from '../../bench/compare.js';
import { makeRecord } from './records.js';

describe('compareRecords', () => {
  const baseline = makeRecord({ fastsrv: [10, 10, 10], nginx: [20, 20, 20] }, { fastsrv: [40e3, 40e3, 40e3], nginx: [20e3, 20e3, 20e3] });

  test('extractRatios: fastsrv ÷ nginx medians', () => expect(extractRatios(baseline).get('1k')).toEqual({ cpu: 0.5, rps: 2, isBulk: false }));

  test('within tolerance → not flagged', () => {
    const now = makeRecord({ fastsrv: [10.5, 10.5, 10.5], nginx: [20, 20, 20] }, { fastsrv: [39e3, 39e3, 39e3], nginx: [20e3, 20e3, 20e3] });
    expect(compareRecords(now, baseline, 0.1).map((r) => r.isFlagged)).toEqual([false, false]);
  });

  test('CPU ratio 20 % worse → flagged, and reported as worse', () => {
    const now = makeRecord({ fastsrv: [12, 12, 12], nginx: [20, 20, 20] }, { fastsrv: [40e3, 40e3, 40e3], nginx: [20e3, 20e3, 20e3] });
    const rows = compareRecords(now, baseline, 0.1);
    expect(rows[0]).toMatchObject({ metric: 'CPU/req', isFlagged: true });
    expect(rows[0]!.change).toBeCloseTo(0.2);
    expect(formatComparison(rows, 0.1, 'base.json')).toContain('**CHANGED** (worse)');
  });

  test('no fastsrv in one run → no rows', () => {
    const now = makeRecord({ nginx: [20, 20, 20] });
    expect(compareRecords(now, baseline, 0.1)).toEqual([]);
    expect(formatComparison([], 0.1, 'base.json')).toMatch(/No scenario/);
  });
});
