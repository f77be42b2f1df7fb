/**
 * The real CLI with 2 workers over a fixture tree: statuses, headers and
 * bytes of everything issue #2 promises.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCurrentEngine } from '../helpers/engine.js';
import { makeStandardTree } from '../helpers/fixtures.js';
import { get, rawStatus, sendRaw, sendRawUntilClose, startCli, type RunningCli } from '../helpers/server.js';

const tree = makeStandardTree();
let server: RunningCli;
let port: number;

beforeAll(async () => {
  server = await startCli(tree.root);
  port = server.port;
});
afterAll(async () => {
  const code = await server?.stop();
  tree.remove();
  expect(code).toBe(0);
});

const encode = (key: string): string => encodeURI('/' + key).replace(/%25/g, '%25');

describe('files', () => {
  const served = [...tree.files.keys()].filter((k) => !k.split('/').some((s) => s.startsWith('.')));

  it.each(served)('GET /%s → 200 with the exact bytes', async (key) => {
    const reply = await get(port, encode(key));
    expect(reply.status).toBe(200);
    expect(reply.body.equals(tree.files.get(key)!)).toBe(true);
    expect(reply.headers['content-length']).toBe(String(tree.files.get(key)!.length));
  });

  it('sends the precomputed headers', async () => {
    const reply = await get(port, '/style.css');
    expect(reply.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(reply.headers.etag).toMatch(/^"[A-Za-z0-9_-]{16}"$/);
    expect(reply.headers['last-modified']).toMatch(/^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/);
    expect(reply.headers['cache-control']).toBe('public, max-age=0');
    expect(reply.headers['accept-ranges']).toBe('bytes');
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.headers.date).toBeDefined();
  });

  it.each([
    ['/index.html', 'text/html; charset=utf-8', 'no-cache'],
    ['/app.js', 'text/javascript; charset=utf-8', 'public, max-age=0'],
    ['/data.json', 'application/json; charset=utf-8', 'public, max-age=0'],
    ['/notes.txt', 'text/plain; charset=utf-8', 'public, max-age=0'],
    ['/image.png', 'image/png', 'public, max-age=0'],
    ['/blob', 'application/octet-stream', 'public, max-age=0'],
  ])('%s has Content-Type %s and Cache-Control %s', async (path, type, cacheControl) => {
    const reply = await get(port, path);
    expect(reply.headers['content-type']).toBe(type);
    expect(reply.headers['cache-control']).toBe(cacheControl);
  });

  it('ETags differ between files and are stable across workers', async () => {
    const etags = new Set<string>();
    for (let i = 0; i < 8; i++) etags.add((await get(port, '/style.css')).headers.etag as string);
    expect(etags.size).toBe(1);
    expect((await get(port, '/app.js')).headers.etag).not.toBe([...etags][0]);
  });

  it('ignores the query string', async () => {
    const reply = await get(port, '/notes.txt?v=123&x');
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe('plain text\n');
  });

  it('serves a link that stays inside the root, not one that leaves it', async () => {
    expect((await get(port, '/link-in.txt')).body.toString()).toBe('plain text\n');
    const out = await get(port, '/link-out.txt');
    expect(out.status).toBe(404);
    expect(out.body.toString()).not.toContain(tree.secret);
  });

  it('a big body (tryEnd path) arrives whole', async () => {
    const reply = await get(port, '/big.bin');
    expect(reply.body.equals(tree.files.get('big.bin')!)).toBe(true);
  });
});

describe('HEAD', () => {
  it('same status and headers as GET, no body', async () => {
    const head = await get(port, '/style.css', {}, 'HEAD');
    const full = await get(port, '/style.css');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    for (const name of ['content-type', 'etag', 'last-modified', 'cache-control', 'content-length']) {
      expect(head.headers[name]).toBe(full.headers[name]);
    }
  });

  it('sends no body bytes on a keep-alive connection (the next response parses)', async () => {
    const raw = await sendRaw(
      port,
      'HEAD /big.bin HTTP/1.1\r\nHost: x\r\n\r\nGET /notes.txt HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    const text = raw.toString('latin1');
    const responses = text.split('HTTP/1.1 ').slice(1);
    expect(responses).toHaveLength(2);
    expect(responses[0]).toContain(`Content-Length: ${300 * 1024}`);
    expect(responses[0].endsWith('\r\n\r\n')).toBe(true);
    expect(responses[1].startsWith('200 OK')).toBe(true);
    expect(responses[1].endsWith('plain text\n')).toBe(true);
  });

  it('HEAD of a 404 has the 404 length and no body', async () => {
    const head = await get(port, '/missing', {}, 'HEAD');
    const full = await get(port, '/missing');
    expect(head.status).toBe(404);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe(full.headers['content-length']);
  });
});

describe('conditional requests', () => {
  let etag: string;
  let lastModified: string;
  beforeAll(async () => {
    const reply = await get(port, '/style.css');
    etag = reply.headers.etag as string;
    lastModified = reply.headers['last-modified'] as string;
  });

  it.each([
    ['exact ETag', (e: string) => ({ 'if-none-match': e })],
    ['ETag in a list', (e: string) => ({ 'if-none-match': `"nope", ${e}` })],
    ['weak form of the ETag', (e: string) => ({ 'if-none-match': `W/${e}` })],
    ['*', () => ({ 'if-none-match': '*' })],
  ])('If-None-Match with %s → 304 with validators and no body', async (_name, headers) => {
    const reply = await get(port, '/style.css', headers(etag));
    expect(reply.status).toBe(304);
    expect(reply.body.length).toBe(0);
    expect(reply.headers.etag).toBe(etag);
    expect(reply.headers['last-modified']).toBe(lastModified);
    expect(reply.headers['cache-control']).toBe('public, max-age=0');
    expect(reply.headers['content-length']).toBeUndefined();
  });

  it('If-None-Match that does not match → 200', async () => {
    expect((await get(port, '/style.css', { 'if-none-match': '"other"' })).status).toBe(200);
  });

  it('If-Modified-Since → 304 only when If-None-Match is absent', async () => {
    expect((await get(port, '/style.css', { 'if-modified-since': lastModified })).status).toBe(304);
    const later = new Date(Date.parse(lastModified) + 60_000).toUTCString();
    expect((await get(port, '/style.css', { 'if-modified-since': later })).status).toBe(304);
    const earlier = new Date(Date.parse(lastModified) - 60_000).toUTCString();
    expect((await get(port, '/style.css', { 'if-modified-since': earlier })).status).toBe(200);
    const both = { 'if-modified-since': lastModified, 'if-none-match': '"other"' };
    expect((await get(port, '/style.css', both)).status).toBe(200);
    expect((await get(port, '/style.css', { 'if-modified-since': 'garbage' })).status).toBe(200);
  });

  it('HEAD agrees with GET on 304', async () => {
    const reply = await get(port, '/style.css', { 'if-none-match': etag }, 'HEAD');
    expect(reply.status).toBe(304);
  });

  it('If-Match that fails → 412', async () => {
    expect((await get(port, '/style.css', { 'if-match': '"other"' })).status).toBe(412);
    expect((await get(port, '/style.css', { 'if-match': etag })).status).toBe(200);
  });
});

describe('directories', () => {
  it('/ and /dir/ serve index.html', async () => {
    expect((await get(port, '/')).body.toString()).toContain('home');
    expect((await get(port, '/docs/')).body.toString()).toBe('<p>docs index</p>\n');
  });

  it('/dir → 301 to /dir/, query kept', async () => {
    const plain = await get(port, '/docs');
    expect(plain.status).toBe(301);
    expect(plain.headers.location).toBe('/docs/');
    const withQuery = await get(port, '/docs?a=1&b=2');
    expect(withQuery.headers.location).toBe('/docs/?a=1&b=2');
  });

  it('redirects use the canonical path, never the raw target', async () => {
    const reply = await get(port, '//docs');
    expect(reply.status).toBe(301);
    expect(reply.headers.location).toBe('/docs/');
  });

  it('a directory without index → 404', async () => {
    expect((await get(port, '/empty-dir-with-file/')).status).toBe(404);
    expect((await get(port, '/empty-dir-with-file')).status).toBe(404);
    expect((await get(port, '/empty-dir-with-file/readme.txt')).status).toBe(200);
  });

  it('the redirect of a non-ASCII directory is percent-encoded', async () => {
    const reply = await get(port, '/%C3%BCber?x=1');
    expect(reply.status).toBe(301);
    expect(reply.headers.location).toBe('/%C3%BCber/?x=1');
    expect((await get(port, '/%C3%BCber/')).body.toString()).toBe('<p>non-ASCII directory</p>\n');
    expect((await get(port, '/caf%C3%A9')).status).toBe(404); // café/ has no index.html
  });
});

describe('not found', () => {
  it('404 serves the root 404.html with status 404', async () => {
    const reply = await get(port, '/nothing-here');
    expect(reply.status).toBe(404);
    expect(reply.body.toString()).toBe('<p>custom not found</p>\n');
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it.each(['/.env', '/.git/config', '/sub/.hidden.txt', '/%2eenv', '/%2Egit/config'])('dotfile %s → 404', async (path) => {
    const reply = await get(port, path);
    expect(reply.status).toBe(404);
    expect(reply.body.toString()).not.toContain('SECRET');
  });
});

describe('methods', () => {
  it('OPTIONS → 204 with Allow and no Content-Length', async () => {
    const reply = await get(port, '/style.css', {}, 'OPTIONS');
    expect(reply.status).toBe(204);
    expect(reply.headers.allow).toBe('GET, HEAD, OPTIONS');
    expect(reply.headers['content-length']).toBeUndefined();
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH'])('%s → 405 with Allow', async (method) => {
    const reply = await get(port, '/style.css', {}, method);
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe('GET, HEAD, OPTIONS');
  });

  it('a POST with a body gets 405 and the connection stays usable', async () => {
    const raw = await sendRaw(
      port,
      'POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /notes.txt HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    const text = raw.toString('latin1');
    expect(rawStatus(raw)).toBe(405);
    expect(text).toContain('plain text\n');
  });
});

describe('hostile and malformed targets (raw sockets)', () => {
  const targets = [
    '/../../../../etc/passwd',
    '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/..%2f..%2f..%2fetc/passwd',
    '/%2e%2e%5c%2e%2e%5cetc%5cpasswd',
    '/..\\..\\etc\\passwd',
    '/../outside/secret.txt',
    '/%2e%2e/outside/secret.txt',
    '/docs/../../outside/secret.txt',
    '/a%00.html',
    '/index.html%00',
    '/%',
    '/%zz',
    '/%C3%28',
    '/%FF%FE',
    '/' + 'a'.repeat(3000),
  ];
  it.each(targets)('GET %s → 4xx, never a file from outside', async (target) => {
    const raw = await sendRaw(port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    const status = rawStatus(raw);
    const text = raw.toString('latin1');
    expect(text).not.toContain(tree.secret);
    expect(text).not.toContain('root:x:');
    // uWS itself may close the connection on requests it refuses to parse.
    if (status !== 0) expect([400, 403, 404, 414, 431]).toContain(status);
  });

  it('invalid percent-encoding → 400', async () => {
    expect(rawStatus(await sendRaw(port, 'GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n'))).toBe(400);
    expect(rawStatus(await sendRaw(port, 'GET /a%00b HTTP/1.1\r\nHost: x\r\n\r\n'))).toBe(400);
  });

  it('.. above the root → 400', async () => {
    expect(rawStatus(await sendRaw(port, 'GET /../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n'))).toBe(400);
  });

  it('.. inside the root resolves', async () => {
    const raw = await sendRaw(port, 'GET /docs/../notes.txt HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(raw.toString()).toContain('plain text');
  });

  // uWebSockets.js 20.30 does not answer requests its parser refuses (no
  // request line, unknown version, HTTP/1.0, HTTP/1.1 without Host, bad
  // header lines): it sends nothing and closes the connection at its 10 s
  // idle timeout. The README lists this. What we assert: no 2xx, no crash,
  // the connection is closed by the server, and the server keeps serving.
  it.runIf(!isCurrentEngine)('uWS 20.30, requests it cannot parse: no reply, closed by the server, server keeps serving', async () => {
    const inputs = [
      'GARBAGE\r\n\r\n',
      'GET\r\n\r\n',
      'GET / HTTP/9.9\r\n\r\n',
      '\x00\x01\x02\x03\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
      'GET / HTTP/1.1\r\n\r\n',
      'GET /notes.txt HTTP/1.0\r\n\r\n',
    ];
    const results = await Promise.all(inputs.map((input) => sendRawUntilClose(port, input, 20_000)));
    for (const [i, { reply, closedByServer }] of results.entries()) {
      const status = rawStatus(reply);
      expect({ input: inputs[i], closedByServer }).toEqual({ input: inputs[i], closedByServer: true });
      expect(status === 0 || (status >= 400 && status < 500)).toBe(true);
    }
    expect((await get(port, '/notes.txt')).status).toBe(200);
  }, 30_000);

  // uWebSockets.js 20.57 answers what its parser refuses at once with a
  // status and closes the connection (README, Limitations).
  it.runIf(isCurrentEngine).each([
    ['GET / HTTP/9.9\r\n\r\n', 505],
    ['\x00\x01\x02\x03\r\n\r\n', 505],
    ['GET /notes.txt HTTP/1.0\r\n\r\n', 505],
    ['GET /notes.txt HTTP/1.0\r\nHost: x\r\n\r\n', 505],
    ['OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n', 505],
    ['GET http://x/notes.txt HTTP/1.1\r\nHost: x\r\n\r\n', 505],
    ['GET /notes.txt HTTP/1.1\nHost: x\n\n', 505],
    ['GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\n\r\n', 400],
  ])('uWS 20.57: %j → %d within 1 s, closed by the server', async (input, status) => {
    const { reply, ms, closedByServer } = await sendRawUntilClose(port, input, 5_000);
    expect({ status: rawStatus(reply), closedByServer }).toEqual({ status, closedByServer: true });
    expect(ms).toBeLessThan(1_000);
    expect((await get(port, '/notes.txt')).status).toBe(200);
  });

  // A line without spaces is not yet a request line to uWS 20.57: it waits
  // for more, and closes the connection at its idle timeout (~30 s, measured).
  it.runIf(isCurrentEngine)('uWS 20.57: a request line without spaces gets no reply; the server keeps serving', async () => {
    for (const input of ['GARBAGE\r\n\r\n', 'GET\r\n\r\n']) {
      expect(rawStatus(await sendRaw(port, input, 500, 1_000))).toBe(0);
    }
    expect((await get(port, '/notes.txt')).status).toBe(200);
  });

  it.each([20_000, 100_000, 1_000_000])('a %d byte header: answered or closed, server keeps serving', async (size) => {
    const raw = await sendRaw(port, 'GET / HTTP/1.1\r\nHost: x\r\nX-Big: ' + 'a'.repeat(size) + '\r\n\r\n');
    // uWS 20.57 caps the request head well below 20 kB (431); 20.30 closes or serves.
    expect(isCurrentEngine ? [431] : [0, 200, 400, 431]).toContain(rawStatus(raw));
    expect((await get(port, '/notes.txt')).status).toBe(200);
  });
});
