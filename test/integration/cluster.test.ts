/**
 * Process behaviour of the real CLI: both workers serve, crashed workers
 * come back, SIGTERM drains in-flight responses and exits 0.
 */
import { renameSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { makeBytes, makeTree, type Tree } from '../helpers/fixtures.js';
import { countSockets, isAlive, listChildren, waitFor } from '../helpers/proc.js';
import { get, startCli, type RunningCli } from '../helpers/server.js';

let tree: Tree | null = null;
let server: RunningCli | null = null;
afterEach(async () => {
  await server?.stop();
  tree?.remove();
  server = null;
  tree = null;
});

/** Open `count` keep-alive connections, each with one finished request. */
async function openConnections(port: number, count: number): Promise<Agent> {
  const agent = new Agent({ keepAlive: true, maxSockets: count });
  await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<void>((resolve, reject) => {
        request({ host: '127.0.0.1', port, path: '/a.txt', agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        }).on('error', reject).end();
      }),
    ),
  );
  return agent;
}

describe('cluster', () => {
  it('with --workers 2, both workers accept connections (SO_REUSEPORT)', async () => {
    tree = makeTree({ 'a.txt': 'a\n' });
    server = await startCli(tree.root);
    const workers = listChildren(server.proc.pid!);
    expect(workers).toHaveLength(2);
    const before = workers.map(countSockets);
    const agent = await openConnections(server.port, 24);
    const after = workers.map(countSockets);
    agent.destroy();
    // The kernel hashes connections over the listeners: with 24 connections,
    // both gaining at least one has probability 1 - 2^-23.
    expect(after[0]).toBeGreaterThan(before[0]);
    expect(after[1]).toBeGreaterThan(before[1]);
    expect(after[0] + after[1] - before[0] - before[1]).toBe(24);
  });

  it('a worker killed with SIGKILL is replaced and the server keeps serving', async () => {
    tree = makeTree({ 'a.txt': 'a\n' });
    server = await startCli(tree.root);
    const pid = server.proc.pid!;
    const [victim, survivor] = listChildren(pid);
    process.kill(victim, 'SIGKILL');
    const replaced = await waitFor(() => {
      const now = listChildren(pid);
      return now.length === 2 && !now.includes(victim) && now.includes(survivor);
    }, 5_000);
    expect(replaced).toBe(true);
    expect(server.output()).toMatch(new RegExp(`worker ${victim} died \\(killed by SIGKILL\\)`));
    for (let i = 0; i < 10; i++) expect((await get(server.port, '/a.txt')).status).toBe(200);
  });

  it('workers that keep dying at start-up make the primary exit with a message', async () => {
    tree = makeTree({ 'a.txt': 'a\n' });
    server = await startCli(tree.root);
    renameSync(tree.root, tree.root + '-moved'); // new workers cannot build the cache
    const exited = new Promise<number | null>((resolve) => server!.proc.on('exit', resolve));
    for (const pid of listChildren(server.proc.pid!)) process.kill(pid, 'SIGKILL');
    const code = await exited;
    renameSync(tree.root + '-moved', tree.root);
    expect(code).not.toBe(0);
    expect(server.output()).toMatch(/workers keep dying at start-up .*last: .*www/);
  }, 20_000);
});

describe('shutdown', () => {
  it('SIGTERM: the tree exits 0 quickly when idle', async () => {
    tree = makeTree({ 'a.txt': 'a\n' });
    server = await startCli(tree.root);
    const workers = listChildren(server.proc.pid!);
    const started = Date.now();
    expect(await server.stop()).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await waitFor(() => workers.every((w) => !isAlive(w)), 2_000)).toBe(true);
  });

  it('SIGTERM: stops accepting, finishes an in-flight download, exits 0', async () => {
    const big = makeBytes(48 * 1024 * 1024, 5);
    tree = makeTree({ 'big.bin': big });
    server = await startCli(tree.root);
    const { port } = server;
    // A client that reads slowly: the response is still in flight at SIGTERM.
    const socket = connect(port, '127.0.0.1');
    socket.write('GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n');
    let received = 0;
    await new Promise<void>((resolve) => socket.once('data', (c) => ((received += c.length), resolve())));
    socket.pause();
    const exited = new Promise<number | null>((resolve) => server!.proc.on('exit', resolve));
    server.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    // No longer accepting new connections.
    await expect(get(port, '/big.bin')).rejects.toThrow();
    socket.on('data', (c) => (received += c.length));
    socket.resume();
    const code = await exited;
    await new Promise((r) => setTimeout(r, 100));
    socket.destroy();
    expect(code).toBe(0);
    // Whole head + body arrived (head is a few hundred bytes).
    expect(received).toBeGreaterThan(big.length);
    expect(received).toBeLessThan(big.length + 1000);
  }, 20_000);
});
