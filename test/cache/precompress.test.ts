import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { compressBody } from '../../src/cache/compress.js';
import { computeEtag } from '../../src/cache/entry.js';
import { BEFORE_LISTEN_MAX_BYTES, precompressBeforeListen, precompressTable } from '../../src/cache/precompress.js';
import { openVariantStore } from '../../src/cache/store.js';
import { buildCacheTable, type BuildOptions, type CacheTable } from '../../src/cache/table.js';
import { makeBytes, makeTree } from '../helpers/fixtures.js';

const css = Buffer.from(Array.from({ length: 300 }, (_, i) => `.item-${i} { padding: ${i % 9}px; }\n`).join(''));
const js = Buffer.from(Array.from({ length: 200 }, (_, i) => `export const v${i} = ${i * 31};\n`).join(''));
const tree = makeTree({ 'a.css': css, 'b.js': js, 'c.js': js.subarray(0, 2000), 'd.js': js, 'd.js.gz': gzipSync(js), 'e.bin': makeBytes(5000, 2) });
utimesSync(join(tree.root, 'd.js'), new Date(1_000_000), new Date(1_000_000)); // the sibling is fresh
const base = mkdtempSync(join(tmpdir(), 'fastsrv-precompress-test-'));
afterAll(() => {
  tree.remove();
  rmSync(base, { recursive: true, force: true });
});

const options: BuildOptions = {
  includeDotfiles: false,
  cleanUrls: false,
  compress: true,
  cacheSize: 1 << 30,
  maxFileSize: 1 << 30,
  optionsHeaders: [],
  listing: false,
  policy: { maxAge: 0, immutable: false, cacheControl: null, extraHeaders: [], isNosniff: true },
};

async function runOn(table: CacheTable, storeDir: string, index = 0, workers = 1) {
  return precompressTable(() => table, options, openVariantStore(storeDir, 1 << 30), index, workers);
}

describe('precompressTable', () => {
  it('gives every compressible file best variants (through fast), leaves siblings and binaries alone', async () => {
    const table = buildCacheTable(tree.root, options);
    const identityEtag = table.files.get('/a.css')!.identity.etag;
    expect(await runOn(table, join(base, 'one'))).toEqual({ fast: 3, best: 3 });
    const a = table.files.get('/a.css')!;
    expect(a.compressed).toBe('best');
    expect(a.identity.etag).toBe(identityEtag);
    const best = await compressBody(css, 'best');
    expect(a.br!.body.equals(best.br!)).toBe(true);
    expect(a.br!.etag).toBe(computeEtag(best.br!));
    expect(brotliDecompressSync(a.br!.body).equals(css)).toBe(true);
    expect(table.files.get('/d.js')!.compressed).toBeNull(); // its .gz sibling is served
    expect(table.files.get('/d.js')!.br).toBeNull();
    expect(table.files.get('/e.bin')!.encodings).toBe(0);
    // Both levels are stored; /b.js and /d.js share a body, so one entry each.
    const names = readdirSync(join(base, 'one'));
    expect(names.filter((n) => n.endsWith('.fast'))).toHaveLength(3);
    expect(names.filter((n) => n.endsWith('.best'))).toHaveLength(3);
  });

  it('a restart takes best variants from the store at once, compressing nothing', async () => {
    const dir = join(base, 'restart');
    await runOn(buildCacheTable(tree.root, options), dir);
    const before = readdirSync(dir).sort();
    const table = buildCacheTable(tree.root, options);
    expect(await runOn(table, dir)).toEqual({ fast: 3, best: 0 }); // swapped in by the first pass, at best
    expect(table.files.get('/b.js')!.compressed).toBe('best');
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('a damaged stored entry is not served: the file is compressed again', async () => {
    const dir = join(base, 'damaged');
    await runOn(buildCacheTable(tree.root, options), dir);
    for (const name of readdirSync(dir)) writeFileSync(join(dir, name), readFileSync(join(dir, name)).subarray(0, 40));
    const table = buildCacheTable(tree.root, options);
    await runOn(table, dir);
    expect(brotliDecompressSync(table.files.get('/a.css')!.br!.body).equals(css)).toBe(true);
  });

  it('two workers sharing a store both end at best', async () => {
    const dir = join(base, 'two');
    const tables = [buildCacheTable(tree.root, options), buildCacheTable(tree.root, options)];
    await Promise.all(tables.map((t, i) => runOn(t, dir, i, 2)));
    for (const t of tables) expect(t.files.get('/c.js')!.compressed).toBe('best');
    expect(tables[0].files.get('/a.css')!.br!.etag).toBe(tables[1].files.get('/a.css')!.br!.etag);
  });

  it('without a store, and over the cache budget: identity stays', async () => {
    const exact = buildCacheTable(tree.root, options).byteCount; // every body, no room for a variant
    const table = buildCacheTable(tree.root, { ...options, cacheSize: exact });
    expect(await precompressTable(() => table, table.options, null, 0, 1)).toEqual({ fast: 0, best: 0 });
    expect(table.files.get('/a.css')!.encodings).toBe(0);
  });
});

describe('precompressBeforeListen', () => {
  it('a small site gets fast variants at once (best ones when stored)', async () => {
    const dir = join(base, 'before');
    const table = buildCacheTable(tree.root, options);
    expect(precompressBeforeListen(table, options, openVariantStore(dir, 1 << 30))).toBe(3);
    expect(table.files.get('/a.css')!.compressed).toBe('fast');
    expect(brotliDecompressSync(table.files.get('/a.css')!.br!.body).equals(css)).toBe(true);
    expect(readdirSync(dir)).toEqual([]); // saving would delay listening more than compressing again
    // The background passes then only upgrade, storing best variants.
    expect(await runOn(table, dir)).toEqual({ fast: 0, best: 3 });
    const restarted = buildCacheTable(tree.root, options);
    expect(precompressBeforeListen(restarted, options, openVariantStore(dir, 1 << 30))).toBe(3);
    expect(restarted.files.get('/a.css')!.compressed).toBe('best');
  });

  it('a bigger site is left to the background passes', () => {
    const big = makeTree({ 'big.js': Buffer.from('let a = 1;\n'.repeat(Math.ceil((BEFORE_LISTEN_MAX_BYTES + 1) / 11))) });
    try {
      const table = buildCacheTable(big.root, options);
      expect(precompressBeforeListen(table, options, null)).toBe(0);
      expect(table.files.get('/big.js')!.compressed).toBeNull();
    } finally {
      big.remove();
    }
  });
});
