import { describe, expect, it } from 'vitest';
import { copyToArrayBuffer, decodeLatin1, encodeLatin1 } from '../../src/cache/bytes.js';

describe('copyToArrayBuffer', () => {
  it('copies exactly the bytes of a view, not its whole (pooled) buffer', () => {
    const pooled = Buffer.from('xxhelloxx').subarray(2, 7);
    const copy = copyToArrayBuffer(pooled);
    expect(copy).toBeInstanceOf(ArrayBuffer);
    expect(copy.byteLength).toBe(5);
    expect(Buffer.from(copy).toString()).toBe('hello');
  });
  it('is a copy: later writes to the source do not show', () => {
    const source = Buffer.from('abc');
    const copy = copyToArrayBuffer(source);
    source[0] = 0x7a;
    expect(decodeLatin1(copy)).toBe('abc');
  });
  it('handles empty input', () => {
    expect(copyToArrayBuffer(Buffer.alloc(0)).byteLength).toBe(0);
  });
});

describe('encodeLatin1 / decodeLatin1', () => {
  it('one byte per character, round trip', () => {
    const bytes = encodeLatin1('200 OK\r\nX: \u00e9');
    expect(bytes.byteLength).toBe(12);
    expect(new Uint8Array(bytes)[11]).toBe(0xe9);
    expect(decodeLatin1(bytes)).toBe('200 OK\r\nX: \u00e9');
  });
  it('decodes from an offset', () => {
    expect(decodeLatin1(encodeLatin1('abcdef'), 2)).toBe('cdef');
  });
});
