import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressBody, compressBodySync, compressVariantSync } from '../../src/cache/compress.js';
import { isSiblingFresh, isWorthKeeping, MAX_COMPRESSED_RATIO } from '../../src/cache/policy.js';
import { makeBytes } from '../helpers/fixtures.js';

describe('isWorthKeeping: a variant must save at least 10%', () => {
  it.each([
    [900, 1000, true],
    [899, 1000, true],
    [901, 1000, false],
    [1000, 1000, false],
    [1100, 1000, false],
    [0, 1000, true],
    [9, 10, true],
    [10, 10, false],
  ])('%i bytes of %i → %s', (variant, original, expected) => {
    expect(isWorthKeeping(variant, original)).toBe(expected);
  });
  it('is the ratio the README states', () => expect(MAX_COMPRESSED_RATIO).toBe(0.9));
});

describe('isSiblingFresh: not older than its file', () => {
  it.each([
    [2000, 1000, true],
    [1000, 1000, true],
    [1000.5, 1000.25, true],
    [999.999, 1000, false],
    [0, 1000, false],
  ])('sibling mtime %d, file mtime %d → %s', (sibling, file, expected) => {
    expect(isSiblingFresh(sibling, file)).toBe(expected);
  });
});

describe('compressBody', () => {
  const text = Buffer.from(
    Array.from({ length: 400 }, (_, i) => `.c${i} { margin: ${i % 7}px; color: #${((i * 2654435761) >>> 8).toString(16).padStart(6, '0').slice(0, 6)}; }\n`).join(''),
  );
  it('fast and best variants decode to the body; best is no bigger', async () => {
    const fast = await compressBody(text, 'fast');
    const best = await compressBody(text, 'best');
    for (const v of [fast, best]) {
      expect(brotliDecompressSync(v.br!).equals(text)).toBe(true);
      expect(gunzipSync(v.gzip!).equals(text)).toBe(true);
    }
    expect(best.br!.length).toBeLessThanOrEqual(fast.br!.length);
    expect(best.br!.equals(fast.br!)).toBe(false); // different bytes, so a different ETag
  });

  it('the sync functions make the same bytes as the thread pool', async () => {
    expect(compressBodySync(text, 'fast')).toEqual(await compressBody(text, 'fast'));
    expect(compressVariantSync(text, 'br', 'best')).toEqual((await compressBody(text, 'best')).br);
  });

  it('drops variants that save less than 10%', async () => {
    const random = makeBytes(4096, 5);
    expect(await compressBody(random, 'fast')).toEqual({ br: null, gzip: null });
    expect(compressVariantSync(random, 'gzip', 'best')).toBeNull();
  });
});
