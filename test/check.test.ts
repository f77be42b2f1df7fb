import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { formatReport, runCheckCommand, runChecks, type CheckReport } from '../src/check.js';
import { encodeUrlPath, selectFiles, walkRoot, type DiskFile } from '../src/check/files.js';
import { renderReport } from '../src/check/format.js';
import { parseResponse } from '../src/check/parse.js';
import { makeTree } from './helpers/fixtures.js';

// ---------------------------------------------------------------------------
// A small static server over node:http. With no flaws it is correct; each
// flaw breaks one behaviour the way real servers have broken it.
// ---------------------------------------------------------------------------

type Flaw =
  | 'ignoreConditionals' // never answers 304
  | 'leakHeadBody' // writes the body after a HEAD response
  | 'serveTraversal' // answers `..` paths with a fake /etc/passwd
  | 'offByOneRange' // Content-Range and body one byte too long
  | 'soft404' // 200 for missing paths
  | 'rawPaths' // never percent-decodes the path
  | 'acceptPost' // POST serves the file
  | 'sharedStrongEtag' // gzip response: identity's strong ETag, no Vary
  | 'leak304Body' // writes the body after a 304, which also says Content-Length: 0
  | 'weakEtag'; // W/ ETags only

const ALL_FLAWS: readonly Flaw[] = [
  'ignoreConditionals',
  'leakHeadBody',
  'serveTraversal',
  'offByOneRange',
  'soft404',
  'rawPaths',
  'acceptPost',
  'sharedStrongEtag',
];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};
const FAKE_PASSWD = 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n';

function startStaticServer(root: string, flaws: readonly Flaw[] = []): Promise<Server> {
  const has = new Set(flaws);
  const server = createServer((req, res) => serve(root, has, req, res));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function serve(root: string, flaws: ReadonlySet<Flaw>, req: IncomingMessage, res: ServerResponse): void {
  const raw = req.url ?? '/';
  if (flaws.has('serveTraversal') && /\.\.|%2e|%2f|%5c/i.test(raw)) return void res.end(FAKE_PASSWD);
  if (req.method === 'OPTIONS') return void res.writeHead(204, { allow: 'GET, HEAD, OPTIONS' }).end();
  const isAllowed = req.method === 'GET' || req.method === 'HEAD' || (req.method === 'POST' && flaws.has('acceptPost'));
  if (!isAllowed) return void res.writeHead(405, { allow: 'GET, HEAD, OPTIONS' }).end();
  const segments: string[] = [];
  for (const segment of raw.split('?')[0].split('/').slice(1)) {
    let name = segment;
    try {
      if (!flaws.has('rawPaths')) name = decodeURIComponent(segment);
    } catch {
      return void res.writeHead(400).end('bad path');
    }
    if (name === '..' || name === '.' || /[/\\\0]/.test(name)) return void res.writeHead(400).end('bad path');
    if (name.startsWith('.')) return void res.writeHead(404).end('not found');
    segments.push(name);
  }
  let file = join(root, ...segments);
  try {
    if (statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!statSync(file).isFile()) throw new Error('not a file');
  } catch {
    if (flaws.has('soft404')) return void res.writeHead(200, { 'content-type': 'text/html' }).end('<p>nothing here</p>');
    return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }
  serveFile(file, flaws, req, res);
}

function serveFile(file: string, flaws: ReadonlySet<Flaw>, req: IncomingMessage, res: ServerResponse): void {
  const stats = statSync(file);
  const body = readFileSync(file);
  const etag = `${flaws.has('weakEtag') ? 'W/' : ''}"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
  const lastModified = stats.mtime.toUTCString();
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  const headers: OutgoingHttpHeaders = { etag, 'last-modified': lastModified, 'content-type': type, 'accept-ranges': 'bytes' };
  if (!flaws.has('ignoreConditionals') && isNotModified(req, etag, stats.mtime)) {
    if (!flaws.has('leak304Body')) return void res.writeHead(304, { etag }).end();
    const socket = req.socket;
    return void res.writeHead(304, { etag, 'content-length': 0 }).end(() => socket.write(body));
  }
  const accept = req.headers['accept-encoding'] ?? '';
  const coding = body.length >= 1024 && type.startsWith('text/') ? (/gzip/.test(accept) ? 'gzip' : /br/.test(accept) ? 'br' : '') : '';
  if (coding !== '' && req.headers.range === undefined) {
    const encoded = coding === 'gzip' ? gzipSync(body) : brotliCompressSync(body);
    const shared = flaws.has('sharedStrongEtag');
    const extra = shared ? {} : { vary: 'Accept-Encoding', etag: `${etag.slice(0, -1)}-${coding}"` };
    return void res.writeHead(200, { ...headers, 'content-encoding': coding, 'content-length': encoded.length, ...extra }).end(encoded);
  }
  const range = req.headers.range;
  const ifRange = req.headers['if-range'];
  if (range !== undefined && (ifRange === undefined || ifRange === etag)) return serveRange(range, body, headers, flaws, res);
  if (req.method === 'HEAD' && flaws.has('leakHeadBody')) {
    const socket = req.socket;
    return void res.writeHead(200, { ...headers, 'content-length': body.length }).end(() => socket.write(body));
  }
  res.writeHead(200, { ...headers, 'content-length': body.length }).end(body);
}

