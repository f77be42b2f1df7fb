/**
 * Many concurrent downloads of distinct big files: streaming descriptors
 * are bounded (a quarter of the open-file limit), beyond that a 503 with
 * Retry-After, never a crash or a stalled accept, and the server recovers.
 */
import { truncateSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTree, type Tree } from '../helpers/fixtures.js';
import { get, startCli, type RunningCli } from '../helpers/server.js';

const FILES = 200;
let tree: Tree;
let server: RunningCli;

beforeAll(async () => {
  tree = makeTree({ 'small.txt': 'ok\n' });
  for (let i = 0; i < FILES; i++) {
    const path = join(tree.root, `f${i}.bin`);
    writeFileSync(path, '');
    truncateSync(path, 32 * 1024 * 1024); // sparse: no disk, but too big for socket buffers
  }
  server = await startCli(tree.root, ['--workers', '1', '--max-file-size', '1K'], {}, 256);
});
afterAll(async () => {
  await server?.stop();
  tree?.remove();
});

/** Request /f<i>.bin and resolve with the status line once it arrives (the body stays unread). */
function requestHead(port: number, i: number): Promise<{ socket: Socket; head: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no response for f${i}.bin`)), 5_000);
    socket.on('error', reject);
    socket.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      text += chunk.toString('latin1', 0, Math.min(chunk.length, 400));
      socket.pause();
      resolve({ socket, head: text });
    });
    socket.write(`GET /f${i}.bin HTTP/1.1\r\nHost: x\r\n\r\n`);
  });
}

it('past the descriptor bound → 503 Retry-After, then recovery', async () => {
  const sockets: Socket[] = [];
  let ok = 0;
  let unavailable = 0;
  try {
    for (let i = 0; i < FILES && unavailable < 3; i++) {
      const { socket, head } = await requestHead(server.port, i);
      sockets.push(socket);
      if (head.startsWith('HTTP/1.1 200')) ok++;
      else if (head.startsWith('HTTP/1.1 503')) {
        unavailable++;
        expect(head).toContain('Retry-After: 1');
      } else throw new Error(`unexpected response: ${head.slice(0, 80)}`);
    }
  } finally {
    for (const socket of sockets) socket.destroy();
  }
  // ulimit 256: at most 64 descriptors stream at once.
  expect(ok).toBe(64);
  expect(unavailable).toBe(3);
  await new Promise((r) => setTimeout(r, 300));
  // Descriptors are released; the server serves again, streamed files included.
  expect((await get(server.port, '/small.txt')).status).toBe(200);
  expect((await get(server.port, '/f0.bin', { range: 'bytes=0-9' })).status).toBe(206);
  expect(server.proc.exitCode).toBe(null);
}, 60_000);
