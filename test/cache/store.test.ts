import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry, getStoreKey, openVariantStore, selectEvictions, type StoredFile } from '../../src/cache/store.js';
import { waitFor } from '../helpers/proc.js';

const base = mkdtempSync(join(tmpdir(), 'fastsrv-store-test-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const KEY_A = 'a'.repeat(64);
const KEY_B = 'b'.repeat(64);
const KEY_C = 'c'.repeat(64);
const NOW = 1_700_000_000_000;
const MINUTE = 60_000;

describe('selectEvictions', () => {
  const file = (name: string, size: number, ageMinutes: number): StoredFile => ({ name, size, mtimeMs: NOW - ageMinutes * MINUTE });

  it('evicts the least recently used entries until the rest fit', () => {
    const files = [file(`${KEY_A}.best`, 100, 5), file(`${KEY_B}.fast`, 100, 30), file(`${KEY_C}.best`, 100, 10)];
    expect(selectEvictions(files, 300, NOW)).toEqual([]);
    expect(selectEvictions(files, 299, NOW)).toEqual([`${KEY_B}.fast`]);
    expect(selectEvictions(files, 150, NOW)).toEqual([`${KEY_B}.fast`, `${KEY_C}.best`]);
    expect(selectEvictions(files, 0, NOW)).toEqual([`${KEY_B}.fast`, `${KEY_C}.best`, `${KEY_A}.best`]);
  });

  it('ties by name, so concurrent pruners agree', () => {
    const files = [file(`${KEY_C}.best`, 10, 1), file(`${KEY_A}.best`, 10, 1), file(`${KEY_B}.best`, 10, 1)];
    expect(selectEvictions(files, 15, NOW)).toEqual([`${KEY_A}.best`, `${KEY_B}.best`]);
  });

  it('removes temporary files of dead writers (older than 10 minutes), keeps fresh ones', () => {
    const files = [file(`${KEY_A}.best.123.ff.tmp`, 50, 11), file(`${KEY_B}.fast.124.0.tmp`, 50, 1)];
    expect(selectEvictions(files, 1 << 30, NOW)).toEqual([`${KEY_A}.best.123.ff.tmp`]);
  });

  it('counts entries of fastsrv 0.2 (.br/.gz), ignores names that are not ours', () => {
    const files = [file(`${KEY_A}.br`, 100, 60), file('notes.txt', 1000, 120), file(`${KEY_B}.best`, 100, 1)];
    expect(selectEvictions(files, 100, NOW)).toEqual([`${KEY_A}.br`]);
  });
});

describe('entry encoding', () => {
  const variants = { br: Buffer.from('brotli bytes'), gzip: Buffer.from('gzip bytes!') };

  it('round-trips both variants, or one, or none', () => {
    expect(decodeEntry(encodeEntry(variants))).toEqual(variants);
    expect(decodeEntry(encodeEntry({ br: null, gzip: variants.gzip }))).toEqual({ br: null, gzip: variants.gzip });
    expect(decodeEntry(encodeEntry({ br: null, gzip: null }))).toEqual({ br: null, gzip: null });
  });

  it('refuses a truncated, extended, corrupted or foreign entry', () => {
    const data = encodeEntry(variants);
    expect(decodeEntry(data.subarray(0, data.length - 1))).toBeNull();
    expect(decodeEntry(data.subarray(0, 20))).toBeNull();
    expect(decodeEntry(Buffer.concat([data, Buffer.from('x')]))).toBeNull();
    const flipped = Buffer.from(data);
    flipped[flipped.length - 3] ^= 1;
    expect(decodeEntry(flipped)).toBeNull();
    expect(decodeEntry(Buffer.from(variants.br))).toBeNull(); // a 0.2 entry
    expect(decodeEntry(Buffer.alloc(0))).toBeNull();
  });
});

describe('openVariantStore', () => {
  const body = Buffer.from('the original file');
  const key = getStoreKey(body);
  const variants = { br: Buffer.from('br'), gzip: null };

  it('saves atomically (no temporary file left) and loads what it saved', async () => {
    const dir = join(base, 'roundtrip');
    const store = openVariantStore(dir, 1 << 20);
    expect(await store.load(key, 'fast')).toBeNull();
    await store.save(key, 'fast', variants);
    expect(readdirSync(dir)).toEqual([`${key}.fast`]);
    expect(await store.load(key, 'fast')).toEqual(variants);
    expect(await store.load(key, 'best')).toBeNull();
    expect(await store.list()).toEqual(new Set([`${key}.fast`]));
  });

  it('a damaged entry reads as absent', async () => {
    const dir = join(base, 'damaged');
    const store = openVariantStore(dir, 1 << 20);
    await store.save(key, 'best', variants);
    const path = join(dir, `${key}.best`);
    writeFileSync(path, readFileSync(path).subarray(0, 33));
    expect(await store.load(key, 'best')).toBeNull();
  });

  it('prune evicts the least recently used; loading an entry makes it recent', async () => {
    const dir = join(base, 'prune');
    const entrySize = encodeEntry(variants).length;
    const writer = openVariantStore(dir, 1 << 20);
    const keys = ['1', '2', '3'].map((s) => getStoreKey(Buffer.from(s)));
    for (const [i, k] of keys.entries()) {
      await writer.save(k, 'best', variants);
      const old = new Date(NOW - (10 - i) * MINUTE); // keys[0] oldest
      utimesSync(join(dir, `${k}.best`), old, old);
    }
    expect(writer.writtenSincePrune).toBe(3 * entrySize);
    const store = openVariantStore(dir, 2 * entrySize);
    expect(await store.load(keys[0], 'best')).not.toBeNull(); // now the most recent
    await new Promise((r) => setTimeout(r, 50)); // the touch is not awaited
    expect(await store.prune()).toBe(1);
    expect(readdirSync(dir).sort()).toEqual([`${keys[0]}.best`, `${keys[2]}.best`].sort());
    expect(await writer.prune()).toBe(0); // nothing beyond its bound
    expect(writer.writtenSincePrune).toBe(0);
  });

  it('writing an eighth of the bound prunes in the background', async () => {
    const dir = join(base, 'auto');
    const entrySize = encodeEntry(variants).length;
    const store = openVariantStore(dir, 4 * entrySize); // a prune every 0.5 entries written
    for (let i = 0; i < 8; i++) await store.save(getStoreKey(Buffer.from(String(i))), 'best', variants);
    expect(await waitFor(() => readdirSync(dir).length <= 4, 5000)).toBe(true);
  });

  it('refuses a directory others can write to, or a file', () => {
    const open = join(base, 'open');
    mkdirSync(open, { mode: 0o777 });
    chmodSync(open, 0o777);
    expect(() => openVariantStore(open, 1 << 20)).toThrow(/writable by others \(mode 777\)/);
    const file = join(base, 'a-file');
    writeFileSync(file, 'x');
    expect(() => openVariantStore(file, 1 << 20)).toThrow();
  });
});