function isNotModified(req: IncomingMessage, etag: string, mtime: Date): boolean {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    const opaque = etag.replace(/^W\//, '');
    return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || tag.trim().replace(/^W\//, '') === opaque);
  }
  const ifModifiedSince = req.headers['if-modified-since'];
  return ifModifiedSince !== undefined && Date.parse(ifModifiedSince) >= Math.floor(mtime.getTime() / 1000) * 1000;
}

function serveRange(range: string, body: Buffer, headers: OutgoingHttpHeaders, flaws: ReadonlySet<Flaw>, res: ServerResponse): void {
  const match = /^bytes=(\d*)-(\d*)$/.exec(range);
  if (match === null || (match[1] === '' && match[2] === '')) return void res.writeHead(200, headers).end(body);
  const size = body.length;
  let start = match[1] === '' ? Math.max(0, size - Number(match[2])) : Number(match[1]);
  let end = match[1] === '' || match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size) return void res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
  if (flaws.has('offByOneRange')) end += 1;
  if (start > end) start = end;
  const part = body.subarray(start, end + 1);
  res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': part.length }).end(part);
}

// ---------------------------------------------------------------------------

function makeFixtureTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'fastsrv-check-'));
  const words = 'static file server cache header socket kernel worker request bytes latency range ';
  mkdirSync(join(root, 'nested', 'deeper'), { recursive: true });
  mkdirSync(join(root, '.git'));
  writeFileSync(join(root, 'index.html'), `<!doctype html><title>t</title><p>${words.repeat(30)}</p>\n`);
  writeFileSync(join(root, 'app.js'), `// app\n${`console.log("${words}");\n`.repeat(300)}`);
  writeFileSync(join(root, 'small.txt'), 'hello\n');
  writeFileSync(join(root, 'empty.txt'), '');
  writeFileSync(join(root, 'with space.txt'), 'a file whose name has a space\n');
  writeFileSync(join(root, 'ünïcödé.txt'), 'non-ASCII name\n');
  writeFileSync(join(root, 'nested', 'deeper', 'data.json'), JSON.stringify({ words: words.split(' ') }));
  const big = Buffer.alloc(2 * 1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 8)) & 0xff;
  writeFileSync(join(root, 'big.bin'), big);
  writeFileSync(join(root, '.hidden'), 'secret');
  writeFileSync(join(root, '.git', 'config'), '[core]');
  return root;
}

function urlOf(server: Server | TcpServer): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

