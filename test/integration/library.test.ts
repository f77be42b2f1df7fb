/**
 * The library API through the packed package, as a program uses it: a
 * program in a fresh folder imports `fastsrv`, calls serve() with routes,
 * and is driven from here over HTTP and its stdin ("close"). Fixed routes
 * behave like cached files; function routes run per request; workers 0, 1
 * and 2; close() drains; the published types check an example with tsc.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedEngineVersion } from '../helpers/engine.js';
import { packAndInstall, REPO } from '../helpers/pack.js';
import { get } from '../helpers/server.js';

const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'fastsrv-library-'));
let consumer = '';

const APP = `
import { serve } from 'fastsrv';
import { createInterface } from 'node:readline';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const server = await serve({
  host: '127.0.0.1',
  port: 0,
  workers: process.env.WORKERS === 'auto' ? 'auto' : Number(process.env.WORKERS),
  root: process.env.ROOT || undefined,
  accessLog: process.env.LOG || undefined,
  routes: {
    '/': 'Hello, World!',
    '/health': { status: 204 },
    '/data.json': { a: 1, list: [1, 2] },
    '/teapot': { status: 418, headers: { 'X-Kind': 'pot' }, body: 'short and stout' },
    '/long.txt': 'fastsrv serves this text from memory. '.repeat(100),
    '/big': Buffer.alloc(32 * 1024 * 1024, 97),
    '/echo': (req) => ({ method: req.method, path: req.path, q: req.query.get('q'), accept: req.headers.get('Accept') }),
    '/pid': () => String(process.pid),
    '/nothing': () => undefined,
    '/throws': () => { throw new Error('sync failure'); },
    '/rejects': async () => { await sleep(20); throw new Error('async failure'); },
    '/later': async () => { await sleep(400); return 'late'; },
    '/header-later': async (req) => { await sleep(20); return { probe: req.headers.get('X-Probe'), missing: req.headers.get('x-none') }; },
    '/form': { GET: () => 'form', POST: (req) => ({ length: req.body.length, type: req.headers.get('content-type') }) },
  },
});
console.log(JSON.stringify({ url: server.url, port: server.port, workers: server.workers }));
createInterface({ input: process.stdin }).on('line', async (line) => {
  if (line !== 'close') return;
  await server.close();
  console.log('closed');
  process.stdin.pause();
});
`;

/** Fixed routes that differ between processes: the workers refuse them. */
const DRIFTING_APP = `
import { serve } from 'fastsrv';
try {
  await serve({ host: '127.0.0.1', port: 0, workers: 1, routes: { '/': 'started at ' + process.hrtime.bigint() } });
  console.log('started');
} catch (error) {
  console.log('rejected: ' + error.message);
  process.exitCode = 3;
}
`;

/** One tree per program; a workers: 0 server beside it, created in the primary only. */
const TWO_TREES_APP = `
import cluster from 'node:cluster';
import { serve } from 'fastsrv';
const b = await serve({ host: '127.0.0.1', port: 0, workers: 2, routes: { '/': 'tree b', '/pid': () => String(process.pid) } });
const a = await serve({ host: '127.0.0.1', port: 0, workers: 0, routes: { '/': 'in the primary', '/pid': () => String(process.pid) } });
const second = await serve({ host: '127.0.0.1', port: 0, workers: 1, routes: { '/': 'x' } }).then(() => 'started', (error) => error.message);
console.log('second tree: ' + second);
console.log(JSON.stringify({ a: a.port, b: b.port, primary: process.pid, isPrimary: cluster.isPrimary }));
process.stdin.once('data', async () => {
  await Promise.all([a.close(), b.close()]);
  console.log('closed');
  process.stdin.pause();
});
`;

const BAD_OPTIONS_APP = `
import { serve } from 'fastsrv';
for (const options of [{ port: 70000, routes: {} }, { maxAge: 'soon', routes: {} }, { routes: { 'no-slash': 'x' } }, { routes: { '/a/../b': 'x' } }, { workers: 0, admin: '127.0.0.1:0', routes: {} }, {}]) {
  try { await serve(options); console.log('started'); } catch (error) { console.log(error.message); }
}
`;

