/**
 * Issue 12, the access log: the real CLI with two workers writing one file;
 * every response is one line with the right fields, in both formats;
 * SIGUSR1 reopens after a move; a bad path stops the start with exit 2; a
 * failing disk does not stop serving.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { makeBytes, makeTree, type Tree } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/proc.js';
import { get, runCli, startCli, type Reply, type RunningCli } from '../helpers/server.js';

let tree: Tree | null = null;
let server: RunningCli | null = null;
afterEach(async () => {
  await server?.stop();
  tree?.remove();
  server = tree = null;
});

const BIG = makeBytes(300 * 1024, 4); // cached, sent with tryEnd (over 64 KiB)
const STREAMED = makeBytes(3 * 1024 * 1024, 5); // over --max-file-size: read from disk

function makeSite(): Tree {
  return makeTree({
    'index.html': '<!doctype html><p>home</p>\n',
    'style.css': 'body { color: red; }\n',
    'docs/index.html': '<p>docs</p>\n',
    'big.bin': BIG,
    'streamed.bin': STREAMED,
    'café.txt': 'non-ASCII name\n',
  });
}

/** A request, the status and body size expected, and the user agent that marks its line. */
interface Case {
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly status: number;
  readonly bytes: number;
}

function buildCases(etag: string): Case[] {
  const index = '<!doctype html><p>home</p>\n'.length;
  return [
    { method: 'GET', path: '/', status: 200, bytes: index },
    { method: 'GET', path: '/index.html?utm=1&x="y"', status: 200, bytes: index },
    { method: 'HEAD', path: '/index.html', status: 200, bytes: 0 },
    { method: 'GET', path: '/index.html', headers: { 'If-None-Match': etag }, status: 304, bytes: 0 },
    { method: 'GET', path: '/index.html', headers: { Range: 'bytes=0-9' }, status: 206, bytes: 10 },
    { method: 'GET', path: '/style.css', headers: { Referer: 'https://example.com/a "b"' }, status: 200, bytes: 21 },
    { method: 'GET', path: '/missing.html', status: 404, bytes: -1 },
    { method: 'POST', path: '/index.html', status: 405, bytes: -1 },
    { method: 'OPTIONS', path: '/', status: 204, bytes: 0 },
    { method: 'GET', path: '/docs', status: 301, bytes: 0 },
    { method: 'GET', path: '/caf%C3%A9.txt', status: 200, bytes: 15 },
    { method: 'GET', path: '/%zz', status: 400, bytes: -1 },
    { method: 'GET', path: '/big.bin', status: 200, bytes: BIG.length },
    { method: 'GET', path: '/streamed.bin', status: 200, bytes: STREAMED.length },
    { method: 'GET', path: '/streamed.bin', headers: { Range: 'bytes=100-199' }, status: 206, bytes: 100 },
  ];
}

/** Send every case `rounds` times on fresh connections (so both workers serve); return what came back by user agent. */
async function sendCases(port: number, cases: readonly Case[], rounds: number): Promise<Map<string, { c: Case; reply: Reply }>> {
  const sent = new Map<string, { c: Case; reply: Reply }>();
  for (let round = 0; round < rounds; round++) {
    await Promise.all(
      cases.map(async (c, i) => {
        const userAgent = `test-agent/${round}.${i} "quoted"`;
        const reply = await get(port, c.path, { ...c.headers, 'User-Agent': userAgent }, c.method);
        expect(reply.status, `${c.method} ${c.path}`).toBe(c.status);
        sent.set(userAgent, { c, reply });
      }),
    );
  }
  return sent;
}

/** Lines of the log once `count` are there (batches land within 100 ms). */
async function readLines(path: string, count: number): Promise<string[]> {
  const read = (): string[] => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l !== '') : []);
  await waitFor(() => read().length >= count, 3_000);
  await new Promise((r) => setTimeout(r, 250)); // and no more than that
  return read();
}

const COMBINED = /^(\S+) - - \[(\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] "([^"]*)" (\d{3}) (\d+) "([^"]*)" "([^"]*)"$/;

