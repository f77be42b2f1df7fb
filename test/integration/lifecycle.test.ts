/**
 * Issue #7, process lifecycle under load: SIGHUP rolling reload, a worker
 * killed with SIGKILL, graceful drain and the second signal.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { makeBytes, makeTree, type Tree } from '../helpers/fixtures.js';
import { startLoad, total } from '../helpers/load.js';
import { countSockets, listChildren, waitFor } from '../helpers/proc.js';
import { get, startCli, type RunningCli } from '../helpers/server.js';

let tree: Tree | null = null;
let server: RunningCli | null = null;
afterEach(async () => {
  await server?.stop();
  tree?.remove();
  server = tree = null;
});

const migrateReq = ((): number | null => {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/tcp_migrate_req', 'utf8'));
  } catch {
    return null;
  }
})();

describe('SIGHUP', () => {
  it('replaces every worker, one at a time, with zero errors and zero 5xx under connecting clients', async () => {
    tree = makeTree({ 'a.txt': 'a'.repeat(1000) });
    server = await startCli(tree.root);
    const primary = server.proc.pid!;
    const before = listChildren(primary);
    const fresh = startLoad(server.port, '/a.txt', 16, true);
    const kept = startLoad(server.port, '/a.txt', 4, false);
    await new Promise((r) => setTimeout(r, 300));
    server.proc.kill('SIGHUP');
    const replaced = await waitFor(() => {
      const now = listChildren(primary);
      return now.length === 2 && now.every((pid) => !before.includes(pid));
    }, 15_000);
    await new Promise((r) => setTimeout(r, 300));
    const [a, b] = await Promise.all([fresh.stop(), kept.stop()]);
    expect(replaced).toBe(true);
    expect(server.output()).toContain('reload done');
    expect(a.requests).toBeGreaterThan(100);
    expect(Object.fromEntries(a.statuses)).toEqual({ 200: a.requests - total(a.errors) });
    expect(Object.fromEntries(b.statuses)).toEqual({ 200: b.requests - total(b.errors) });
    // Keep-alive clients whose worker retired see the connection closed
    // between requests, which node:http retries on a new connection.
    expect(Object.fromEntries(b.errors)).toEqual({});
    if (migrateReq === 1) expect(Object.fromEntries(a.errors)).toEqual({});
    else expect(total(a.errors)).toBeLessThanOrEqual(2); // README: queued connections may be reset
  }, 30_000);
});

describe('a worker killed with SIGKILL under load', () => {
  it('is replaced, the cause is logged, and only its own connections fail', async () => {
    tree = makeTree({ 'a.txt': 'a'.repeat(1000) });
    server = await startCli(tree.root);
    const primary = server.proc.pid!;
    const load = startLoad(server.port, '/a.txt', 12, false);
    await new Promise((r) => setTimeout(r, 300));
    const [victim] = listChildren(primary);
    const held = countSockets(victim) - 1; // minus its listener
    process.kill(victim, 'SIGKILL');
    const back = await waitFor(() => listChildren(primary).length === 2 && !listChildren(primary).includes(victim), 5_000);
    await new Promise((r) => setTimeout(r, 300));
    const result = await load.stop();
    expect(back).toBe(true);
    expect(server.output()).toMatch(new RegExp(`worker ${victim} died \\(killed by SIGKILL\\); restarting`));
    expect(result.statuses.get(200)).toBeGreaterThan(100);
    expect([...result.statuses.keys()]).toEqual([200]);
    // At most one failed request per connection the dead worker held.
    expect(total(result.errors)).toBeLessThanOrEqual(Math.max(held, 0) + 1);
  }, 20_000);
});

describe('SIGTERM', () => {
  it('a second signal exits at once, even with a download in flight', async () => {
    tree = makeTree({ 'big.bin': makeBytes(64 * 1024 * 1024, 2) });
    server = await startCli(tree.root, ['--drain-timeout', '30']);
    const socket = connect(server.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write('GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    socket.pause();
    const exited = new Promise<number | null>((resolve) => server!.proc.on('exit', resolve));
    server.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    expect(server.proc.exitCode).toBe(null); // still draining the download
    const started = Date.now();
    server.proc.kill('SIGTERM');
    const code = await exited;
    socket.destroy();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(code).not.toBe(0);
    expect(server.output()).toContain('second signal: exiting at once');
  }, 20_000);

  it('--drain-timeout bounds the wait for a stuck download; the tree still exits 0', async () => {
    tree = makeTree({ 'big.bin': makeBytes(64 * 1024 * 1024, 2) });
    server = await startCli(tree.root, ['--drain-timeout', '1']);
    const socket = connect(server.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write('GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    socket.pause(); // never reads again
    const started = Date.now();
    const code = await server.stop();
    socket.destroy();
    expect(code).toBe(0);
    expect(Date.now() - started).toBeGreaterThan(900);
    expect(Date.now() - started).toBeLessThan(3_000);
  }, 20_000);
});

describe('SIGHUP without watching', () => {
  it('new workers read the tree again: changes made meanwhile are served', async () => {
    tree = makeTree({ 'a.txt': 'x' });
    server = await startCli(tree.root, ['--no-watch']);
    writeFileSync(join(tree.root, 'a.txt'), 'y');
    await new Promise((r) => setTimeout(r, 300));
    expect((await get(server.port, '/a.txt')).body.toString()).toBe('x');
    server.proc.kill('SIGHUP');
    expect(await waitFor(() => server!.output().includes('reload done'), 10_000)).toBe(true);
    for (let i = 0; i < 8; i++) expect((await get(server.port, '/a.txt')).body.toString()).toBe('y');
  });
});
