/**
 * Issue #7, content changes: the primary watches the root, workers rebuild
 * what changed and swap the table; every worker serves the new state within
 * a second, and a response's body always matches its ETag.
 */
import { mkdirSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { computeEtag } from '../../src/cache/entry.js';
import { makeTree, type Tree } from '../helpers/fixtures.js';
import { get, startCli, type RunningCli } from '../helpers/server.js';

const BOUND_MS = 1000;
let tree: Tree | null = null;
let server: RunningCli | null = null;
afterEach(async () => {
  await server?.stop();
  tree?.remove();
  server = tree = null;
});

async function start(files: Record<string, string>, args: string[] = []): Promise<RunningCli> {
  tree = makeTree(files);
  server = await startCli(tree.root, args);
  return server;
}

/**
 * Poll with fresh connections (the kernel spreads them over both workers)
 * until 8 in a row satisfy `check`; resolve with the time it took.
 */
async function timeUntilAllWorkers(port: number, path: string, check: (status: number, body: string) => boolean): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < 5_000) {
    const replies = await Promise.all(Array.from({ length: 8 }, () => get(port, path)));
    if (replies.every((r) => check(r.status, r.body.toString()))) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 20));
  }
  return Infinity;
}

describe('changes are served within a second by every worker', () => {
  it('a modified file', async () => {
    const { port } = await start({ 'a.txt': 'one' });
    writeFileSync(join(tree!.root, 'a.txt'), 'two');
    expect(await timeUntilAllWorkers(port, '/a.txt', (_s, body) => body === 'two')).toBeLessThan(BOUND_MS);
  });

  it('an added file, and a new directory with an index', async () => {
    const { port } = await start({ 'a.txt': 'a' });
    writeFileSync(join(tree!.root, 'b.txt'), 'b');
    mkdirSync(join(tree!.root, 'blog'));
    writeFileSync(join(tree!.root, 'blog', 'index.html'), 'blog');
    expect(await timeUntilAllWorkers(port, '/b.txt', (s, body) => s === 200 && body === 'b')).toBeLessThan(BOUND_MS);
    expect(await timeUntilAllWorkers(port, '/blog/', (s, body) => s === 200 && body === 'blog')).toBeLessThan(BOUND_MS);
    expect((await get(port, '/blog')).status).toBe(301);
  });

  it('a deleted file gives 404', async () => {
    const { port } = await start({ 'a.txt': 'a', 'b.txt': 'b' });
    unlinkSync(join(tree!.root, 'b.txt'));
    expect(await timeUntilAllWorkers(port, '/b.txt', (s) => s === 404)).toBeLessThan(BOUND_MS);
    expect((await get(port, '/a.txt')).status).toBe(200);
  });

  it('a renamed directory: old paths 404, new paths serve', async () => {
    const { port } = await start({ 'docs/index.html': 'docs', 'docs/deep/x.txt': 'x' });
    renameSync(join(tree!.root, 'docs'), join(tree!.root, 'guide'));
    expect(await timeUntilAllWorkers(port, '/guide/deep/x.txt', (s, body) => s === 200 && body === 'x')).toBeLessThan(BOUND_MS);
    expect(await timeUntilAllWorkers(port, '/docs/deep/x.txt', (s) => s === 404)).toBeLessThan(BOUND_MS);
    expect((await get(port, '/guide/')).body.toString()).toBe('docs');
  });

  it('a whole tree swapped in with mv ends in the new state', async () => {
    const { port } = await start({ 'index.html': 'v1', 'a.txt': 'a1', 'old.txt': 'old' });
    const next = join(tree!.root, '..', 'www-next');
    mkdirSync(next);
    writeFileSync(join(next, 'index.html'), 'v2');
    writeFileSync(join(next, 'a.txt'), 'a2');
    writeFileSync(join(next, 'new.txt'), 'new');
    renameSync(tree!.root, join(tree!.root, '..', 'www-old'));
    renameSync(next, tree!.root);
    // A swapped root is noticed by the once-a-second identity check.
    const bound = BOUND_MS + 1200;
    expect(await timeUntilAllWorkers(port, '/', (_s, body) => body === 'v2')).toBeLessThan(bound);
    for (const [path, status, body] of [['/a.txt', 200, 'a2'], ['/new.txt', 200, 'new'], ['/old.txt', 404, '']] as const) {
      const reply = await get(port, path);
      expect(reply.status).toBe(status);
      if (status === 200) expect(reply.body.toString()).toBe(body);
    }
  });

  it('a root that is a symlink flipped to a new release', async () => {
    tree = makeTree({ 'v1/index.html': 'release 1', 'v2/index.html': 'release 2' });
    const link = join(tree.root, '..', 'current');
    symlinkSync(join(tree.root, 'v1'), link);
    server = await startCli(link);
    const tmp = link + '.tmp';
    symlinkSync(join(tree.root, 'v2'), tmp);
    renameSync(tmp, link);
    expect(await timeUntilAllWorkers(server.port, '/', (_s, body) => body === 'release 2')).toBeLessThan(BOUND_MS + 1200);
  });

  it('--no-watch: changes are not picked up', async () => {
    const { port } = await start({ 'a.txt': 'one' }, ['--no-watch']);
    expect(server!.banner).toContain('watch     off');
    writeFileSync(join(tree!.root, 'a.txt'), 'two');
    await new Promise((r) => setTimeout(r, 600));
    expect((await get(port, '/a.txt')).body.toString()).toBe('one');
  });
});

describe('a burst of 500 changes under load', () => {
  it('no 5xx, every body matches its ETag, and the final state is served', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 50; i++) files[`f${i}.txt`] = `f${i} v0 `.repeat(50);
    const { port } = await start(files);
    let stop = false;
    const failures: string[] = [];
    let requests = 0;
    const load = async (): Promise<void> => {
      while (!stop) {
        const i = Math.floor(Math.random() * 50);
        const reply = await get(port, `/f${i}.txt`);
        requests++;
        if (reply.status !== 200) failures.push(`/f${i}.txt → ${reply.status}`);
        else if (reply.headers.etag !== computeEtag(reply.body)) failures.push(`/f${i}.txt: body does not match its ETag`);
      }
    };
    const loops = Array.from({ length: 8 }, load);
    for (let round = 1; round <= 10; round++) {
      for (let i = 0; i < 50; i++) writeFileSync(join(tree!.root, `f${i}.txt`), `f${i} v${round} `.repeat(50 + round));
      await new Promise((r) => setTimeout(r, 30));
    }
    const settle = await timeUntilAllWorkers(port, '/f49.txt', (_s, body) => body === 'f49 v10 '.repeat(60));
    stop = true;
    await Promise.all(loops);
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(100);
    expect(settle).toBeLessThan(BOUND_MS);
    for (let i = 0; i < 50; i++) {
      expect((await get(port, `/f${i}.txt`)).body.toString()).toBe(`f${i} v10 `.repeat(60));
    }
  }, 30_000);
});

describe('deleting the root', () => {
  it('keeps serving the last state and says why', async () => {
    const { port } = await start({ 'a.txt': 'a' });
    rmSync(tree!.root, { recursive: true });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await get(port, '/a.txt')).body.toString()).toBe('a');
    expect(server!.output()).toContain('rescan failed, still serving the previous state');
  });
});
