/**
 * Issue #4 semantics on the real CLI: ranges, If-Range, encodings, cache
 * policy and the routing options.
 */
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBytes, makeTree, type Tree } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/proc.js';
import { get, startCli, type RunningCli } from '../helpers/server.js';

const css = Buffer.from('.a { color: red; }\n'.repeat(200));
const js = Buffer.from('export const x = "hello";\n'.repeat(100));
const bin = makeBytes(10_000, 11);

/** Start fastsrv on a new tree; stop and remove both after the describe block. */
function useServer(files: Record<string, string | Buffer>, args: string[] = [], prepare?: (tree: Tree) => void) {
  const state = {} as { tree: Tree; server: RunningCli; port: number };
  beforeAll(async () => {
    state.tree = makeTree(files);
    prepare?.(state.tree);
    state.server = await startCli(state.tree.root, args);
    state.port = state.server.port;
  });
  afterAll(async () => {
    await state.server?.stop();
    state.tree?.remove();
  });
  return state;
}

describe('ranges', () => {
  const s = useServer({ 'bin.dat': bin, 'empty.txt': '' });
  const size = bin.length;

  it.each([
    ['bytes=0-99', 0, 99],
    ['bytes=100-', 100, size - 1],
    ['bytes=-8', size - 8, size - 1],
    ['bytes=0-0', 0, 0],
    ['bytes=9990-20000', 9990, size - 1],
    ['BYTES=1-2', 1, 2],
  ])('%s → 206 with exactly those bytes', async (range, start, end) => {
    const reply = await get(s.port, '/bin.dat', { range });
    expect(reply.status).toBe(206);
    expect(reply.headers['content-range']).toBe(`bytes ${start}-${end}/${size}`);
    expect(reply.headers['content-length']).toBe(String(end - start + 1));
    expect(reply.headers['content-type']).toBe('application/octet-stream');
    expect(reply.body.equals(bin.subarray(start, end + 1))).toBe(true);
  });

  it.each(['bytes=10000-', 'bytes=20000-20010', 'bytes=-0'])('%s → 416 with Content-Range: bytes */size', async (range) => {
    const reply = await get(s.port, '/bin.dat', { range });
    expect(reply.status).toBe(416);
    expect(reply.headers['content-range']).toBe(`bytes */${size}`);
    expect(reply.body.length).toBe(0);
  });

  it.each(['bytes=5-2', 'bytes=abc', 'items=0-1', 'bytes=', 'bytes=--1'])('malformed %s → ignored, 200 full', async (range) => {
    const reply = await get(s.port, '/bin.dat', { range });
    expect(reply.status).toBe(200);
    expect(reply.body.equals(bin)).toBe(true);
  });

  it('two ranges → multipart/byteranges with both parts', async () => {
    const reply = await get(s.port, '/bin.dat', { range: 'bytes=0-9,100-109' });
    expect(reply.status).toBe(206);
    const type = reply.headers['content-type']!;
    const boundary = /^multipart\/byteranges; boundary=(\S+)$/.exec(type)![1];
    expect(reply.headers['content-length']).toBe(String(reply.body.length));
    const text = reply.body.toString('latin1');
    const parts = text.split(`--${boundary}`);
    expect(parts).toHaveLength(4); // preamble, 2 parts, closing "--\r\n"
    expect(parts[3]).toBe('--\r\n');
    for (const [i, [start, end]] of [[0, 9], [100, 109]].entries()) {
      const [head, data] = parts[i + 1].split('\r\n\r\n');
      expect(head).toContain(`Content-Range: bytes ${start}-${end}/${size}`);
      expect(head).toContain('Content-Type: application/octet-stream');
      expect(Buffer.from(data.slice(0, -2), 'latin1').equals(bin.subarray(start, end + 1))).toBe(true);
    }
  });

  it('more than 16 ranges, or overlaps beyond the size → 200 full body (no amplification)', async () => {
    const many = 'bytes=' + Array.from({ length: 17 }, (_, i) => `${i * 10}-${i * 10 + 1}`).join(',');
    expect((await get(s.port, '/bin.dat', { range: many })).status).toBe(200);
    const overlapping = 'bytes=' + Array.from({ length: 3 }, () => '0-9999').join(',');
    expect((await get(s.port, '/bin.dat', { range: overlapping })).status).toBe(200);
  });

  it('HEAD with a range → 206 headers, no body', async () => {
    const reply = await get(s.port, '/bin.dat', { range: 'bytes=0-99' }, 'HEAD');
    expect(reply.status).toBe(206);
    expect(reply.headers['content-length']).toBe('100');
    expect(reply.body.length).toBe(0);
  });

  it('a range of an empty file → 200 (nothing to range)', async () => {
    const reply = await get(s.port, '/empty.txt', { range: 'bytes=-5' });
    expect(reply.status).toBe(200);
    expect(reply.body.length).toBe(0);
  });

  it('If-Range: current ETag or date → 206; stale → 200 full', async () => {
    const { headers } = await get(s.port, '/bin.dat');
    const range = 'bytes=0-9';
    expect((await get(s.port, '/bin.dat', { range, 'if-range': headers.etag as string })).status).toBe(206);
    expect((await get(s.port, '/bin.dat', { range, 'if-range': headers['last-modified'] as string })).status).toBe(206);
    const stale = await get(s.port, '/bin.dat', { range, 'if-range': '"stale"' });
    expect(stale.status).toBe(200);
    expect(stale.body.equals(bin)).toBe(true);
  });

  it('precondition order: If-Match failure (412) before If-None-Match (304) before Range', async () => {
    const { headers } = await get(s.port, '/bin.dat');
    const etag = headers.etag as string;
    expect((await get(s.port, '/bin.dat', { 'if-match': '"x"', 'if-none-match': etag })).status).toBe(412);
    expect((await get(s.port, '/bin.dat', { 'if-none-match': etag, range: 'bytes=0-1' })).status).toBe(304);
    const old = 'Sat, 01 Jan 2000 00:00:00 GMT';
    expect((await get(s.port, '/bin.dat', { 'if-unmodified-since': old })).status).toBe(412);
  });
});

