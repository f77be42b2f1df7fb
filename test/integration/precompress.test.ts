/**
 * Issue 14 on the real CLI: with an empty compression store, br is served
 * within a second of the banner (the fast pass), then the best-quality
 * bytes under a new ETag; the store survives a restart and a kill -9.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { compressVariantSync } from '../../src/cache/compress.js';
import { decodeEntry } from '../../src/cache/store.js';
import { makeTree } from '../helpers/fixtures.js';
import { isAlive, listChildren, waitFor } from '../helpers/proc.js';
import { get, startCli, type Reply } from '../helpers/server.js';

const EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), '../../example');
/** Requests per poll, each on a new connection: with two workers, both are asked. */
const FAN_OUT = 8;

const temps: string[] = [];
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function makeTemp(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `fastsrv-${name}-`));
  temps.push(dir);
  return dir;
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * Polls `paths` as brotli and checks every reply: the body decodes to the
 * file, and an ETag always names the same bytes.
 */
function createPoller(port: number, files: ReadonlyMap<string, Buffer>) {
  const bytesOf = new Map<string, string>();
  const seen = new Map<string, Set<string>>([...files.keys()].map((p) => [p, new Set<string>()]));
  const check = (path: string, reply: Reply): void => {
    expect(reply.status).toBe(200);
    const etag = reply.headers.etag as string;
    const encoding = reply.headers['content-encoding'];
    const decoded = encoding === 'br' ? brotliDecompressSync(reply.body) : encoding === 'gzip' ? gunzipSync(reply.body) : reply.body;
    expect(decoded.equals(files.get(path)!)).toBe(true);
    const digest = sha256(reply.body);
    expect(bytesOf.get(etag) ?? digest).toBe(digest); // an ETag changes only with the bytes
    bytesOf.set(etag, digest);
    if (encoding === 'br') seen.get(path)!.add(etag);
  };
  return {
    seen,
    /** One round: FAN_OUT requests per path; the replies by path. */
    async poll(accept = 'br'): Promise<Map<string, Reply[]>> {
      const rounds = await Promise.all(
        [...files.keys()].map(async (path) => {
          const replies = await Promise.all(Array.from({ length: FAN_OUT }, () => get(port, path, { 'accept-encoding': accept })));
          for (const reply of replies) check(path, reply);
          return [path, replies] as const;
        }),
      );
      return new Map(rounds);
    },
  };
}

const isAllBr = (round: Map<string, Reply[]>): boolean => [...round.values()].every((rs) => rs.every((r) => r.headers['content-encoding'] === 'br'));
const isAllBest = (round: Map<string, Reply[]>, best: ReadonlyMap<string, Buffer>): boolean =>
  [...round].every(([path, rs]) => rs.every((r) => r.headers['content-encoding'] === 'br' && r.body.equals(best.get(path)!)));

function bestBrotli(files: ReadonlyMap<string, Buffer>): Map<string, Buffer> {
  return new Map([...files].map(([path, body]) => [path, compressVariantSync(body, 'br', 'best')!]));
}

describe('cold store: the example site', () => {
  const files = new Map(['/css/site.css', '/app.js'].map((p) => [p, readFileSync(join(EXAMPLE, p))]));

  it('serves br within 1 s of the banner (from the first request: a site this small is compressed before listening), then the best-quality bytes', async () => {
    // A fresh TMPDIR as well: nothing of an earlier run can be found.
    const server = await startCli(EXAMPLE, ['--compress-store', join(makeTemp('store'), 'compressed')], { TMPDIR: makeTemp('tmp') });
    try {
      const banner = Date.now();
      const poller = createPoller(server.port, files);
      expect(isAllBr(await poller.poll())).toBe(true);
      // The bound the issue sets, a wait rather than a measurement.
      expect(await waitFor(async () => isAllBr(await poller.poll()), 1000)).toBe(true);
      expect(Date.now() - banner).toBeLessThan(2000);
      const best = bestBrotli(files);
      expect(await waitFor(async () => isAllBest(await poller.poll(), best), 20_000)).toBe(true);
      const gzip = await poller.poll('gzip');
      expect([...gzip.values()].flat().every((r) => r.headers['content-encoding'] === 'gzip')).toBe(true);
    } finally {
      await server.stop();
    }
  }, 60_000);
});