describe('--access-log (combined)', () => {
  it('one line per response across two workers, with nginx combined fields', async () => {
    tree = makeSite();
    const log = join(tree.root, '..', 'access.log');
    server = await startCli(tree.root, ['--access-log', log, '--max-file-size', '1M', '--no-compress']);
    const etag = (await get(server.port, '/index.html', { 'User-Agent': 'etag-probe' })).headers.etag!;
    const sent = await sendCases(server.port, buildCases(etag), 3);
    const lines = await readLines(log, sent.size + 1);
    expect(lines).toHaveLength(sent.size + 1);
    const seen = new Set<string>();
    for (const line of lines) {
      const match = COMBINED.exec(line);
      expect(match, line).not.toBeNull();
      const [, remote, , request, status, bytes, referer, agent] = match!;
      expect(remote).toBe('127.0.0.1');
      if (agent === 'etag-probe') continue;
      const userAgent = agent.replaceAll('\\x22', '"');
      const entry = sent.get(userAgent);
      expect(entry, line).toBeDefined();
      const { c, reply } = entry!;
      const target = c.path.replaceAll('"', '\\x22');
      expect(request).toBe(`${c.method} ${target} HTTP/1.1`);
      expect(Number(status)).toBe(c.status);
      expect(Number(bytes)).toBe(c.bytes === -1 ? reply.body.length : c.bytes);
      expect(referer).toBe(c.headers?.Referer?.replaceAll('"', '\\x22') ?? '-');
      seen.add(userAgent);
    }
    expect(seen.size).toBe(sent.size);
  });

  it('an aborted download of a streamed file logs the bytes written, not the file size', async () => {
    tree = makeTree({ 'huge.bin': makeBytes(64 * 1024 * 1024, 6) });
    const log = join(tree.root, '..', 'access.log');
    server = await startCli(tree.root, ['--access-log', log, '--max-file-size', '1M']);
    const socket = connect(server.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write('GET /huge.bin HTTP/1.1\r\nHost: x\r\nUser-Agent: aborter\r\n\r\n');
    let received = 0;
    socket.on('data', (c) => (received += c.length));
    await waitFor(() => received > 1024 * 1024, 5_000);
    socket.pause();
    await new Promise((r) => setTimeout(r, 200));
    socket.destroy();
    const [line] = await readLines(log, 1);
    const match = COMBINED.exec(line)!;
    expect(match[4]).toBe('200');
    const bytes = Number(match[5]);
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(64 * 1024 * 1024);
    expect(match[7]).toBe('aborter');
  });
});

describe('--access-log --log-format json', () => {
  it('one JSON object per response with every field; both workers write', async () => {
    tree = makeSite();
    const log = join(tree.root, '..', 'access.json');
    server = await startCli(tree.root, ['--access-log', log, '--log-format', 'json', '--max-file-size', '1M', '--no-compress']);
    const before = Date.now();
    const etag = (await get(server.port, '/index.html', { 'User-Agent': 'etag-probe' })).headers.etag!;
    const sent = await sendCases(server.port, buildCases(etag), 3);
    const lines = await readLines(log, sent.size + 1);
    expect(lines).toHaveLength(sent.size + 1);
    const workers = new Set<number>();
    for (const line of lines) {
      const record = JSON.parse(line) as Record<string, unknown>;
      expect(Object.keys(record)).toEqual(['time', 'remote', 'method', 'path', 'query', 'status', 'bytes', 'referer', 'user_agent', 'duration_ms', 'worker']);
      expect(Date.parse(record.time as string)).toBeGreaterThanOrEqual(before - 1000);
      expect(record.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(record.remote).toBe('127.0.0.1');
      expect(record.duration_ms).toBeGreaterThanOrEqual(0);
      workers.add(record.worker as number);
      if (record.user_agent === 'etag-probe') continue;
      const { c, reply } = sent.get(record.user_agent as string)!;
      const [path, query] = c.path.split('?');
      expect(record).toMatchObject({
        method: c.method,
        path,
        query: query ?? '',
        status: c.status,
        bytes: c.bytes === -1 ? reply.body.length : c.bytes,
        referer: c.headers?.Referer ?? '',
      });
    }
    expect([...workers].sort()).toEqual([0, 1]);
  });
});

describe('SIGUSR1', () => {
  it('after the log is moved, new lines land in a new file at the path', async () => {
    tree = makeSite();
    const log = join(tree.root, '..', 'access.log');
    server = await startCli(tree.root, ['--access-log', log]);
    for (let i = 0; i < 10; i++) await get(server.port, '/', { 'User-Agent': `before-${i}` });
    await readLines(log, 10);
    renameSync(log, log + '.1');
    server.proc.kill('SIGUSR1');
    expect(await waitFor(() => server!.output().includes('SIGUSR1: reopening'), 2_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 200)); // the workers' reopen
    for (let i = 0; i < 10; i++) await get(server.port, '/', { 'User-Agent': `after-${i}` });
    const after = await readLines(log, 10);
    const moved = readFileSync(log + '.1', 'utf8').split('\n').filter((l) => l !== '');
    expect(moved).toHaveLength(10);
    expect(moved.every((l) => l.includes('"before-'))).toBe(true);
    expect(after).toHaveLength(10);
    expect(after.every((l) => l.includes('"after-'))).toBe(true);
    expect(server.proc.exitCode).toBe(null); // SIGUSR1 did not stop (or debug) the primary
  });
});

describe('--pid-file', () => {
  it('holds the primary\'s pid while it runs (what logrotate signals), and is removed at exit', async () => {
    tree = makeSite();
    const pidFile = join(tree.root, '..', 'fastsrv.pid');
    const log = join(tree.root, '..', 'access.log');
    server = await startCli(tree.root, ['--pid-file', pidFile, '--access-log', log]);
    expect(readFileSync(pidFile, 'utf8')).toBe(`${server.proc.pid}\n`);
    process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGUSR1');
    expect(await waitFor(() => server!.output().includes(`SIGUSR1: reopening ${log}`), 2_000)).toBe(true);
    expect(await server.stop()).toBe(0);
    expect(existsSync(pidFile)).toBe(false);
  });

  it('a pid file that cannot be written: exit 2 with one line', async () => {
    tree = makeSite();
    const pidFile = join(tree.root, 'no', 'such', 'fastsrv.pid');
    const { code, stderr } = await runCli([tree.root, '--port', '0', '--pid-file', pidFile]);
    expect(code).toBe(2);
    expect(stderr).toBe(`fastsrv: cannot write --pid-file ${pidFile}: ENOENT: no such file or directory\n`);
  });
});

describe('access log failures', () => {
  it.each([
    ['a missing directory', (dir: string) => join(dir, 'no', 'such', 'dir', 'access.log'), 'ENOENT: no such file or directory'],
    ['a directory', (dir: string) => dir, 'EISDIR: illegal operation on a directory'],
  ])('%s: exit 2 with one line, before any worker starts', async (_what, pathOf, reason) => {
    tree = makeSite();
    const path = pathOf(tree.root);
    const { code, stdout, stderr } = await runCli([tree.root, '--port', '0', '--access-log', path]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`fastsrv: cannot open --access-log ${path}: ${reason}\n`);
  });

  it.skipIf(!existsSync('/dev/full'))('a write error (disk full) is reported once and serving goes on', async () => {
    tree = makeSite();
    server = await startCli(tree.root, ['--access-log', '/dev/full']);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 20; i++) expect((await get(server.port, '/')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 150)); // a batch is written (and fails)
    }
    const reports = server.output().split('\n').filter((l) => l.includes('access log /dev/full: write failed'));
    expect(reports.length).toBeGreaterThanOrEqual(1);
    expect(reports.length).toBeLessThanOrEqual(2); // once per worker
    expect(reports[0]).toMatch(/ENOSPC: no space left on device\); lines are dropped, serving goes on$/);
  });

  it('"-" writes the lines to stdout', async () => {
    tree = makeSite();
    server = await startCli(tree.root, ['--access-log', '-']);
    await get(server.port, '/style.css', { 'User-Agent': 'to-stdout' });
    expect(await waitFor(() => /"GET \/style\.css HTTP\/1\.1" 200 21 "-" "to-stdout"\n/.test(server!.output()), 2_000)).toBe(true);
  });
});
