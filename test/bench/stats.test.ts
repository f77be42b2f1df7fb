import { describe, expect, test } from 'vitest';
import { computeMedian, divideSafely, summarizeSpread } from '../../bench/stats.js';

describe('computeMedian', () => {
  test.each([
    [[5], 5],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[1e15, 3e15, 2e15], 2e15],
    [[1, Number.NaN, 3], 2],
    [[2, 2, 2, 9], 2],
  ])('%j → %d', (values, want) => expect(computeMedian(values)).toBe(want));

  test('empty sample is NaN', () => expect(computeMedian([])).toBeNaN());
  test('does not reorder its input', () => {
    const values = [3, 1, 2];
    computeMedian(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('summarizeSpread', () => {
  test('median, min, max and count', () => {
    expect(summarizeSpread([10, 30, 20])).toEqual({ median: 20, min: 10, max: 30, n: 3 });
  });
  test('ignores non-finite values', () => {
    expect(summarizeSpread([Number.POSITIVE_INFINITY, 4, Number.NaN])).toEqual({ median: 4, min: 4, max: 4, n: 1 });
  });
  test('empty gives NaN fields and n = 0', () => {
    const s = summarizeSpread([]);
    expect(s.n).toBe(0);
    expect(s.median).toBeNaN();
  });
});

describe('divideSafely', () => {
  test.each([
    [6, 3, 2],
    [1, 0, Number.NaN],
    [Number.NaN, 2, Number.NaN],
  ])('%d / %d', (a, b, want) => expect(divideSafely(a, b)).toEqual(want));
});
