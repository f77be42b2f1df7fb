import { describe, expect, it } from 'vitest';
import { GROW_AFTER_BYTES, LARGE_CHUNK, returnChunk, shouldGrowChunk, SMALL_CHUNK, takeChunk } from '../../src/serve/chunks.js';
import { chooseSliceBytes, MIN_SLICE_BYTES, pickSlice, TURN_BYTES } from '../../src/serve/slices.js';

describe('stream chunks', () => {
  it('grow only for a client that has taken GROW_AFTER_BYTES, with more than a small chunk left', () => {
    const small = Buffer.alloc(SMALL_CHUNK);
    expect(shouldGrowChunk(small, 0, 1e9)).toBe(false);
    expect(shouldGrowChunk(small, GROW_AFTER_BYTES - 1, 1e9)).toBe(false);
    expect(shouldGrowChunk(small, GROW_AFTER_BYTES, 1e9)).toBe(true);
    expect(shouldGrowChunk(small, GROW_AFTER_BYTES, SMALL_CHUNK)).toBe(false);
    expect(shouldGrowChunk(Buffer.alloc(LARGE_CHUNK), GROW_AFTER_BYTES, 1e9)).toBe(false);
  });

  it('are pooled by size', () => {
    const large = takeChunk(LARGE_CHUNK);
    const small = takeChunk(SMALL_CHUNK);
    expect([large.length, small.length]).toEqual([LARGE_CHUNK, SMALL_CHUNK]);
    returnChunk(large);
    returnChunk(small);
    expect(takeChunk(LARGE_CHUNK)).toBe(large);
    expect(takeChunk(SMALL_CHUNK)).toBe(small);
  });
});

describe('pickSlice', () => {
  const body = Buffer.from('0123456789');
  it('at most `limit` bytes from the offset, never past the end', () => {
    expect(pickSlice(body, 0, 4).toString()).toBe('0123');
    expect(pickSlice(body, 8, 4).toString()).toBe('89');
    expect(pickSlice(body, 10, 4).length).toBe(0);
  });
  it('is a view, not a copy', () => {
    expect(pickSlice(body, 2, 3).buffer).toBe(body.buffer);
  });
});

describe('chooseSliceBytes', () => {
  it('shares the turn among the bodies in flight, never below the minimum', () => {
    expect(chooseSliceBytes(0)).toBe(TURN_BYTES);
    expect(chooseSliceBytes(1)).toBe(TURN_BYTES);
    expect(chooseSliceBytes(4)).toBe(TURN_BYTES / 4);
    expect(chooseSliceBytes(64)).toBe(MIN_SLICE_BYTES);
    expect(chooseSliceBytes(1000)).toBe(MIN_SLICE_BYTES);
  });
});