const TYPED_EXAMPLE = `
import { serve, type RouteHandler, type Server } from 'fastsrv';
const time: RouteHandler = (req) => ({ now: Date.now(), q: req.query.get('q'), agent: req.headers.get('user-agent') });
const server: Server = await serve({
  root: 'public', port: 8080, host: '127.0.0.1', workers: 'auto', maxAge: 3600, cors: true, header: ['X-Frame-Options: DENY'],
  routes: { '/': 'Hello, World!', '/health': { status: 204 }, '/time': time, '/form': { POST: async (req) => ({ bytes: req.body.length }) } },
});
const url: string = server.url;
await server.close();
// @ts-expect-error maxAge is a number of seconds
void serve({ maxAge: '1h' });
// @ts-expect-error no such option
void serve({ maxAgee: 1 });
// @ts-expect-error workers is a number or 'auto'
void serve({ workers: 'many' });
void url;
`;

beforeAll(async () => {
  ({ consumer } = await packAndInstall(scratch));
  writeFileSync(join(consumer, 'app.mjs'), APP);
  writeFileSync(join(consumer, 'drifting.mjs'), DRIFTING_APP);
  writeFileSync(join(consumer, 'bad-options.mjs'), BAD_OPTIONS_APP);
  writeFileSync(join(consumer, 'two-trees.mjs'), TWO_TREES_APP);
  writeFileSync(join(consumer, 'example.ts'), TYPED_EXAMPLE);
}, 240_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface App {
  readonly proc: ChildProcess;
  readonly port: number;
  readonly workers: number;
  output(): string;
  /** Send "close"; resolves with the exit code once the program ends by itself. */
  close(): Promise<number | null>;
}

async function startApp(workers: number | 'auto', env: NodeJS.ProcessEnv = {}): Promise<App> {
  const proc = spawn(process.execPath, ['app.mjs'], { cwd: consumer, env: { ...process.env, WORKERS: String(workers), ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const started = await new Promise<{ port: number; workers: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no url after 30 s:\n${out}`)), 30_000);
    proc.stdout!.on('data', () => {
      const line = out.split('\n').find((l) => l.startsWith('{"url"'));
      if (line === undefined) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as { port: number; workers: number });
    });
    void exited.then((code) => reject(new Error(`the program exited with ${code}:\n${out}`)));
  });
  return {
    proc,
    port: started.port,
    workers: started.workers,
    output: () => out,
    close: async () => {
      proc.stdin!.end('close\n');
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 15_000).unref());
      const code = await Promise.race([exited, timeout]);
      if (code === 'timeout') {
        proc.kill('SIGKILL');
        throw new Error(`the program did not end after close():\n${out}`);
      }
      return code;
    },
  };
}

const hasEngine = expectedEngineVersion() !== null;

describe.runIf(hasEngine)('serve() with one worker (the default shape)', () => {
  let app: App;
  beforeAll(async () => {
    app = await startApp(1);
  }, 60_000);
  afterAll(async () => {
    if (app.proc.exitCode === null) app.proc.kill('SIGKILL');
  });

  it('the hello world: curl gets "Hello, World!" with an ETag, and a 304 for it', async () => {
    const { stdout } = await run('curl', ['-sS', '-i', `http://127.0.0.1:${app.port}/`]);
    expect(stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(stdout.endsWith('\r\n\r\nHello, World!')).toBe(true);
    const etag = /\r\nETag: ("[^"]+")\r\n/i.exec(stdout)?.[1];
    expect(etag).toBeDefined();
    expect(stdout).toContain('Content-Type: text/plain; charset=utf-8');
    const revalidated = await get(app.port, '/', { 'if-none-match': etag! });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body.length).toBe(0);
  });

  it('a fixed route answers HEAD and ranges like a cached file', async () => {
    const head = await get(app.port, '/', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('13');
    expect(head.body.length).toBe(0);
    const part = await get(app.port, '/', { range: 'bytes=7-11' });
    expect(part.status).toBe(206);
    expect(part.body.toString()).toBe('World');
    expect(part.headers['content-range']).toBe('bytes 7-11/13');
  });

  it('a compressible fixed route is served compressed, with its own ETag', async () => {
    let reply = await get(app.port, '/long.txt', { 'accept-encoding': 'br' });
    for (let i = 0; i < 50 && reply.headers['content-encoding'] !== 'br'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      reply = await get(app.port, '/long.txt', { 'accept-encoding': 'br' });
    }
    expect(reply.headers['content-encoding']).toBe('br');
    expect(reply.headers.vary).toBe('Accept-Encoding');
    const plain = await get(app.port, '/long.txt');
    expect(plain.body.toString()).toBe('fastsrv serves this text from memory. '.repeat(100));
    expect(plain.headers.etag).not.toBe(reply.headers.etag);
  });

  it('{ status: 204 } answers 204 with no body; other statuses carry their headers and body', async () => {
    const health = await get(app.port, '/health');
    expect(health.status).toBe(204);
    expect(health.headers['content-length']).toBeUndefined();
    const teapot = await get(app.port, '/teapot');
    expect(teapot.status).toBe(418);
    expect(teapot.headers['x-kind']).toBe('pot');
    expect(teapot.body.toString()).toBe('short and stout');
  });

  it('a plain object is JSON, precomputed', async () => {
    const reply = await get(app.port, '/data.json');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(reply.body.toString())).toEqual({ a: 1, list: [1, 2] });
    expect(reply.headers.etag).toMatch(/^"/);
  });

  it('a function route sees method, decoded path, query and headers', async () => {
    const reply = await get(app.port, '/echo?q=caf%C3%A9&x=1', { accept: 'text/x-test' });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body.toString())).toEqual({ method: 'GET', path: '/echo', q: 'café', accept: 'text/x-test' });
    expect(reply.headers.etag).toBeUndefined();
    const later = await get(app.port, '/header-later', { 'x-probe': 'after an await' });
    expect(JSON.parse(later.body.toString())).toEqual({ probe: 'after an await', missing: null });
    const head = await get(app.port, '/echo', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
    expect(head.body.length).toBe(0);
  });

  it('undefined is 204; a thrown error and a rejected promise are a fixed 500, logged once; the server stays up', async () => {
    expect((await get(app.port, '/nothing')).status).toBe(204);
    for (const path of ['/throws', '/throws', '/rejects', '/rejects']) {
      const reply = await get(app.port, path);
      expect(reply.status).toBe(500);
      expect(reply.body.toString()).toBe('<!doctype html>\n<title>500 Internal Server Error</title>\n<h1>500 Internal Server Error</h1>\n');
    }
    expect((await get(app.port, '/')).status).toBe(200);
    expect(app.output().match(/\bsync failure/g)).toHaveLength(1);
    expect(app.output().match(/async failure/g)).toHaveLength(1);
  });

  it('other methods: POST with a body to a { GET, POST } route, 405 with Allow otherwise, OPTIONS', async () => {
    const post = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: app.port, path: '/form', method: 'POST', headers: { 'content-type': 'text/plain' } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.end('x'.repeat(100_000));
    });
    expect(post.status).toBe(200);
    expect(JSON.parse(post.body)).toEqual({ length: 100_000, type: 'text/plain' });
    const put = await get(app.port, '/form', {}, 'PUT');
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
    const options = await get(app.port, '/form', {}, 'OPTIONS');
    expect(options.status).toBe(204);
    expect(options.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
    expect((await get(app.port, '/echo', {}, 'DELETE')).status).toBe(405);
  });

  it('a client that goes away before an async route answers: nothing is written, the worker lives on', async () => {
    const pidBefore = (await get(app.port, '/pid')).body.toString();
    for (let i = 0; i < 5; i++) {
      const socket = connect(app.port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      socket.write('GET /later HTTP/1.1\r\nHost: x\r\n\r\n');
      await new Promise((r) => setTimeout(r, 50));
      socket.destroy();
    }
    await new Promise((r) => setTimeout(r, 600));
    expect((await get(app.port, '/later')).body.toString()).toBe('late');
    expect((await get(app.port, '/pid')).body.toString()).toBe(pidBefore);
    expect(app.output()).not.toMatch(/died|Invalid access|uncaught/i);
  });

  it('close() lets a download in flight finish, then the program ends by itself', async () => {
    const total = 32 * 1024 * 1024;
    const received = new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port: app.port, path: '/big' }, (res) => {
        let bytes = 0;
        res.once('data', (chunk: Buffer) => {
          bytes += chunk.length;
          // Slow: the rest is read only after close() has begun.
          res.pause();
          setTimeout(() => res.resume(), 800);
          res.on('data', (more: Buffer) => (bytes += more.length));
        });
        res.on('end', () => resolve(bytes));
        res.on('error', reject);
      })
        .on('error', reject)
        .end();
    });
    await new Promise((r) => setTimeout(r, 200));
    const code = app.close();
    expect(await received).toBe(total);
    expect(await code).toBe(0);
    expect(app.output()).toContain('closed');
  }, 30_000);
});