function byName(report: CheckReport): Map<string, { status: string; detail: string }> {
  return new Map(report.results.map((r) => [r.name, r]));
}

function closeServer(server: Server | TcpServer): Promise<void> {
  if ('closeAllConnections' in server) server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

let root: string;
let good: Server;
let broken: Server;

beforeAll(async () => {
  root = makeFixtureTree();
  good = await startStaticServer(root);
  broken = await startStaticServer(root, ALL_FLAWS);
});

afterAll(async () => {
  await Promise.all([closeServer(good), closeServer(broken)]);
  rmSync(root, { recursive: true, force: true });
});

describe('runChecks against a correct server', () => {
  let report: CheckReport;
  beforeAll(async () => {
    report = await runChecks(urlOf(good), root);
  });

  test('nothing fails', () => {
    expect(report.failed, formatReport(report)).toBe(0);
    expect(report.passed).toBeGreaterThan(25);
    expect(report.passed + report.failed + report.skipped).toBe(report.results.length);
  });

  test('walks the root without dotfiles and compares every file', () => {
    const results = byName(report);
    expect(results.get('files: GET → 200')?.detail).toMatch(/^8 files under /);
    expect(results.get('files: body identical to disk')?.status).toBe('pass');
    expect(results.get('files: Content-Length = file size')?.status).toBe('pass');
  });

  test('probes the largest file below 1 MiB, and reports strong ETag and compression', () => {
    const results = byName(report);
    expect(results.get('protocol target')?.detail).toMatch(/^\/app\.js \(/);
    expect(results.get('ETag present')?.detail).toMatch(/^strong ETag "/);
    expect(results.get('Accept-Encoding: gzip')?.status).toBe('pass');
    expect(results.get('Accept-Encoding: br')?.status).toBe('pass');
    expect(results.get('HEAD: no body on the wire')?.status).toBe('pass');
    expect(results.get('HTTP/1.0 request')?.status).toBe('pass');
  });

  test('without --root: body checks SKIP, protocol checks run on the base URL', async () => {
    const plain = await runChecks(urlOf(good));
    const results = byName(plain);
    expect(plain.failed, formatReport(plain)).toBe(0);
    expect(results.get('files: body identical to disk')).toMatchObject({ status: 'skip', detail: 'no --root: bodies not compared' });
    expect(results.get('protocol target')?.detail).toMatch(/^\/ \(/);
    expect(results.get('304 on If-None-Match')?.status).toBe('pass');
  });

  test('paths replace the walk and the first one is the protocol target', async () => {
    const chosen = await runChecks(urlOf(good), root, { paths: ['/with space.txt', '/nested/deeper/data.json'] });
    const results = byName(chosen);
    expect(chosen.failed, formatReport(chosen)).toBe(0);
    expect(results.get('files: GET → 200')?.detail).toMatch(/^2 files/);
    expect(results.get('protocol target')?.detail).toMatch(/^\/with%20space\.txt /);
  });

  test('runCheckCommand prints the table and returns 0', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await runCheckCommand(urlOf(good), root)).toBe(0);
      expect(String(write.mock.calls[0][0])).toMatch(/Summary: \d+ passed, 0 failed/);
    } finally {
      write.mockRestore();
    }
  });
});

describe('runChecks against a broken server', () => {
  let report: CheckReport;
  beforeAll(async () => {
    report = await runChecks(urlOf(broken), root);
  });

  test.each([
    // rawPaths + soft404: the encoded name misses and the fallback page is served with 200.
    ['files: body identical to disk', /with%20space\.txt: got \d+ bytes with a different SHA-256/],
    ['304 on If-None-Match', /expected 304, got 200/],
    ['304 on If-Modified-Since', /expected 304, got 200/],
    ['HEAD: no body on the wire', /bytes followed the HEAD response|next request on the connection/],
    ['Range: bytes=0-99 → 206', /Content-Range: bytes 0-100\/\d+, expected bytes 0-99\//],
    ['If-Range: current ETag → 206', /expected bytes 0-99/],
    ['missing path → 404', /expected 404, got 200/],
    ['traversal: ../', /^SECURITY: .*\/etc\/passwd/],
    ['traversal: %2e%2e/', /^SECURITY/],
    ['traversal: ..%2f', /^SECURITY/],
    ['traversal: %2e%2e%5c', /^SECURITY/],
    ['Accept-Encoding: gzip', /no Vary: Accept-Encoding.*strong ETag .* shared with the identity response/],
  ])('%s fails', (name, detail) => {
    const result = byName(report).get(name);
    expect(result?.status, formatReport(report)).toBe('fail');
    expect(result?.detail).toMatch(detail);
  });

  test('POST served like a GET is a warning, not a failure', () => {
    const result = byName(report).get('POST → 405');
    expect(result?.status).toBe('warn');
    expect(result?.detail).toMatch(/POST .* → 200: served like a GET/);
  });

  test('checks the flaws do not touch still pass', () => {
    const results = byName(report);
    for (const name of ['ETag present', 'Range past the end → 416', 'HEAD: same headers as GET', 'keep-alive: 20 requests on one connection']) {
      expect(results.get(name)?.status, `${name}: ${results.get(name)?.detail}`).toBe('pass');
    }
  });

  test('the exit code is 1', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await runCheckCommand(urlOf(broken), root)).toBe(1);
    } finally {
      write.mockRestore();
    }
  });
});

