import { describe, expect, test } from 'vitest';
import { buildSvg, computeTicks, escapeXml } from '../../bench/report/svg.js';
import { makeRecord } from './records.js';

describe('computeTicks', () => {
  test.each([
    [100, [0, 25, 50, 75, 100]],
    [38.9, [0, 10, 20, 30, 40]],
    [7, [0, 2, 4, 6, 8]],
    [0.42, [0, 0.2, 0.4, 0.6]],
    [0, [0, 1]],
    [Number.NaN, [0, 1]],
  ])('max %d', (max, want) => expect(computeTicks(max)).toEqual(want));

  test('always reaches the maximum', () => {
    for (const max of [1, 3, 9.99, 123, 4567, 98765]) expect(computeTicks(max).at(-1)!).toBeGreaterThanOrEqual(max);
  });
});

test('escapeXml', () => expect(escapeXml('a<b & "c">')).toBe('a&lt;b &amp; &quot;c&quot;&gt;'));

describe('buildSvg', () => {
  const svg = buildSvg(makeRecord({ fastsrv: [10, 11, 12], nginx: [20, 21, 22] }));
  test('an SVG document with both panels, legend and axis titles', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('Server CPU time per request, µs (lower is better)');
    expect(svg).toContain('Requests per second (higher is better)');
    expect(svg).toContain('>fastsrv</text>');
    expect(svg).toContain('>nginx</text>');
  });
  test('no NaN coordinates', () => expect(svg).not.toContain('NaN'));
});
