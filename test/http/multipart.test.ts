import { describe, expect, test } from 'vitest';
import {
  buildMultipartParts,
  computeMultipartLength,
  formatMultipartContentType,
  type MultipartParts,
} from '../../src/http/multipart.js';
import { parseRange, type ByteRange } from '../../src/http/range.js';

const BOUNDARY = '00000000000000a1';
const DIGITS = Buffer.from('0123456789');

/** Writes the body the way the server will: heads and slices, in order. */
function assemble(parts: MultipartParts, ranges: readonly ByteRange[], body: Buffer): Buffer {
  const pieces: Buffer[] = [];
  ranges.forEach((r, i) => {
    pieces.push(Buffer.from(parts.heads[i]!), body.subarray(r.start, r.end + 1));
  });
  pieces.push(Buffer.from(parts.tail));
  return Buffer.concat(pieces);
}

/** Independent reader of the framing: returns each part's headers and data. */
function splitParts(body: Buffer, boundary: string): { headers: string; data: string }[] {
  const text = body.toString('latin1');
  const pieces = text.split(`\r\n--${boundary}`);
  expect(pieces[0]).toBe(''); // empty preamble
  expect(pieces[pieces.length - 1]).toBe('--\r\n'); // close delimiter, nothing after
  return pieces.slice(1, -1).map((p) => {
    expect(p.startsWith('\r\n')).toBe(true);
    const blank = p.indexOf('\r\n\r\n');
    return { headers: p.slice(2, blank), data: p.slice(blank + 4) };
  });
}

describe('buildMultipartParts', () => {
  test('matches the nginx layout byte for byte', () => {
    const ranges = [{ start: 0, end: 0 }, { start: 9, end: 9 }];
    const parts = buildMultipartParts(ranges, 10, 'text/plain', BOUNDARY);
    expect(assemble(parts, ranges, DIGITS).toString()).toBe(
      '\r\n--00000000000000a1\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-0/10\r\n\r\n0' +
        '\r\n--00000000000000a1\r\nContent-Type: text/plain\r\nContent-Range: bytes 9-9/10\r\n\r\n9' +
        '\r\n--00000000000000a1--\r\n',
    );
  });

  test('omits the Content-Type line when the type is empty', () => {
    const parts = buildMultipartParts([{ start: 1, end: 2 }, { start: 4, end: 4 }], 10, '', 'b');
    expect(parts.heads).toEqual([
      '\r\n--b\r\nContent-Range: bytes 1-2/10\r\n\r\n',
      '\r\n--b\r\nContent-Range: bytes 4-4/10\r\n\r\n',
    ]);
    expect(parts.tail).toBe('\r\n--b--\r\n');
  });

  test('keeps a Content-Type with parameters verbatim', () => {
    const parts = buildMultipartParts([{ start: 0, end: 1 }, { start: 3, end: 3 }], 4, 'text/html; charset=utf-8', 'x');
    expect(parts.heads[0]).toBe('\r\n--x\r\nContent-Type: text/html; charset=utf-8\r\nContent-Range: bytes 0-1/4\r\n\r\n');
  });

  test('one head per range, in the order given', () => {
    const ranges = [{ start: 5, end: 9 }, { start: 0, end: 4 }, { start: 2, end: 2 }];
    const parts = buildMultipartParts(ranges, 10, 'a/b', BOUNDARY);
    expect(parts.heads.map((h) => /bytes (\d+-\d+)/.exec(h)![1])).toEqual(['5-9', '0-4', '2-2']);
  });

  test('round-trips parseRange output through an independent reader', () => {
    const body = Buffer.from('The quick brown fox jumps over the lazy dog');
    const r = parseRange('bytes=0-2, -3, 10-14', body.length);
    if (r.kind !== 'multi') throw new Error(`expected multi, got ${r.kind}`);
    const parts = buildMultipartParts(r.ranges, body.length, 'text/plain', BOUNDARY);
    const wire = assemble(parts, r.ranges, body);
    expect(wire.length).toBe(parts.length);
    expect(splitParts(wire, BOUNDARY)).toEqual([
      { headers: 'Content-Type: text/plain\r\nContent-Range: bytes 0-2/43', data: 'The' },
      { headers: 'Content-Type: text/plain\r\nContent-Range: bytes 40-42/43', data: 'dog' },
      { headers: 'Content-Type: text/plain\r\nContent-Range: bytes 10-14/43', data: 'brown' },
    ]);
  });
});

type LengthRow = [name: string, ranges: ByteRange[], size: number, contentType: string, boundary: string];

const lengthRows: LengthRow[] = [
  ['two one-byte parts', [{ start: 0, end: 0 }, { start: 9, end: 9 }], 10, 'text/plain', BOUNDARY],
  ['no content type', [{ start: 0, end: 0 }, { start: 9, end: 9 }], 10, '', BOUNDARY],
  ['digit-count edges', [{ start: 9, end: 10 }, { start: 99, end: 100 }, { start: 999, end: 1000 }], 1001, 'a/b', 'q'],
  ['single-digit size', [{ start: 0, end: 3 }, { start: 5, end: 8 }], 9, 'a/b', 'q'],
  ['huge offsets', [{ start: 0, end: 0 }, { start: 9007199254740990, end: 9007199254740990 }], 9007199254740991, 'video/mp4', BOUNDARY],
  ['non-ASCII type counts UTF-8 bytes', [{ start: 0, end: 1 }, { start: 2, end: 3 }], 4, 'text/plain; x="é€😀"', BOUNDARY],
  // bchars are ASCII; should a caller break that, Content-Length must still not lie
  ['non-ASCII boundary counts UTF-8 bytes', [{ start: 0, end: 1 }, { start: 2, end: 3 }], 4, 'text/plain', 'bé€'],
  ['70-char boundary', [{ start: 0, end: 4 }, { start: 5, end: 9 }], 10, 'text/plain', 'b'.repeat(70)],
  ['sixteen parts', Array.from({ length: 16 }, (_, i) => ({ start: i, end: i })), 16, 'application/pdf', BOUNDARY],
];

describe('MultipartParts.length and computeMultipartLength', () => {
  test.each(lengthRows)('%s', (_name, ranges, size, contentType, boundary) => {
    const parts = buildMultipartParts(ranges, size, contentType, boundary);
    const framing = parts.heads.reduce((n, h) => n + Buffer.byteLength(h), Buffer.byteLength(parts.tail));
    const data = ranges.reduce((n, r) => n + r.end - r.start + 1, 0);
    expect(parts.length).toBe(framing + data);
    expect(computeMultipartLength(ranges, size, contentType, boundary)).toBe(parts.length);
  });

  test('assembled body length equals the computed length', () => {
    const ranges = [{ start: 1, end: 3 }, { start: 7, end: 9 }, { start: 0, end: 0 }];
    const parts = buildMultipartParts(ranges, 10, 'text/plain; charset=utf-8', BOUNDARY);
    expect(assemble(parts, ranges, DIGITS).length).toBe(parts.length);
    expect(computeMultipartLength(ranges, 10, 'text/plain; charset=utf-8', BOUNDARY)).toBe(parts.length);
  });
});

describe('formatMultipartContentType', () => {
  test.each([
    [BOUNDARY, 'multipart/byteranges; boundary=00000000000000a1'],
    ['x', 'multipart/byteranges; boundary=x'],
  ])('%s', (boundary, want) => {
    expect(formatMultipartContentType(boundary)).toBe(want);
  });
});