describe('runChecks against servers with one flaw each', () => {
  test('a body after a 304 and Content-Length: 0 in it fail the 304 checks', async () => {
    const server = await startStaticServer(root, ['leak304Body']);
    try {
      const results = byName(await runChecks(urlOf(server), root));
      for (const name of ['304 on If-None-Match', '304 on If-Modified-Since']) {
        expect(results.get(name)?.status).toBe('fail');
        expect(results.get(name)?.detail).toMatch(/Content-Length: 0 in the 304.*RFC 9110 §8\.6/);
        expect(results.get(name)?.detail).toMatch(/bytes followed the 304|next request on the connection after the 304/);
      }
      expect(results.get('HEAD: no body on the wire')?.status).toBe('pass');
    } finally {
      await closeServer(server);
    }
  });

  test('weak ETags: reported as weak, If-Range with the current ETag SKIPs', async () => {
    const server = await startStaticServer(root, ['weakEtag']);
    try {
      const report = await runChecks(urlOf(server), root);
      const results = byName(report);
      expect(report.failed, formatReport(report)).toBe(0);
      expect(results.get('ETag present')?.detail).toMatch(/^weak ETag W\/"/);
      expect(results.get('304 on If-None-Match')?.status).toBe('pass');
      expect(results.get('If-Range: current ETag → 206')?.detail).toMatch(/weak/);
    } finally {
      await closeServer(server);
    }
  });

  test('an unreadable --root is one failing line; protocol checks still run on the base URL', async () => {
    const report = await runChecks(urlOf(good), join(root, 'no-such-dir'));
    const results = byName(report);
    expect(results.get('files: read --root')).toMatchObject({ status: 'fail' });
    expect(results.get('files: read --root')?.detail).toMatch(/ENOENT/);
    expect(results.get('protocol target')?.detail).toMatch(/^\/ \(/);
    expect(report.failed).toBe(1);
  });
});

describe('unreachable and silent servers', () => {
  test('connection refused is one failing result and exit code 2', async () => {
    const probe = createTcpServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const url = urlOf(probe);
    await closeServer(probe);
    const report = await runChecks(url);
    expect(report.results).toHaveLength(1);
    expect(report.results[0]).toMatchObject({ name: 'connect', status: 'fail' });
    expect(report.results[0].detail).toMatch(/ECONNREFUSED/);
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await runCheckCommand(url, undefined)).toBe(2);
    } finally {
      write.mockRestore();
    }
  });

  test('a server that accepts and never answers times out instead of hanging', async () => {
    const sockets = new Set<Socket>();
    const silent = createTcpServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const report = await runChecks(urlOf(silent), undefined, { timeoutMs: 100 });
      const results = byName(report);
      expect(results.get('protocol target')).toMatchObject({ status: 'fail' });
      expect(results.get('protocol target')?.detail).toMatch(/within 100 ms/);
      expect(results.get('missing path → 404')?.status).toBe('fail');
      expect(results.get('HTTP/1.0 request')?.status).toBe('skip');
    } finally {
      for (const socket of sockets) socket.destroy();
      await closeServer(silent);
    }
  });

  test('a URL that is neither http:// nor https:// is a failing result, not an exception', async () => {
    const report = await runChecks('ftp://127.0.0.1:1/');
    expect(report.results).toEqual([{ name: 'connect', status: 'fail', detail: 'not an http:// or https:// URL: ftp://127.0.0.1:1/' }]);
  });

  test('https:// with nothing listening: one failing connect result', async () => {
    const report = await runChecks('https://127.0.0.1:1/');
    expect(report.results).toHaveLength(1);
    expect(report.results[0]).toMatchObject({ name: 'connect', status: 'fail' });
    expect(report.results[0].detail).toMatch(/cannot connect to 127\.0\.0\.1:1/);
  });
});

