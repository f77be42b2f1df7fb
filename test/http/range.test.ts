import { describe, expect, test } from 'vitest';
import {
  MAX_RANGES,
  formatContentRange,
  formatUnsatisfiedRange,
  parseRange,
  type RangeResult,
} from '../../src/http/range.js';

/** Renders a result as 'none' | 'unsatisfiable' | 'single a-b' | 'multi a-b,c-d'. */
function describeResult(r: RangeResult): string {
  switch (r.kind) {
    case 'none':
    case 'unsatisfiable':
      return r.kind;
    case 'single':
      return `single ${r.start}-${r.end}`;
    case 'multi':
      return `multi ${r.ranges.map((x) => `${x.start}-${x.end}`).join(',')}`;
  }
}

/** `bytes=0-0,1-1,…` with `n` one-byte ranges. */
function oneByteRanges(n: number): string {
  const specs: string[] = [];
  for (let i = 0; i < n; i++) specs.push(`${i}-${i}`);
  return `bytes=${specs.join(',')}`;
}

type Row = [header: string, size: number, want: string];

// Go's net/http range_test.go table, translated: Go's nil-for-error rows are
// 'none' (we ignore bad syntax instead of answering 416) except where Go
// reports errNoOverlap, which is 'unsatisfiable'; {start, length} becomes an
// inclusive 'start-end'.
const goRows: Row[] = [
  ['', 0, 'none'],
  ['', 1000, 'none'],
  ['foo', 0, 'none'],
  ['bytes=', 0, 'none'],
  ['bytes=7', 10, 'none'],
  ['bytes= 7 ', 10, 'none'],
  ['bytes=1-', 0, 'unsatisfiable'],
  ['bytes=5-4', 10, 'none'],
  ['bytes=0-2,5-4', 10, 'none'],
  ['bytes=2-5,4-3', 10, 'none'],
  ['bytes=--5,4--3', 10, 'none'],
  ['bytes=A-', 10, 'none'],
  ['bytes=A- ', 10, 'none'],
  ['bytes=A-Z', 10, 'none'],
  ['bytes= -Z', 10, 'none'],
  ['bytes=5-Z', 10, 'none'],
  ['bytes=Ran-dom, garbage', 10, 'none'],
  ['bytes=0x01-0x02', 10, 'none'],
  ['bytes=         ', 10, 'none'],
  ['bytes= , , ,   ', 10, 'none'],
  ['bytes=0-9', 10, 'single 0-9'],
  ['bytes=0-', 10, 'single 0-9'],
  ['bytes=5-', 10, 'single 5-9'],
  ['bytes=0-20', 10, 'single 0-9'],
  ['bytes=15-,0-5', 10, 'single 0-5'],
  ['bytes=1-2,5-', 10, 'multi 1-2,5-9'],
  ['bytes=-2 , 7-', 11, 'multi 9-10,7-10'],
  ['bytes=0-0 ,2-2, 7-', 11, 'multi 0-0,2-2,7-10'],
  ['bytes=-5', 10, 'single 5-9'],
  ['bytes=-15', 10, 'single 0-9'],
  ['bytes=0-499', 10000, 'single 0-499'],
  ['bytes=500-999', 10000, 'single 500-999'],
  ['bytes=-500', 10000, 'single 9500-9999'],
  ['bytes=9500-', 10000, 'single 9500-9999'],
  ['bytes=0-0,-1', 10000, 'multi 0-0,9999-9999'],
  ['bytes=500-600,601-999', 10000, 'multi 500-600,601-999'],
  ['bytes=500-700,601-999', 10000, 'multi 500-700,601-999'],
  ['bytes=   1 -2   ,  4- 5, 7 - 8 , ,,', 11, 'multi 1-2,4-5,7-8'], // Apache laxity
];

// sirv's bugs: a suffix returned a prefix, and `0-0` returned the whole file.
const sirvRows: Row[] = [
  ['bytes=-8', 100, 'single 92-99'],
  ['bytes=0-0', 100, 'single 0-0'],
  ['bytes=0-0', 2, 'single 0-0'],
];

const unitRows: Row[] = [
  ['BYTES=0-1', 10, 'single 0-1'],
  ['Bytes=0-1', 10, 'single 0-1'],
  ['bites=0-1', 10, 'none'],
  ['items=0-1', 10, 'none'],
  ['bytes =0-1', 10, 'none'],
  ['bytes:0-1', 10, 'none'],
  ['bytes', 10, 'none'],
  ['bytes0-1', 10, 'none'],
];

