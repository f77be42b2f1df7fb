/**
 * Issue 12, the admin listener: real scrapes of /metrics (the exposition
 * parsed, sums over both workers), /healthz through start, drain, reload
 * and a killed worker.
 */
import { createServer } from 'node:net';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { makeBytes, makeTree, type Tree } from '../helpers/fixtures.js';
import { findAdminAddress, findFreePort, parseExposition, scrape } from '../helpers/metrics.js';
import { listChildren, waitFor } from '../helpers/proc.js';
import { get, runCli, startCli, type RunningCli } from '../helpers/server.js';

let tree: Tree | null = null;
let server: RunningCli | null = null;
afterEach(async () => {
  await server?.stop();
  tree?.remove();
  server = tree = null;
});

const INDEX = '<!doctype html><p>home</p>\n';

async function startWithAdmin(extra: string[] = []): Promise<{ server: RunningCli; admin: number }> {
  server = await startCli(tree!.root, ['--admin', '127.0.0.1:0', ...extra]);
  return { server, admin: findAdminAddress(server.banner).port };
}

describe('--admin: /metrics', () => {
  it('sums over both workers equal the requests made, by status, and the bytes sent', async () => {
    tree = makeTree({ 'index.html': INDEX, 'big.bin': makeBytes(200 * 1024, 3) });
    const { server, admin } = await startWithAdmin(['--no-compress']);
    const etag = (await get(server.port, '/index.html')).headers.etag!;
    let bytes = INDEX.length;
    const expected = new Map<number, number>([[200, 1]]);
    const count = (status: number): void => void expected.set(status, (expected.get(status) ?? 0) + 1);
    // Fresh connections: the kernel spreads them over both workers.
    for (let i = 0; i < 60; i++) {
      const kind = i % 6;
      const reply =
        kind === 0 ? await get(server.port, '/')
        : kind === 1 ? await get(server.port, '/missing')
        : kind === 2 ? await get(server.port, '/index.html', { 'If-None-Match': etag })
        : kind === 3 ? await get(server.port, '/index.html', {}, 'HEAD')
        : kind === 4 ? await get(server.port, '/big.bin')
        : await get(server.port, '/index.html', { Range: 'bytes=0-4' });
      count(reply.status);
      if (kind !== 3) bytes += reply.body.length;
    }
    expect([...expected.keys()].sort()).toEqual([200, 206, 304, 404]);
    const samples = await scrape(admin);
    for (const [status, n] of expected) expect(samples.get(`fastsrv_requests_total{code="${status}"}`), `code ${status}`).toBe(n);
    const codes = [...samples.keys()].filter((k) => k.startsWith('fastsrv_requests_total{'));
    expect(codes).toHaveLength(expected.size);
    expect(samples.get('fastsrv_response_bytes_total')).toBe(bytes);
    expect(samples.get('fastsrv_workers')).toBe(2);
    expect(samples.get('fastsrv_workers_configured')).toBe(2);
    expect(samples.get('fastsrv_worker_restarts_total')).toBe(0);
    expect(samples.get('fastsrv_reloads_total{result="ok"}')).toBe(0);
    expect(samples.get('fastsrv_cache_files')).toBe(2);
    expect(samples.get('fastsrv_cache_bytes')).toBe(2 * (INDEX.length + 200 * 1024));
    expect(samples.get('fastsrv_streams_active')).toBe(0);
    expect(samples.get('fastsrv_compression_pending')).toBe(0);
    // prom-client's default process metrics, summed over the tree.
    expect(samples.get('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(samples.get('process_resident_memory_bytes')).toBeGreaterThan(3 * 20 * 1024 * 1024);
    expect(samples.has('nodejs_heap_size_used_bytes')).toBe(true);
  });

  it('the admin port is not the site: a scrape is not counted, the site has no /metrics', async () => {
    tree = makeTree({ 'index.html': INDEX });
    const { server, admin } = await startWithAdmin();
    expect((await get(server.port, '/metrics')).status).toBe(404);
    await scrape(admin);
    const samples = await scrape(admin);
    expect(samples.get('fastsrv_requests_total{code="404"}')).toBe(1);
    expect(samples.has('fastsrv_requests_total{code="200"}')).toBe(false);
    const other = await get(admin, '/');
    expect(other.status).toBe(404);
    expect((await get(admin, '/healthz', {}, 'POST')).status).toBe(405);
    const head = await get(admin, '/healthz', {}, 'HEAD');
    expect([head.status, head.body.length]).toEqual([200, 0]);
  });

  it('a worker killed with SIGKILL shows in fastsrv_worker_restarts_total; /healthz is 200 once it is back', async () => {
    tree = makeTree({ 'index.html': INDEX });
    const { server, admin } = await startWithAdmin();
    const [victim] = listChildren(server.proc.pid!);
    process.kill(victim, 'SIGKILL');
    expect(await waitFor(() => server.output().includes(`worker ${victim} died`), 5_000)).toBe(true);
    const samples = await scrape(admin);
    expect(samples.get('fastsrv_worker_restarts_total')).toBe(1);
    expect(await waitFor(async () => (await get(admin, '/healthz')).status === 200, 5_000)).toBe(true);
    expect((await scrape(admin)).get('fastsrv_workers')).toBe(2);
  });
});

describe('--admin: /healthz', () => {
  it('503 "starting" until every worker listens, then 200 "ok"', async () => {
    // Enough files that the workers take a while to build their caches.
    const files: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) files[`d${i % 30}/f${i}.txt`] = `file ${i}\n`;
    tree = makeTree(files);
    const adminPort = await findFreePort();
    const seen: string[] = [];
    let isPolling = true;
    const poll = (async () => {
      while (isPolling) {
        try {
          const reply = await get(adminPort, '/healthz');
          const text = `${reply.status} ${reply.body.toString().trim()}`;
          if (seen[seen.length - 1] !== text) seen.push(text);
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    server = await startCli(tree.root, ['--admin', `127.0.0.1:${adminPort}`, '--no-compress']);
    await waitFor(() => seen.includes('200 ok'), 2_000);
    isPolling = false;
    await poll;
    expect(seen).toEqual(['503 starting', '200 ok']);
  });

  it('503 "draining" during a SIGTERM drain with a slow download in flight, until the tree exits', async () => {
    tree = makeTree({ 'index.html': INDEX, 'big.bin': makeBytes(48 * 1024 * 1024, 5) });
    const { server, admin } = await startWithAdmin(['--drain-timeout', '3']);
    expect((await get(admin, '/healthz')).status).toBe(200);
    const socket = connect(server.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write('GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    socket.pause(); // a slow client: the download stays in flight
    const exited = new Promise<number | null>((resolve) => server.proc.on('exit', resolve));
    server.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    const during = await get(admin, '/healthz');
    expect([during.status, during.body.toString()]).toEqual([503, 'draining\n']);
    expect((await scrape(admin)).get('fastsrv_streams_active')).toBe(1);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await get(admin, '/healthz')).status).toBe(503); // still draining, still answering
    socket.resume();
    expect(await exited).toBe(0);
    socket.destroy();
    await expect(get(admin, '/healthz')).rejects.toThrow();
  }, 20_000);

  it('200 again after a SIGHUP reload completes; counts of the retired workers are kept', async () => {
    tree = makeTree({ 'index.html': INDEX });
    const { server, admin } = await startWithAdmin();
    for (let i = 0; i < 20; i++) await get(server.port, '/');
    const before = listChildren(server.proc.pid!);
    server.proc.kill('SIGHUP');
    expect(await waitFor(() => server.output().includes('reload done'), 15_000)).toBe(true);
    expect(listChildren(server.proc.pid!).some((pid) => before.includes(pid))).toBe(false);
    const health = await get(admin, '/healthz');
    expect([health.status, health.body.toString()]).toEqual([200, 'ok\n']);
    const samples = await scrape(admin);
    expect(samples.get('fastsrv_reloads_total{result="ok"}')).toBe(1);
    expect(samples.get('fastsrv_requests_total{code="200"}')).toBe(20);
    expect(samples.get('fastsrv_response_bytes_total')).toBe(20 * INDEX.length);
    expect(samples.get('fastsrv_workers')).toBe(2);
  }, 30_000);
});

describe('--admin start-up errors', () => {
  it('a port in use: one line, exit 1', async () => {
    tree = makeTree({ 'index.html': INDEX });
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const { code, stderr } = await runCli([tree.root, '--host', '127.0.0.1', '--port', '0', '--admin', `127.0.0.1:${port}`]);
    blocker.close();
    expect(code).toBe(1);
    expect(stderr).toBe(`fastsrv: --admin 127.0.0.1:${port} is already in use\n`);
  });

  it.each([
    [['--admin', '127.0.0.1:99999'], 'invalid --admin "127.0.0.1:99999"'],
    [['--admin', 'localhost'], 'invalid --admin "localhost"'],
    [['--port', '8123', '--admin', '127.0.0.1:8123'], '--admin port 8123 is the site\'s --port'],
  ])('%j: usage error, exit 2', async (argv, message) => {
    tree = makeTree({ 'index.html': INDEX });
    const { code, stderr } = await runCli([tree.root, ...argv]);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toContain(message);
  });
});

describe('parseExposition (test helper)', () => {
  it('refuses a malformed line', () => {
    expect(() => parseExposition('# TYPE a counter\na{code="1"} x y\n')).toThrow(/not an exposition line/);
  });
});