describe('formatReport', () => {
  const report: CheckReport = {
    url: 'http://127.0.0.1:8080/',
    results: [
      { name: 'ETag present', status: 'pass', detail: 'strong ETag "a"' },
      { name: 'files: GET → 200', status: 'fail', detail: '2 of 3 files:\n/a: status 404\n/b: status 404' },
      { name: 'Accept-Encoding: br', status: 'skip', detail: 'server did not compress' },
      { name: 'POST → 405', status: 'warn', detail: 'POST / → 200' },
    ],
    passed: 1,
    warned: 1,
    failed: 1,
    skipped: 1,
  };

  test('without a TTY: plain table and the summary line', () => {
    const text = formatReport(report);
    expect(text).not.toMatch(/\x1b\[/);
    expect(text).toContain('Summary: 1 passed, 1 warning, 1 failed, 1 skipped (4 checks): FAIL');
    expect(text).toContain('\n  WARN  POST → 405           POST / → 200');
    expect(text).toContain('\n  PASS  ETag present         strong ETag "a"\n');
    expect(text).toContain('\n  FAIL  files: GET → 200     2 of 3 files:\n                             /a: status 404\n');
  });

  test('with colours: ANSI codes around the statuses', () => {
    expect(renderReport(report, true)).toContain('\x1b[31mFAIL\x1b[0m');
  });
});

describe('parseResponse', () => {
  const parse = (text: string, method = 'GET', isClosed = false) => parseResponse(Buffer.from(text, 'latin1'), method, isClosed);
  const describeOutcome = (text: string, method?: string, isClosed?: boolean): string => {
    const outcome = parse(text, method, isClosed);
    if (outcome.kind !== 'complete') return outcome.kind;
    return `${outcome.response.status} body=${JSON.stringify(outcome.response.body.toString('latin1'))} used=${outcome.consumed}`;
  };

  test.each([
    ['HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcXYZ', 'GET', false, '200 body="abc" used=41'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab', 'GET', false, 'incomplete'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab', 'GET', true, 'malformed'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n', 'HEAD', false, '200 body="" used=38'],
    ['HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n', 'GET', false, '304 body="" used=48'],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n', 'GET', false, '200 body="abcde" used=71'],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n', 'GET', false, 'incomplete'],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'GET', false, 'malformed'],
    ['HTTP/1.0 200 OK\r\n\r\nuntil close', 'GET', true, '200 body="until close" used=30'],
    ['HTTP/1.0 200 OK\r\n\r\nuntil close', 'GET', false, 'incomplete'],
    ['HTTP/1.1 200 OK\r\nContent-Len', 'GET', false, 'incomplete'],
    ['HTT', 'GET', false, 'incomplete'],
    ['<html>leaked body', 'GET', false, 'malformed'],
    ['HTTP/1.1 abc OK\r\n\r\n', 'GET', false, 'malformed'],
    ['HTTP/1.1 200 OK\r\nno colon here\r\n\r\n', 'GET', false, 'malformed'],
    ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', 'GET', false, 'malformed'],
  ])('%j (%s, closed=%s) → %s', (text, method, isClosed, want) => {
    expect(describeOutcome(text, method, isClosed)).toBe(want);
  });

  test('repeated headers are joined and names lower-cased', () => {
    const outcome = parse('HTTP/1.1 204 No Content\r\nVary: Accept\r\nvary: Accept-Encoding\r\n\r\n');
    expect(outcome.kind === 'complete' && outcome.response.headers.get('vary')).toBe('Accept, Accept-Encoding');
  });
});