const malformedRows: Row[] = [
  ['bytes=-', 10, 'none'],
  ['bytes=--1', 10, 'none'],
  ['bytes=-1-', 10, 'none'],
  ['bytes=1--', 10, 'none'],
  ['bytes=1-2-3', 10, 'none'],
  ['bytes=a-b', 10, 'none'],
  ['bytes=+1-2', 10, 'none'],
  ['bytes=1-+2', 10, 'none'],
  ['bytes=-+2', 10, 'none'],
  ['bytes=1.5-2', 10, 'none'],
  ['bytes=1-2;x', 10, 'none'],
  ['bytes=1 2-3', 10, 'none'],
  ['bytes=0-1 2', 10, 'none'],
  ['bytes=0-1,x', 10, 'none'], // one bad element spoils the set
  ['bytes=0-1,2', 10, 'none'],
  ['bytes=0-1\r', 10, 'none'], // CR is not OWS
  ['bytes=0-1\n', 10, 'none'],
  ['bytes=\u0661-2', 10, 'none'], // non-ASCII digit
  ['bytes=20-30,5-4', 10, 'none'], // invalid beats unsatisfiable
  ['bytes=10-5', 10, 'none'],
];

const listRows: Row[] = [
  ['bytes= 1-2', 10, 'single 1-2'],
  ['bytes=\t1-2\t', 10, 'single 1-2'],
  ['bytes=1-2 ,\t3-4', 10, 'multi 1-2,3-4'],
  ['bytes=1\t-\t2', 10, 'single 1-2'],
  ['bytes=- 5', 10, 'single 5-9'],
  ['bytes=,0-1', 10, 'single 0-1'],
  ['bytes=0-1,', 10, 'single 0-1'],
  ['bytes=0-1,,,5-6', 10, 'multi 0-1,5-6'],
  ['bytes=007-009', 10, 'single 7-9'],
  ['bytes=-0005', 10, 'single 5-9'],
];

const boundaryRows: Row[] = [
  ['bytes=-0', 10, 'unsatisfiable'],
  ['bytes=-0,-0', 10, 'unsatisfiable'],
  ['bytes=-0,0-1', 10, 'single 0-1'],
  ['bytes=-1', 10, 'single 9-9'],
  ['bytes=-9', 10, 'single 1-9'],
  ['bytes=-10', 10, 'single 0-9'],
  ['bytes=-11', 10, 'single 0-9'],
  ['bytes=9-', 10, 'single 9-9'],
  ['bytes=9-9', 10, 'single 9-9'],
  ['bytes=10-', 10, 'unsatisfiable'],
  ['bytes=10-10', 10, 'unsatisfiable'],
  ['bytes=0-10', 10, 'single 0-9'],
  ['bytes=20-30,40-', 10, 'unsatisfiable'],
  ['bytes=20-30,8-', 10, 'single 8-9'],
];

const hugeRows: Row[] = [
  ['bytes=0-99999999999999999999', 10, 'single 0-9'],
  ['bytes=-99999999999999999999', 10, 'single 0-9'],
  ['bytes=99999999999999999999-', 10, 'unsatisfiable'],
  ['bytes=9007199254740991-', 10, 'unsatisfiable'], // 2^53 - 1
  ['bytes=0-9007199254740992', 10, 'single 0-9'], // 2^53
  ['bytes=99999999999999999999-1', 10, 'none'], // last < first
  // 2^54 + 1 rounds to 2^54: "last < first" is lost past 2^53, leaving an
  // unsatisfiable spec instead of an invalid one; both are allowed answers
  ['bytes=18014398509481985-18014398509481984', 10, 'unsatisfiable'],
  [`bytes=5-${'9'.repeat(400)}`, 10, 'single 5-9'], // past Number.MAX_VALUE
  [`bytes=-${'9'.repeat(400)}`, 10, 'single 0-9'],
  ['bytes=9007199254740990-', 9007199254740991, 'single 9007199254740990-9007199254740990'],
  ['bytes=-1', 9007199254740991, 'single 9007199254740990-9007199254740990'],
];

