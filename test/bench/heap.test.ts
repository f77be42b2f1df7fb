import { describe, expect, test } from 'vitest';
import { describeFrame, summarizeHeapProfile, type HeapProfileNode } from '../../bench/heap/profile.js';
import { computeBytesPerRequest, formatHeapReport, parseHeapOptions } from '../../bench/heap/report.js';

function node(functionName: string, url: string, selfSize: number, children: HeapProfileNode[] = [], lineNumber = 9): HeapProfileNode {
  return { callFrame: { functionName, url, lineNumber }, selfSize, children };
}

const OWN = (url: string): boolean => url.includes('/dist/src/');
// (root) → handler (ours) → helper (node internals) → alloc; plus a native allocation with no JS stack.
const PROFILE = {
  head: node('(root)', '', 0, [
    node('(V8 API)', '', 700),
    node('serveKey', 'file:///app/dist/src/server.js', 100, [
      node('format', 'node:internal/util', 50, [node('', 'node:internal/x', 25)]),
    ]),
    node('other', 'file:///app/dist/src/server.js', 100),
    node('serveKey', 'file:///app/dist/src/server.js', 30),
  ]),
  samples: [{}, {}, {}],
};

describe('summarizeHeapProfile', () => {
  const summary = summarizeHeapProfile(PROFILE, OWN);
  test('sums selfSize over the whole tree', () => expect(summary.totalBytes).toBe(1005));
  test('counts samples', () => expect(summary.sampleCount).toBe(3));
  test('merges the same frame, heaviest first, with the nearest own frame', () => {
    expect(summary.sites).toEqual([
      { frame: '(V8 API)', via: '', bytes: 700 },
      { frame: 'serveKey server.js:10', via: 'serveKey server.js:10', bytes: 130 },
      { frame: 'other server.js:10', via: 'other server.js:10', bytes: 100 },
      { frame: 'format util:10', via: 'serveKey server.js:10', bytes: 50 },
      { frame: '(anonymous) x:10', via: 'serveKey server.js:10', bytes: 25 },
    ]);
  });
  test('an empty profile', () => expect(summarizeHeapProfile({ head: node('(root)', '', 0) }, OWN)).toEqual({ totalBytes: 0, sampleCount: 0, sites: [] }));
});

test('describeFrame', () => {
  expect(describeFrame({ functionName: 'serveEntry', url: 'file:///a/dist/src/content.js', lineNumber: 16 })).toBe('serveEntry content.js:17');
  expect(describeFrame({ functionName: '(garbage collector)', url: '', lineNumber: -1 })).toBe('(garbage collector)');
});

describe('parseHeapOptions', () => {
  test('defaults', () => expect(parseHeapOptions([])).toMatchObject({ durationSec: 5, warmupSec: 1, connections: 16, intervalBytes: 1024, top: 6, out: null, cases: ['idle', '200', '200-br', '304', '404'] }));
  test('subset and numbers', () => expect(parseHeapOptions(['--cases', '304,404', '--duration', '2', '--interval', '512'])).toMatchObject({ cases: ['304', '404'], durationSec: 2, intervalBytes: 512 }));
  test.each([[['--cases', 'nope']], [['--duration', '0']], [['--interval', '8']]])('%j is refused', (argv) => expect(() => parseHeapOptions(argv)).toThrow());
});

describe('report', () => {
  const summary = summarizeHeapProfile(PROFILE, OWN);
  const results = [
    { name: 'idle', title: 'no requests', requests: 0, durationSec: 5, summary },
    { name: '200', title: 'GET', requests: 10, durationSec: 5, summary },
  ];
  test('bytes per request', () => {
    expect(computeBytesPerRequest(results[1]!)).toBeCloseTo(100.5);
    expect(computeBytesPerRequest(results[0]!)).toBeNaN();
  });
  test('table and sites: per request under load, per second when idle', () => {
    const text = formatHeapReport(results, 2);
    expect(text).toContain('| 200 | 10 | 2 | 0.981 KiB | 0.196 | 101 | 3 |');
    expect(text).toContain('     70.0 B/req  (V8 API)');
    expect(text).toContain('    140 B/s  (V8 API)');
    expect(text).not.toContain('other server.js');
  });
});
