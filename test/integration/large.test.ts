/**
 * Issue #6 on the real CLI: files beyond the cache stream from disk with
 * backpressure; memory and descriptors stay bounded; truncation ends the
 * response cleanly.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, renameSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBytes, makeTree, type Tree } from '../helpers/fixtures.js';
import { listChildren, waitFor } from '../helpers/proc.js';
import { get, startCli, type RunningCli } from '../helpers/server.js';

const MIB = 1024 * 1024;
const BIG = 256 * MIB;

/** Write a deterministic file of `size` bytes; return its SHA-256. */
function writeBigFile(path: string, size: number): string {
  const block = makeBytes(4 * MIB, 21);
  const hash = createHash('sha256');
  const fd = openSync(path, 'w');
  for (let written = 0; written < size; written += block.length) {
    const piece = block.subarray(0, Math.min(block.length, size - written));
    piece[0] = (written / block.length) & 0xff; // every block differs
    writeSync(fd, piece);
    hash.update(piece);
  }
  closeSync(fd);
  return hash.digest('hex');
}

/** GET and hash the body without holding it. */
function hashGet(port: number, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; length: number; sha256: string; headers: Record<string, unknown> }>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const hash = createHash('sha256');
      let length = 0;
      res.on('data', (c: Buffer) => {
        hash.update(c);
        length += c.length;
      });
      res.on('end', () => resolve({ status: res.statusCode!, length, sha256: hash.digest('hex'), headers: res.headers }));
      res.on('error', reject);
    }).on('error', reject).end();
  });
}

function readRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** Regular-file descriptors of `pid` that point into `dir`. */
function countFilesOpenIn(pid: number, dir: string): number {
  let count = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(dir)) count++;
    } catch {
      // closed meanwhile
    }
  }
  return count;
}

/** Open a raw GET and read `bytes` before pausing; resolves with the socket. */
/** `received` counts every byte, the head's too; `headBytes` is the head's length (status line to the blank line). */
function startSlowDownload(port: number, path: string, bytes = 64 * 1024): Promise<Socket & { received: number; headBytes: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1') as Socket & { received: number; headBytes: number };
    socket.received = 0;
    socket.headBytes = 0;
    socket.on('error', () => {});
    socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    let start = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      if (socket.headBytes === 0) {
        start = Buffer.concat([start, chunk]);
        const end = start.indexOf('\r\n\r\n');
        if (end !== -1) socket.headBytes = end + 4;
      }
      socket.received += chunk.length;
      if (socket.received >= bytes) {
        socket.pause();
        socket.off('data', onData);
        resolve(socket);
      }
    };
    socket.on('data', onData);
    setTimeout(() => reject(new Error('no data')), 10_000);
  });
}

let tree: Tree;
let server: RunningCli;
let bigSha: string;

beforeAll(async () => {
  tree = makeTree({ 'small.txt': 'small\n', 'mid.bin': makeBytes(20 * MIB, 4) });
  bigSha = writeBigFile(join(tree.root, 'big.bin'), BIG);
  server = await startCli(tree.root, ['--cache-size', '16M', '--max-file-size', '8M']);
}, 60_000);
afterAll(async () => {
  await server?.stop();
  tree?.remove();
});