// §14.1.2: on an empty representation only a non-zero suffix is satisfiable,
// and it has nothing to cut, so it is served as a 200 of the empty body.
const sizeZeroRows: Row[] = [
  ['bytes=0-', 0, 'unsatisfiable'],
  ['bytes=0-0', 0, 'unsatisfiable'],
  ['bytes=-0', 0, 'unsatisfiable'],
  ['bytes=-1', 0, 'none'],
  ['bytes=0-0,-1', 0, 'none'],
  ['bytes=-1,x', 0, 'none'],
  ['bytes=x', 0, 'none'],
];

const sizeOneRows: Row[] = [
  ['bytes=0-0', 1, 'single 0-0'],
  ['bytes=0-', 1, 'single 0-0'],
  ['bytes=0-5', 1, 'single 0-0'],
  ['bytes=-1', 1, 'single 0-0'],
  ['bytes=-2', 1, 'single 0-0'],
  ['bytes=1-', 1, 'unsatisfiable'],
  ['bytes=0-0,0-0', 1, 'none'], // sum 2 > size 1
];

const amplificationRows: Row[] = [
  ['bytes=0-5,3-9', 10, 'none'], // overlap: 6 + 7 > 10
  ['bytes=0-9,0-9', 10, 'none'],
  ['bytes=-10,0-', 10, 'none'],
  ['bytes=0-4,5-9', 10, 'multi 0-4,5-9'], // sum == size is fine
  ['bytes=5-9,0-4', 10, 'multi 5-9,0-4'], // request order kept
  ['bytes=0-4,4-8', 10, 'multi 0-4,4-8'], // overlap within the sum: not coalesced
  ['bytes=0-0,0-0', 10, 'multi 0-0,0-0'],
  [oneByteRanges(MAX_RANGES), 100, `multi ${Array.from({ length: MAX_RANGES }, (_, i) => `${i}-${i}`).join(',')}`],
  [oneByteRanges(MAX_RANGES + 1), 100, 'none'],
  [oneByteRanges(100), 1000, 'none'],
  [`${oneByteRanges(MAX_RANGES)},200-`, 100, `multi ${Array.from({ length: MAX_RANGES }, (_, i) => `${i}-${i}`).join(',')}`],
  [`bytes=${'-0,'.repeat(100)}0-0`, 10, 'single 0-0'], // dropped specs do not count
  [`bytes=${'0-0,'.repeat(MAX_RANGES)}0-0`, 1000, 'none'], // count bound, sum is small
];

describe('parseRange', () => {
  const tables: [string, Row[]][] = [
    ['Go table', goRows],
    ['sirv regressions', sirvRows],
    ['unit', unitRows],
    ['malformed', malformedRows],
    ['lists and whitespace', listRows],
    ['boundaries', boundaryRows],
    ['huge numbers', hugeRows],
    ['size 0', sizeZeroRows],
    ['size 1', sizeOneRows],
    ['amplification bound', amplificationRows],
  ];
  for (const [name, rows] of tables) {
    describe(name, () => {
      test.each(rows)('%j of %d → %s', (header, size, want) => {
        expect(describeResult(parseRange(header, size))).toBe(want);
      });
    });
  }

  test('single and multi results are fresh objects per call', () => {
    const a = parseRange('bytes=0-0', 10);
    const b = parseRange('bytes=0-0', 10);
    expect(a).not.toBe(b);
    const m1 = parseRange('bytes=0-0,2-2', 10);
    const m2 = parseRange('bytes=0-0,2-2', 10);
    expect(m1.kind === 'multi' && m2.kind === 'multi' && m1.ranges !== m2.ranges).toBe(true);
  });

  test('shared none/unsatisfiable results are frozen', () => {
    expect(Object.isFrozen(parseRange('', 10))).toBe(true);
    expect(Object.isFrozen(parseRange('bytes=10-', 10))).toBe(true);
  });
});

describe('formatContentRange', () => {
  test.each([
    [0, 0, 10, 'bytes 0-0/10'],
    [92, 99, 100, 'bytes 92-99/100'],
    [0, 9007199254740990, 9007199254740991, 'bytes 0-9007199254740990/9007199254740991'],
  ])('%d-%d/%d', (start, end, size, want) => {
    expect(formatContentRange(start, end, size)).toBe(want);
  });
});

describe('formatUnsatisfiedRange', () => {
  test.each([
    [0, 'bytes */0'],
    [10, 'bytes */10'],
  ])('%d', (size, want) => {
    expect(formatUnsatisfiedRange(size)).toBe(want);
  });
});
