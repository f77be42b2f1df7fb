/**
 * Files that stream from disk (beyond --max-file-size) use their fresh
 * .gz / .br siblings, streamed like the file: their own ETag, ranges over
 * the chosen variant, Vary on every representation.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTree, type Tree } from '../helpers/fixtures.js';
import { get, startCli, type RunningCli } from '../helpers/server.js';

const MIB = 1024 * 1024;

/** `size` bytes of log-like text: compressible, but not trivially. */
function makeText(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed;
  let offset = 0;
  for (let line = 0; offset < size; line++) {
    x = (x * 1103515245 + 12345) >>> 0;
    offset += out.write(`${line} GET /assets/item-${x % 5000}.js 200 ${x % 99991} "agent ${(x >>> 8) % 37}"\n`, offset);
  }
  return out;
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

let tree: Tree;
let server: RunningCli;
let big: Buffer;
let bigGz: Buffer;
let midBr: Buffer;

beforeAll(async () => {
  big = makeText(64 * MIB, 1);
  bigGz = gzipSync(big, { level: 1 });
  const mid = makeText(9 * MIB, 2);
  midBr = brotliCompressSync(mid, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } });
  tree = makeTree({ 'big.txt': big, 'big.txt.gz': bigGz, 'mid.js': mid, 'mid.js.br': midBr, 'mid.js.gz': gzipSync(mid, { level: 1 }) });
  const old = new Date('2020-01-01T00:00:00Z');
  for (const name of ['big.txt', 'mid.js']) utimesSync(join(tree.root, name), old, old);
  utimesSync(join(tree.root, 'mid.js.gz'), new Date('2019-01-01T00:00:00Z'), new Date('2019-01-01T00:00:00Z')); // stale
  // --no-watch: what follows a change on disk is the per-request check, not a rescan.
  server = await startCli(tree.root, ['--no-watch']);
}, 120_000);
afterAll(async () => {
  await server?.stop();
  tree?.remove();
});

describe('a streamed 64 MiB text file with a .gz sibling', () => {
  it('gzip is the sibling streamed whole, with its own ETag and Vary', async () => {
    const reply = await get(server.port, '/big.txt', { 'accept-encoding': 'gzip, deflate' });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-encoding']).toBe('gzip');
    expect(reply.headers.vary).toBe('Accept-Encoding');
    expect(reply.headers['content-length']).toBe(String(bigGz.length));
    expect(sha256(reply.body)).toBe(sha256(bigGz));
    expect(sha256(gunzipSync(reply.body))).toBe(sha256(big));
    const identity = await get(server.port, '/big.txt', {}, 'HEAD');
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.headers.vary).toBe('Accept-Encoding');
    expect(identity.headers['content-length']).toBe(String(big.length));
    expect(identity.headers.etag).not.toBe(reply.headers.etag);
    expect(reply.headers.etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+-gzip"$/);
  }, 60_000);

  it('ranges apply to the gzip bytes', async () => {
    const accept = { 'accept-encoding': 'gzip' };
    for (const [range, start, end] of [['bytes=0-99', 0, 99], ['bytes=-1000', bigGz.length - 1000, bigGz.length - 1], ['bytes=5000000-5000099', 5_000_000, 5_000_099]] as const) {
      const reply = await get(server.port, '/big.txt', { ...accept, range });
      expect(reply.status).toBe(206);
      expect(reply.headers['content-encoding']).toBe('gzip');
      expect(reply.headers['content-range']).toBe(`bytes ${start}-${end}/${bigGz.length}`);
      expect(reply.body.equals(bigGz.subarray(start, end + 1))).toBe(true);
    }
    const multi = await get(server.port, '/big.txt', { ...accept, range: 'bytes=0-9,-10' });
    expect(multi.status).toBe(206);
    expect(multi.body.includes(bigGz.subarray(0, 10))).toBe(true);
    expect(multi.body.includes(bigGz.subarray(-10))).toBe(true);
    const unsatisfiable = await get(server.port, '/big.txt', { ...accept, range: `bytes=${bigGz.length}-` });
    expect(unsatisfiable.status).toBe(416);
    expect(unsatisfiable.headers['content-range']).toBe(`bytes */${bigGz.length}`);
  });

  it('304, HEAD and If-Range follow the gzip ETag', async () => {
    const accept = { 'accept-encoding': 'gzip' };
    const head = await get(server.port, '/big.txt', accept, 'HEAD');
    const etag = head.headers.etag as string;
    expect(head.headers['content-length']).toBe(String(bigGz.length));
    expect((await get(server.port, '/big.txt', { ...accept, 'if-none-match': etag })).status).toBe(304);
    expect((await get(server.port, '/big.txt', { 'if-none-match': etag }, 'HEAD')).status).toBe(200); // not the identity's tag
    expect((await get(server.port, '/big.txt', { ...accept, range: 'bytes=0-9', 'if-range': etag })).status).toBe(206);
    const identityEtag = (await get(server.port, '/big.txt', {}, 'HEAD')).headers.etag as string;
    const stale = await get(server.port, '/big.txt', { ...accept, range: 'bytes=0-9', 'if-range': identityEtag });
    expect(stale.status).toBe(200);
    expect(stale.body.length).toBe(bigGz.length);
  }, 60_000);
});

describe('siblings of streamed files', () => {
  it('a fresh .br is used, a stale .gz is not', async () => {
    const br = await get(server.port, '/mid.js', { 'accept-encoding': 'br, gzip' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.body.equals(midBr)).toBe(true);
    const gzipOnly = await get(server.port, '/mid.js', { 'accept-encoding': 'gzip' }, 'HEAD');
    expect(gzipOnly.headers['content-encoding']).toBeUndefined();
    expect(gzipOnly.headers['content-length']).toBe(String(9 * MIB));
  });

  it('a sibling replaced or deleted on disk is noticed on the next request', async () => {
    const path = join(tree.root, 'mid.js.br');
    const before = (await get(server.port, '/mid.js', { 'accept-encoding': 'br' }, 'HEAD')).headers.etag;
    const replaced = brotliCompressSync(readFileSync(join(tree.root, 'mid.js')), { params: { [constants.BROTLI_PARAM_QUALITY]: 2 } });
    writeFileSync(path + '.new', replaced);
    renameSync(path + '.new', path);
    const after = await get(server.port, '/mid.js', { 'accept-encoding': 'br' });
    expect(after.headers.etag).not.toBe(before);
    expect(after.body.equals(replaced)).toBe(true);
    unlinkSync(path);
    const gone = await get(server.port, '/mid.js', { 'accept-encoding': 'br' }, 'HEAD');
    expect(gone.status).toBe(200);
    expect(gone.headers['content-encoding']).toBeUndefined();
    expect(gone.headers['content-length']).toBe(String(9 * MIB));
  });
});