describe('streaming', () => {
  it('the banner says what is cached and what streams', () => {
    expect(server.banner).toContain('cache     1 files, 6 B per worker; 2 streamed from disk');
  });

  it('a 256 MiB file downloads whole, byte-identical', async () => {
    const reply = await hashGet(server.port, '/big.bin');
    expect(reply.status).toBe(200);
    expect(reply.length).toBe(BIG);
    expect(reply.sha256).toBe(bigSha);
    expect(reply.headers.etag).toMatch(/^"[0-9a-f]+-10000000"$/);
  }, 60_000);

  it('ranges of the streamed file, byte-identical', async () => {
    const whole = makeBytes(4 * MIB, 21);
    const expected = (start: number, end: number): Buffer => {
      const out = Buffer.alloc(end - start + 1);
      for (let i = start; i <= end; i++) {
        const block = Math.floor(i / whole.length);
        const offset = i % whole.length;
        out[i - start] = offset === 0 ? block & 0xff : whole[offset];
      }
      return out;
    };
    for (const [start, end] of [[0, 99], [BIG - 100, BIG - 1], [100 * MIB - 7, 101 * MIB + 3]]) {
      const reply = await get(server.port, '/big.bin', { range: `bytes=${start}-${end}` });
      expect(reply.status).toBe(206);
      expect(reply.headers['content-range']).toBe(`bytes ${start}-${end}/${BIG}`);
      expect(reply.body.equals(expected(start, end))).toBe(true);
    }
    const multi = await get(server.port, '/big.bin', { range: 'bytes=0-9,-10' });
    expect(multi.status).toBe(206);
    expect(multi.headers['content-type']).toMatch(/^multipart\/byteranges; boundary=/);
    expect(multi.body.includes(expected(0, 9))).toBe(true);
    expect(multi.body.includes(expected(BIG - 10, BIG - 1))).toBe(true);
    expect(Number(multi.headers['content-length'])).toBe(multi.body.length);
  });

  it('HEAD and 304 on a streamed file need no body', async () => {
    const head = await get(server.port, '/big.bin', {}, 'HEAD');
    expect(head.headers['content-length']).toBe(String(BIG));
    const cached = await get(server.port, '/big.bin', { 'if-none-match': head.headers.etag as string });
    expect(cached.status).toBe(304);
  });

  it('50 slow clients: worker memory stays within the cache budget + 64 MiB', async () => {
    const workers = listChildren(server.proc.pid!);
    const clients = await Promise.all(Array.from({ length: 50 }, () => startSlowDownload(server.port, '/big.bin')));
    let peak = 0;
    let maxOpen = 0;
    for (let i = 0; i < 20; i++) {
      for (const pid of workers) peak = Math.max(peak, readRss(pid));
      for (const pid of workers) maxOpen = Math.max(maxOpen, countFilesOpenIn(pid, tree.root));
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const socket of clients) socket.destroy();
    expect(peak).toBeLessThan(16 * MIB + 64 * MIB);
    // 50 downloads of one file share one descriptor per worker.
    expect(maxOpen).toBe(1);
    // Disconnected clients release the shared descriptors.
    expect(await waitFor(() => workers.every((pid) => countFilesOpenIn(pid, tree.root) === 0), 5_000)).toBe(true);
  }, 30_000);

  it('200 clients that abort mid-download leave no open descriptors', async () => {
    const workers = listChildren(server.proc.pid!);
    for (let batch = 0; batch < 4; batch++) {
      const clients = await Promise.all(Array.from({ length: 50 }, () => startSlowDownload(server.port, '/mid.bin', 1)));
      for (const socket of clients) socket.destroy();
    }
    const closed = await waitFor(() => workers.every((pid) => countFilesOpenIn(pid, tree.root) === 0), 5_000);
    expect(closed).toBe(true);
    expect((await get(server.port, '/small.txt')).status).toBe(200);
  }, 30_000);
});

describe('files changing under a download', () => {
  it('truncation mid-download ends the response (short body, connection closed), no hang', async () => {
    const target = join(tree.root, 'mid.bin');
    const socket = await startSlowDownload(server.port, '/mid.bin', 64 * 1024);
    truncateSync(target, 1 * MIB);
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('data', (c: Buffer) => (socket.received += c.length));
    socket.resume();
    await closed;
    expect(socket.received).toBeLessThan(20 * MIB);
    // The next request sees the file as it is now, under a new ETag.
    const reply = await hashGet(server.port, '/mid.bin');
    expect(reply.status).toBe(200);
    expect(reply.length).toBe(1 * MIB);
  }, 30_000);

  it('a file replaced (rename) mid-download: the download finishes with the old bytes', async () => {
    const target = join(tree.root, 'big.bin');
    const oldTail = Buffer.alloc(64);
    const fd = openSync(target, 'r');
    readSync(fd, oldTail, 0, 64, BIG - 64);
    closeSync(fd);
    const socket = await startSlowDownload(server.port, '/big.bin', 64 * 1024);
    writeFileSync(target + '.new', 'new content\n');
    renameSync(target + '.new', target);
    let tail = Buffer.alloc(0);
    socket.on('data', (c: Buffer) => {
      socket.received += c.length;
      tail = Buffer.concat([tail, c]).subarray(-64);
    });
    socket.resume();
    // The whole body, not just as many bytes as it has: the head came first.
    const complete = await waitFor(() => socket.received - socket.headBytes >= BIG, 20_000);
    socket.destroy();
    expect(complete).toBe(true);
    expect(tail.equals(oldTail)).toBe(true);
    const now = await get(server.port, '/big.bin');
    expect(now.body.toString()).toBe('new content\n');
  }, 40_000);
});
