/**
 * Cached bodies over 64 KiB go out in slices, round-robin across
 * connections (src/serve/slices.ts): whole and byte-identical under
 * concurrency, ranges intact, aborted clients harmless, and a draining
 * worker waits for them.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBytes, makeTree, type Tree } from '../helpers/fixtures.js';
import { get, startCli, type RunningCli } from '../helpers/server.js';

const MIB = 1024 * 1024;
const BLOB = makeBytes(4 * MIB + 12_345, 31);
/** Bigger than loopback's socket buffers can hold, so a paused client really holds the body up. */
const HUGE = makeBytes(48 * MIB, 32);

let tree: Tree;
let server: RunningCli;

/** Raw GET that reads `bytes` of the reply, then pauses. */
function startPausedDownload(port: number, path: string, bytes: number): Promise<Socket & { chunks: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1') as Socket & { chunks: Buffer[] };
    socket.chunks = [];
    let received = 0;
    socket.on('error', () => {});
    socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    const onData = (chunk: Buffer): void => {
      socket.chunks.push(chunk);
      received += chunk.length;
      if (received < bytes) return;
      socket.pause();
      socket.off('data', onData);
      resolve(socket);
    };
    socket.on('data', onData);
    setTimeout(() => reject(new Error('no data')), 10_000);
  });
}

/** The body of a raw reply: everything after the head. */
function bodyOf(reply: Buffer): Buffer {
  return reply.subarray(reply.indexOf('\r\n\r\n') + 4);
}

beforeAll(async () => {
  tree = makeTree({ 'blob.bin': BLOB, 'huge.bin': HUGE, 'small.txt': 'small\n' });
  server = await startCli(tree.root, ['--workers', '1', '--no-compress', '--max-file-size', '64M']);
}, 30_000);
afterAll(async () => {
  await server?.stop();
  tree?.remove();
});

describe('sliced bodies from memory', () => {
  it('16 concurrent downloads and small requests between them are all whole', async () => {
    const downloads = Array.from({ length: 16 }, () => get(server.port, '/blob.bin'));
    const smalls = Array.from({ length: 16 }, () => get(server.port, '/small.txt'));
    for (const reply of await Promise.all(downloads)) {
      expect(reply.status).toBe(200);
      expect(reply.headers['content-length']).toBe(String(BLOB.length));
      expect(reply.body.equals(BLOB)).toBe(true);
    }
    for (const reply of await Promise.all(smalls)) expect(reply.body.toString()).toBe('small\n');
  }, 30_000);

  it('a range spanning several slices is byte-identical', async () => {
    const [start, end] = [100_000, 3 * MIB + 7];
    const reply = await get(server.port, '/blob.bin', { range: `bytes=${start}-${end}` });
    expect(reply.status).toBe(206);
    expect(reply.headers['content-range']).toBe(`bytes ${start}-${end}/${BLOB.length}`);
    expect(reply.body.equals(BLOB.subarray(start, end + 1))).toBe(true);
  });

  it('HEAD sends the length and no body', async () => {
    const head = await get(server.port, '/blob.bin', {}, 'HEAD');
    expect(head.headers['content-length']).toBe(String(BLOB.length));
    expect(head.body.length).toBe(0);
  });

  it('clients that abort mid-body leave the worker serving', async () => {
    for (let batch = 0; batch < 3; batch++) {
      const sockets = await Promise.all(Array.from({ length: 20 }, () => startPausedDownload(server.port, '/blob.bin', 1)));
      for (const socket of sockets) socket.destroy();
    }
    const reply = await get(server.port, '/blob.bin');
    expect(reply.body.equals(BLOB)).toBe(true);
  }, 30_000);
});

describe('drain', () => {
  it('SIGTERM waits for a paused download, which then completes whole', async () => {
    const local = await startCli(tree.root, ['--workers', '1', '--no-compress', '--drain-timeout', '30', '--max-file-size', '64M']);
    expect(local.banner).not.toContain('streamed from disk');
    const socket = await startPausedDownload(local.port, '/huge.bin', 1);
    const exited = local.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(local.proc.exitCode).toBe(null);
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => socket.chunks.push(chunk));
    socket.resume();
    await closed;
    expect(bodyOf(Buffer.concat(socket.chunks)).equals(HUGE)).toBe(true);
    expect(await exited).toBe(0);
  }, 30_000);
});