describe('fast, then best; restarts; kill -9', () => {
  const text = (n: number): Buffer =>
    Buffer.from(Array.from({ length: 4000 }, (_, i) => `export const item${n}_${i} = { id: ${(i * 7919 + n) % 100003}, name: "item ${i} of ${n}" };\n`).join(''));
  const tree = makeTree(Object.fromEntries([1, 2, 3, 4, 5].map((n) => [`lib/m${n}.js`, text(n)])));
  afterAll(() => tree.remove());
  const files = new Map([...tree.files].map(([path, body]) => ['/' + path, body]));
  const best = bestBrotli(files);
  const bestEtagOf = new Map<string, string>();
  const store = join(makeTemp('store'), 'compressed');
  const args = ['--compress-store', store];

  it('a fast variant first, then the best one under a new ETag; the old ETag revalidates to a 200', async () => {
    const server = await startCli(tree.root, args);
    try {
      const poller = createPoller(server.port, files);
      expect(await waitFor(async () => isAllBr(await poller.poll()), 5000)).toBe(true);
      expect(await waitFor(async () => isAllBest(await poller.poll(), best), 60_000)).toBe(true);
      const fastEtags = new Map<string, string>();
      for (const [path, etags] of poller.seen) {
        const round = (await poller.poll()).get(path)!;
        bestEtagOf.set(path, round[0].headers.etag as string);
        for (const etag of etags) if (etag !== bestEtagOf.get(path)) fastEtags.set(path, etag);
      }
      // brotli 11 on 300 KiB takes far longer than our 50 ms polls: the fast bytes were seen.
      expect(fastEtags.size).toBeGreaterThan(0);
      for (const [path, fastEtag] of fastEtags) {
        const reply = await get(server.port, path, { 'accept-encoding': 'br', 'if-none-match': fastEtag });
        expect(reply.status).toBe(200);
        expect(reply.headers.etag).toBe(bestEtagOf.get(path));
        const cached = await get(server.port, path, { 'accept-encoding': 'br', 'if-none-match': bestEtagOf.get(path)! });
        expect(cached.status).toBe(304);
      }
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(readdirSync(store).filter((n) => n.endsWith('.best'))).toHaveLength(5);
  }, 120_000);

  it('after a restart the store gives the best bytes straight away', async () => {
    const server = await startCli(tree.root, args);
    try {
      const poller = createPoller(server.port, files);
      expect(await waitFor(async () => isAllBr(await poller.poll()), 5000)).toBe(true);
      for (const [path, etags] of poller.seen) expect([...etags]).toEqual([bestEtagOf.get(path)]);
    } finally {
      await server.stop();
    }
  }, 60_000);

  it('kill -9 mid-compression leaves no torn entry; a damaged one is never served', async () => {
    const cold = join(makeTemp('store'), 'compressed');
    const server = await startCli(tree.root, ['--compress-store', cold]);
    const pids = [server.proc.pid!, ...listChildren(server.proc.pid!)];
    const bestCount = (): number => readdirSync(cold).filter((n) => n.endsWith('.best')).length;
    await waitFor(() => bestCount() >= 1, 60_000);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    expect(await waitFor(() => pids.every((pid) => !isAlive(pid)), 5000)).toBe(true);
    const entries = readdirSync(cold).filter((n) => /\.(fast|best)$/.test(n));
    expect(entries.length).toBeGreaterThan(0);
    for (const name of entries) expect(decodeEntry(readFileSync(join(cold, name)))).not.toBeNull();
    // Damage every entry the way a torn write would (the rename makes that impossible; the check makes it harmless).
    for (const name of entries) writeFileSync(join(cold, name), readFileSync(join(cold, name)).subarray(0, 100));
    const again = await startCli(tree.root, ['--compress-store', cold]);
    try {
      const poller = createPoller(again.port, files); // every reply decodes to the file
      expect(await waitFor(async () => isAllBest(await poller.poll(), best), 60_000)).toBe(true);
    } finally {
      await again.stop();
    }
    for (const name of readdirSync(cold).filter((n) => /\.(fast|best)$/.test(n))) {
      expect(decodeEntry(readFileSync(join(cold, name)))).not.toBeNull();
    }
  }, 180_000);
});