describe('encodings', () => {
  const gzSibling = gzipSync(js, { level: 1 });
  const s = useServer(
    { 'style.css': css, 'app.js': js, 'app.js.gz': gzSibling, 'old.js': js, 'old.js.gz': gzSibling, 'tiny.css': 'a{}', 'bin.dat': bin },
    [],
    (tree) => utimesSync(join(tree.root, 'old.js.gz'), new Date(1_000_000), new Date(1_000_000)),
  );
  beforeAll(async () => {
    // Variants are compressed in the background after the workers listen.
    const ready = await waitFor(async () => {
      const replies = await Promise.all([1, 2, 3, 4].map(() => get(s.port, '/style.css', { 'accept-encoding': 'br' })));
      return replies.every((r) => r.headers['content-encoding'] === 'br');
    }, 10_000);
    expect(ready).toBe(true);
  });

  it.each([
    ['br', 'br', brotliDecompressSync],
    ['gzip', 'gzip', gunzipSync],
    ['gzip, deflate, br', 'br', brotliDecompressSync],
    ['br;q=0.5, gzip', 'gzip', gunzipSync],
    ['*', 'br', brotliDecompressSync],
  ])('Accept-Encoding: %s → %s, decodes to the file', async (accept, encoding, decode) => {
    const reply = await get(s.port, '/style.css', { 'accept-encoding': accept });
    expect(reply.headers['content-encoding']).toBe(encoding);
    expect(reply.headers.vary).toBe('Accept-Encoding');
    expect(reply.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(decode(reply.body).equals(css)).toBe(true);
  });

  it.each(['', 'identity', 'gzip;q=0, br;q=0', 'deflate'])('Accept-Encoding %j → identity with Vary', async (accept) => {
    const reply = await get(s.port, '/style.css', accept === '' ? {} : { 'accept-encoding': accept });
    expect(reply.headers['content-encoding']).toBeUndefined();
    expect(reply.headers.vary).toBe('Accept-Encoding');
    expect(reply.body.equals(css)).toBe(true);
  });

  it('identity;q=0 with nothing else acceptable → 406', async () => {
    const reply = await get(s.port, '/style.css', { 'accept-encoding': 'identity;q=0, *;q=0' });
    expect(reply.status).toBe(406);
  });

  it('each variant has its own ETag; 304 and HEAD agree with GET', async () => {
    const etags = new Set<string>();
    for (const accept of ['br', 'gzip', 'identity']) {
      const full = await get(s.port, '/style.css', { 'accept-encoding': accept });
      const head = await get(s.port, '/style.css', { 'accept-encoding': accept }, 'HEAD');
      expect(head.headers.etag).toBe(full.headers.etag);
      expect(head.headers['content-length']).toBe(String(full.body.length));
      expect(head.headers['content-encoding']).toBe(full.headers['content-encoding']);
      const cached = await get(s.port, '/style.css', { 'accept-encoding': accept, 'if-none-match': full.headers.etag as string });
      expect(cached.status).toBe(304);
      expect(cached.headers.vary).toBe('Accept-Encoding');
      etags.add(full.headers.etag as string);
    }
    expect(etags.size).toBe(3);
    // A br ETag does not validate the identity representation.
    const brTag = (await get(s.port, '/style.css', { 'accept-encoding': 'br' })).headers.etag as string;
    expect((await get(s.port, '/style.css', { 'if-none-match': brTag })).status).toBe(200);
  });

  it('ranges apply to the selected (compressed) representation', async () => {
    const whole = await get(s.port, '/style.css', { 'accept-encoding': 'br' });
    const part = await get(s.port, '/style.css', { 'accept-encoding': 'br', range: 'bytes=0-9' });
    expect(part.status).toBe(206);
    expect(part.headers['content-encoding']).toBe('br');
    expect(part.headers['content-range']).toBe(`bytes 0-9/${whole.body.length}`);
    expect(part.body.equals(whole.body.subarray(0, 10))).toBe(true);
  });

  it('a .gz sibling is the gzip variant, and is still served by name', async () => {
    const reply = await get(s.port, '/app.js', { 'accept-encoding': 'gzip' });
    expect(reply.headers['content-encoding']).toBe('gzip');
    expect(reply.body.equals(gzSibling)).toBe(true);
    // With a sibling present, fastsrv does not add a br variant of its own.
    expect((await get(s.port, '/app.js', { 'accept-encoding': 'br' })).headers['content-encoding']).toBeUndefined();
    const byName = await get(s.port, '/app.js.gz');
    expect(byName.headers['content-type']).toBe('application/gzip');
    expect(byName.headers['content-encoding']).toBeUndefined();
    expect(byName.body.equals(gzSibling)).toBe(true);
  });

  it('a sibling older than its file is ignored (stale); the file is compressed instead', async () => {
    const reply = await get(s.port, '/old.js', { 'accept-encoding': 'gzip' });
    expect(reply.headers['content-encoding']).toBe('gzip');
    expect(reply.body.equals(gzSibling)).toBe(false);
    expect(gunzipSync(reply.body).equals(js)).toBe(true);
  });

  it('small or incompressible files are not negotiated', async () => {
    for (const path of ['/tiny.css', '/bin.dat']) {
      const reply = await get(s.port, path, { 'accept-encoding': 'br, gzip' });
      expect(reply.headers['content-encoding']).toBeUndefined();
      expect(reply.headers.vary).toBeUndefined();
    }
  });
});

describe('--no-compress', () => {
  const s = useServer({ 'style.css': css }, ['--no-compress']);
  it('serves identity without Vary', async () => {
    await new Promise((r) => setTimeout(r, 300));
    const reply = await get(s.port, '/style.css', { 'accept-encoding': 'br, gzip' });
    expect(reply.headers['content-encoding']).toBeUndefined();
    expect(reply.headers.vary).toBeUndefined();
  });
});

describe('cache policy, CORS and extra headers', () => {
  const s = useServer(
    { 'index.html': '<p>hi</p>', 'app.3f9a1c2e.js': 'x', 'logo.png': bin, 'index-B2x9kZqa.css': 'y' },
    ['--max-age', '3600', '--immutable', '--cors', '--header', 'X-Frame-Options: DENY', '--header', 'Server-Timing: a'],
  );

  it.each([
    ['/', 'no-cache'],
    ['/logo.png', 'public, max-age=3600'],
    ['/app.3f9a1c2e.js', 'public, max-age=3600, immutable'],
    ['/index-B2x9kZqa.css', 'public, max-age=3600, immutable'],
  ])('%s → Cache-Control: %s', async (path, expected) => {
    expect((await get(s.port, path)).headers['cache-control']).toBe(expected);
  });

  it('CORS and extra headers on 200 and 304', async () => {
    const full = await get(s.port, '/logo.png');
    const cached = await get(s.port, '/logo.png', { 'if-none-match': full.headers.etag as string });
    for (const reply of [full, cached]) {
      expect(reply.headers['access-control-allow-origin']).toBe('*');
      expect(reply.headers['x-frame-options']).toBe('DENY');
      expect(reply.headers['server-timing']).toBe('a');
    }
  });

  it('answers a CORS preflight', async () => {
    const reply = await get(s.port, '/logo.png', { origin: 'http://a.example', 'access-control-request-method': 'GET' }, 'OPTIONS');
    expect(reply.status).toBe(204);
    expect(reply.headers['access-control-allow-origin']).toBe('*');
    expect(reply.headers['access-control-allow-methods']).toBe('GET, HEAD, OPTIONS');
    expect(reply.headers['access-control-max-age']).toBe('86400');
  });
});

describe('--header Cache-Control replaces the policy', () => {
  const s = useServer({ 'index.html': 'x', 'a.png': bin }, ['--header', 'Cache-Control: private, max-age=5']);
  it('on HTML and assets alike, once', async () => {
    for (const path of ['/', '/a.png']) {
      expect((await get(s.port, path)).headers['cache-control']).toBe('private, max-age=5');
    }
  });
});

describe('--spa', () => {
  const s = useServer({ 'index.html': '<p>app</p>', 'app.js': 'x', 'docs/index.html': 'docs' }, ['--spa']);
  it.each(['/dashboard', '/users/42/edit', '/deep/route/'])('%s → index.html with 200', async (path) => {
    const reply = await get(s.port, path);
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe('<p>app</p>');
  });
  it('files and directories still win; missing files with an extension stay 404', async () => {
    expect((await get(s.port, '/app.js')).body.toString()).toBe('x');
    expect((await get(s.port, '/docs/')).body.toString()).toBe('docs');
    expect((await get(s.port, '/missing.js')).status).toBe(404);
    expect((await get(s.port, '/.env')).status).toBe(404);
  });
});

describe('--clean-urls', () => {
  const s = useServer({ 'index.html': 'home', 'about.html': 'about', 'blog/post.html': 'post', 'blog/index.html': 'blog' }, ['--clean-urls']);
  it('/about serves about.html', async () => {
    const reply = await get(s.port, '/about');
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe('about');
    expect((await get(s.port, '/blog/post')).body.toString()).toBe('post');
  });
  it('/about.html → 301 /about, query kept; index.html untouched', async () => {
    const reply = await get(s.port, '/about.html?x=1');
    expect(reply.status).toBe(301);
    expect(reply.headers.location).toBe('/about?x=1');
    expect((await get(s.port, '/blog/index.html')).status).toBe(200);
    expect((await get(s.port, '/blog/')).body.toString()).toBe('blog');
  });
});

describe('--dotfiles', () => {
  const files = { '.env': 'SECRET', '.well-known/security.txt': 'contact', 'a.txt': 'a' };
  describe('deny', () => {
    const s = useServer(files, ['--dotfiles', 'deny']);
    it.each(['/.env', '/.well-known/security.txt', '/.nothing'])('%s → 403', async (path) => {
      const reply = await get(s.port, path);
      expect(reply.status).toBe(403);
      expect(reply.body.toString()).not.toContain('SECRET');
    });
  });
  describe('allow', () => {
    const s = useServer(files, ['--dotfiles', 'allow']);
    it('serves dotfiles', async () => {
      expect((await get(s.port, '/.env')).body.toString()).toBe('SECRET');
      expect((await get(s.port, '/.well-known/security.txt')).body.toString()).toBe('contact');
      expect((await get(s.port, '/.nothing')).status).toBe(404);
    });
  });
});