describe.runIf(hasEngine)('serve() with 2 workers and with workers: 0', () => {
  it('workers: 2 — both workers answer the function route; the url is printed once, by the primary', async () => {
    const app = await startApp(2);
    try {
      expect(app.workers).toBe(2);
      const pids = new Set<string>();
      for (let i = 0; i < 200 && pids.size < 2; i++) {
        // A new connection each time: the kernel spreads them over the SO_REUSEPORT listeners.
        pids.add((await get(app.port, '/pid', { connection: 'close' })).body.toString());
      }
      expect(pids.size).toBe(2);
      expect(pids.has(String(app.proc.pid))).toBe(false);
      expect(app.output().match(/"url"/g)).toHaveLength(1);
      expect(await app.close()).toBe(0);
    } finally {
      if (app.proc.exitCode === null) app.proc.kill('SIGKILL');
    }
  }, 60_000);

  it('workers: 0 — this process serves (files of a root too), logs async routes with their final status, and close() ends it', async () => {
    const root = join(scratch, 'site');
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'page.html'), '<p>a file</p>\n');
    writeFileSync(join(root, 'index.html'), '<p>the file the route hides</p>\n');
    const log = join(scratch, 'access.log');
    const app = await startApp(0, { ROOT: root, LOG: log });
    try {
      expect(app.workers).toBe(0);
      expect((await get(app.port, '/pid')).body.toString()).toBe(String(app.proc.pid));
      expect((await get(app.port, '/page.html')).body.toString()).toBe('<p>a file</p>\n');
      expect((await get(app.port, '/')).body.toString()).toBe('Hello, World!');
      expect(JSON.parse((await get(app.port, '/echo?q=1')).body.toString()).q).toBe('1');
      expect((await get(app.port, '/later')).body.toString()).toBe('late');
      const socket = connect(app.port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      socket.end('GET /later?gone=1 HTTP/1.1\r\nHost: x\r\n\r\n');
      await new Promise((r) => setTimeout(r, 50));
      socket.destroy();
      expect((await get(app.port, '/rejects')).status).toBe(500);
      expect(await app.close()).toBe(0);
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      expect(lines.find((l) => l.includes('"GET /later HTTP/1.1"'))).toMatch(/" 200 4 "/);
      expect(lines.find((l) => l.includes('"GET /later?gone=1 HTTP/1.1"'))).toMatch(/" 499 0 "/);
      expect(lines.find((l) => l.includes('"GET /rejects HTTP/1.1"'))).toMatch(/" 500 \d+ "/);
      expect(lines.find((l) => l.includes('"GET /page.html HTTP/1.1"'))).toMatch(/" 200 14 "/);
    } finally {
      if (app.proc.exitCode === null) app.proc.kill('SIGKILL');
    }
  }, 60_000);

  it('one tree per program: a workers: 0 server beside it runs in the primary, a second tree rejects', async () => {
    const proc = spawn(process.execPath, ['two-trees.mjs'], { cwd: consumer, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve));
    try {
      const ports = await new Promise<{ a: number; b: number; primary: number }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ports after 30 s:\n${out}`)), 30_000);
        proc.stdout!.on('data', () => {
          const line = out.split('\n').find((l) => l.startsWith('{"a"'));
          if (line === undefined) return;
          clearTimeout(timer);
          resolve(JSON.parse(line) as { a: number; b: number; primary: number });
        });
      });
      expect((await get(ports.a, '/')).body.toString()).toBe('in the primary');
      expect((await get(ports.a, '/pid')).body.toString()).toBe(String(ports.primary));
      expect((await get(ports.b, '/')).body.toString()).toBe('tree b');
      const pids = new Set<string>();
      for (let i = 0; i < 200 && pids.size < 2; i++) pids.add((await get(ports.b, '/pid', { connection: 'close' })).body.toString());
      expect(pids.size).toBe(2);
      expect(pids.has(String(ports.primary))).toBe(false);
      expect(out).toContain('second tree: serve(): this program already started a tree of workers');
      expect(out.match(/"isPrimary":true/g)).toHaveLength(1);
      proc.stdin!.end('close\n');
      expect(await exited).toBe(0);
      expect(out).toContain('closed');
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
  }, 60_000);

  it('fixed routes that differ between the primary and a worker: serve() rejects and says why', async () => {
    const result = await run(process.execPath, ['drifting.mjs'], { cwd: consumer, timeout: 30_000 }).catch((error: { stdout: string; code: number }) => error);
    expect(result.stdout).toMatch(/^rejected: .*other routes than the primary: routes must be created the same way in every process/m);
    expect((result as { code?: number }).code).toBe(3);
  }, 40_000);
});

describe.runIf(hasEngine)('the README', () => {
  it('opens with a hello world that works as written (port 0 here instead of 8080)', async () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const snippet = /^```js\n([\s\S]*?)```/m.exec(readme)![1];
    expect(readme.indexOf(snippet)).toBeLessThan(readme.indexOf('## Quick start'));
    expect(snippet.trim().split('\n')).toHaveLength(4);
    writeFileSync(join(consumer, 'hello.mjs'), snippet.replace('port: 8080', 'port: 0'));
    const proc = spawn(process.execPath, ['hello.mjs'], { cwd: consumer, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no url after 30 s:\n${out}`)), 30_000);
        proc.stdout!.on('data', () => {
          const match = /^Serving on (http:\/\/\S+)$/m.exec(out);
          if (match === null) return;
          clearTimeout(timer);
          resolve(match[1]);
        });
      });
      const { stdout } = await run('curl', ['-sS', url]);
      expect(stdout).toBe('Hello, World!');
      expect(out.match(/Serving on/g)).toHaveLength(1);
    } finally {
      process.kill(-proc.pid!, 'SIGTERM');
      await new Promise((r) => (proc.exitCode === null && proc.signalCode === null ? proc.on('exit', r) : r(null)));
    }
  }, 60_000);
});

describe('serve() options and routes are checked like the CLI flags', () => {
  it('rejects with the CLI validators\' messages, naming the option or route', async () => {
    const { stdout } = await run(process.execPath, ['bad-options.mjs'], { cwd: consumer, timeout: 30_000 });
    expect(stdout.trim().split('\n')).toEqual([
      'serve(): "port": invalid port "70000": expected an integer from 0 to 65535',
      'serve(): "maxAge" must be a number, got a string',
      'serve(): route "no-slash" must start with "/"',
      'serve(): route "/a/../b" has "." or ".." segments or "//": give the path as clients ask for it',
      'serve(): "admin" needs workers ≥ 1 (the cluster primary serves /metrics)',
      'serve() needs a root directory, routes, or both',
    ]);
  }, 40_000);

  it('the published types check an example program with tsc (and refuse wrong options)', async () => {
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true,
          types: ['node'], typeRoots: [join(REPO, 'node_modules/@types')],
        },
        files: ['example.ts'],
      }),
    );
    const result = await run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: consumer }).catch(
      (error: { stdout: string }) => error,
    );
    expect(result.stdout).toBe('');
  }, 60_000);
});