describe('file selection', () => {
  test('walkRoot skips dotfiles and dot-directories', async () => {
    const files = await walkRoot(root);
    expect(files.map((f) => f.relPath)).toEqual([
      'app.js',
      'big.bin',
      'empty.txt',
      'index.html',
      'nested/deeper/data.json',
      'small.txt',
      'with space.txt',
      'ünïcödé.txt',
    ].sort());
  });

  test('walkRoot skips the root\'s _headers and _redirects, not files of that name deeper down', async () => {
    const site = makeTree({ _headers: '/*\n  X-A: 1\n', _redirects: '/a /b\n', 'docs/_headers': 'content', 'index.html': 'x' });
    try {
      expect((await walkRoot(site.root)).map((f) => f.relPath)).toEqual(['docs/_headers', 'index.html']);
    } finally {
      site.remove();
    }
  });

  test('selectFiles keeps all of a small tree', () => {
    const files: DiskFile[] = [{ absPath: '/r/a', relPath: 'a', size: 1 }];
    expect(selectFiles(files)).toEqual(files);
  });

  test('selectFiles samples a big tree: odd names, nesting, extremes, deterministic', () => {
    const files: DiskFile[] = [];
    for (let i = 0; i < 1000; i++) {
      const relPath = i % 97 === 0 ? `dir/sub/f${i}.txt` : i % 89 === 0 ? `f ${i}.txt` : `f${String(i).padStart(4, '0')}.txt`;
      files.push({ absPath: `/r/${relPath}`, relPath, size: i === 500 ? 10_000_000 : i + 1 });
    }
    files.push({ absPath: '/r/huge1', relPath: 'huge1', size: 2 ** 30 }, { absPath: '/r/huge2', relPath: 'huge2', size: 2 ** 31 });
    const picked = selectFiles(files);
    const names = new Set(picked.map((f) => f.relPath));
    expect(picked).toHaveLength(200);
    expect(names.size).toBe(200);
    expect(names.has('f0500.txt')).toBe(true); // the largest normal file
    expect(names.has('f0001.txt')).toBe(true); // a smallest
    expect(names.has('huge1')).toBe(true); // one huge file, the smaller
    expect(names.has('huge2')).toBe(false);
    expect(picked.filter((f) => f.relPath.includes(' ')).length).toBeGreaterThanOrEqual(10);
    expect(picked.filter((f) => f.relPath.startsWith('dir/sub/')).length).toBeGreaterThanOrEqual(10);
    expect(selectFiles(files)).toEqual(picked);
  });

  test('encodeUrlPath encodes each segment, not the slashes', () => {
    expect(encodeUrlPath('/', 'a b/ü?#%.txt')).toBe('/a%20b/%C3%BC%3F%23%25.txt');
    expect(encodeUrlPath('/static/', 'x.css')).toBe('/static/x.css');
  });
});
