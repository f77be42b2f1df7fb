/**
 * One start of the real CLI over the generated tree, timed from the outside: spawn →
 * banner, spawn → first 200, spawn → every probed file served as brotli (the fast
 * pass), spawn → every probed file served as its best-quality brotli (the ETag of
 * the bytes brotli 11 makes); RSS and CPU of the process tree along the way.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sendRequest } from '../probe.js';
import { findFreePort, spawnGroupPiped, stopGroup } from '../proc.js';
import { getClockTicks, readRssBytes, readTree, sumTicks } from '../procstat.js';
import type { PlannedFile } from './tree.js';

/** cold: empty compression store; warm: the store a cold run filled; no-compress: `--no-compress`. */
export type StartupMode = 'cold' | 'warm' | 'no-compress';
export const STARTUP_MODES: readonly StartupMode[] = ['cold', 'warm', 'no-compress'];

export interface StartupSpec {
  repoDir: string;
  root: string;
  workers: number;
  mode: StartupMode;
  /** TMPDIR of the child: where fastsrv keeps its compression store. */
  tmpDir: string;
  probes: readonly PlannedFile[];
  /** The ETag each probe's best-quality brotli variant has, by URL path. */
  bestEtags: ReadonlyMap<string, string>;
  timeoutMs: number;
  /** Appended to the command line. */
  extraArgs: readonly string[];
}

export interface StartupRun {
  workers: number;
  mode: StartupMode;
  /** The banner's own figure: `ready in N ms`, measured by the primary from its start. */
  bannerReadyMs: number;
  /** Spawn of `node` → banner line on stdout. */
  spawnToBannerMs: number;
  /** Spawn → first 200 for /index.html (polled every 10 ms on fresh connections). */
  spawnToFirstOkMs: number;
  /** Spawn → the first poll in which every probed file came back `Content-Encoding: br`; null without compression or on timeout. */
  spawnToCompressedMs: number | null;
  /** Spawn → the first poll in which every probed file came back as its best-quality brotli; null as above. */
  spawnToBestMs: number | null;
  /** Sum of VmRSS over the primary and its workers once the banner and the first 200 are in. */
  rssAtReadyBytes: number;
  /** Highest sum of VmRSS seen until the end of the run. */
  peakRssBytes: number;
  /** utime + stime of the tree at the end of the run: start-up plus background compression. */
  cpuSec: number;
  /** Problems (timeouts, a probe that never turned brotli). */
  notes: string[];
}

const BANNER = /ready in (\d+) ms/;
const POLL_MS = 10;
const PROBE_INTERVAL_MS = 200;
const FAST_PROBE_INTERVAL_MS = 50;
/** Without compression, RSS and CPU are read once this long after the first 200. */
const SETTLE_MS = 1000;

interface Timed<T> {
  atMs: number;
  value: T;
}

/** The banner's `ready in N ms`, or null when `text` has no banner yet. */
export function parseBannerMs(text: string): number | null {
  const match = BANNER.exec(text);
  return match ? Number(match[1]) : null;
}

function waitForBanner(child: ChildProcess, t0: number, timeoutMs: number): Promise<Timed<number>> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no banner within ${timeoutMs / 1000} s`)), timeoutMs);
    // Keep reading after the banner, so a full pipe never blocks the primary.
    child.stdout!.on('data', (chunk: Buffer) => {
      seen = (seen + chunk.toString()).slice(-4096);
      const ms = parseBannerMs(seen);
      if (ms !== null) {
        clearTimeout(timer);
        resolve({ atMs: performance.now() - t0, value: ms });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`fastsrv exited before its banner (${code ?? signal})`));
    });
  });
}

async function waitForFirstOk(url: string, child: ChildProcess, t0: number, deadline: number): Promise<Timed<number>> {
  while (performance.now() < deadline && child.exitCode === null && child.signalCode === null) {
    const status = await sendRequest(url, 'GET', {}, 1000).then((r) => r.status, () => 0);
    if (status === 200) return { atMs: performance.now() - t0, value: status };
    await sleep(POLL_MS);
  }
  throw new Error(`no 200 from ${url}`);
}

/** How many probes came back brotli, and how many as their best brotli (a fresh connection each, so every worker gets asked). */
async function countCompressed(spec: StartupSpec, baseUrl: string): Promise<{ br: number; best: number }> {
  const heads = await Promise.all(
    spec.probes.map((p) => sendRequest(baseUrl + p.urlPath, 'HEAD', { 'Accept-Encoding': 'br' }, 5000).then((r) => r.headers, () => ({}) as Record<string, string | undefined>)),
  );
  const isBr = heads.map((h) => h['content-encoding'] === 'br');
  const isBest = heads.map((h, i) => isBr[i] && h.etag === spec.bestEtags.get(spec.probes[i].urlPath));
  return { br: isBr.filter(Boolean).length, best: isBest.filter(Boolean).length };
}

/** Poll until every probe is its best brotli; each time is the end of the first round in which all were. */
async function waitForCompression(
  spec: StartupSpec,
  baseUrl: string,
  pid: number,
  t0: number,
  peak: { rss: number },
): Promise<{ brMs: number | null; bestMs: number | null }> {
  const deadline = t0 + spec.timeoutMs;
  let brMs: number | null = null;
  while (performance.now() < deadline) {
    const roundStart = performance.now();
    const counts = await countCompressed(spec, baseUrl);
    peak.rss = Math.max(peak.rss, readRssBytes(readTree(pid).map((s) => s.pid)));
    if (brMs === null && counts.br === spec.probes.length) brMs = performance.now() - t0;
    if (counts.best === spec.probes.length) return { brMs, bestMs: performance.now() - t0 };
    // Until every probe is brotli, poll fast: the fast pass takes about a second.
    const interval = brMs === null ? FAST_PROBE_INTERVAL_MS : PROBE_INTERVAL_MS;
    await sleep(Math.max(0, interval - (performance.now() - roundStart)));
  }
  return { brMs, bestMs: null };
}

/** Start fastsrv once, measure, stop it. Throws when it does not start. */
export async function measureStartup(spec: StartupSpec): Promise<StartupRun> {
  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const args = [join(spec.repoDir, 'dist/src/cli.js'), spec.root, '--host', '127.0.0.1', '--port', String(port), '--workers', String(spec.workers)];
  if (spec.mode === 'no-compress') args.push('--no-compress');
  args.push(...spec.extraArgs);
  const t0 = performance.now();
  const child = spawnGroupPiped(process.execPath, args, { TMPDIR: spec.tmpDir });
  const pid = child.pid!;
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-500)));
  try {
    const [banner, firstOk] = await Promise.all([waitForBanner(child, t0, spec.timeoutMs), waitForFirstOk(`${baseUrl}/index.html`, child, t0, t0 + spec.timeoutMs)]);
    const rssAtReadyBytes = readRssBytes(readTree(pid).map((s) => s.pid));
    const peak = { rss: rssAtReadyBytes };
    const notes: string[] = [];
    let compressed: { brMs: number | null; bestMs: number | null } = { brMs: null, bestMs: null };
    if (spec.mode === 'no-compress') {
      await sleep(SETTLE_MS);
    } else {
      compressed = await waitForCompression(spec, baseUrl, pid, t0, peak);
      if (compressed.bestMs === null) notes.push(`not all ${spec.probes.length} probed files were best-quality brotli after ${spec.timeoutMs / 1000} s`);
    }
    const tree = readTree(pid);
    peak.rss = Math.max(peak.rss, readRssBytes(tree.map((s) => s.pid)));
    return {
      workers: spec.workers, mode: spec.mode, bannerReadyMs: banner.value, spawnToBannerMs: banner.atMs, spawnToFirstOkMs: firstOk.atMs,
      spawnToCompressedMs: compressed.brMs, spawnToBestMs: compressed.bestMs, rssAtReadyBytes, peakRssBytes: peak.rss, cpuSec: sumTicks(tree) / getClockTicks(), notes,
    };
  } catch (error) {
    throw new Error(`${(error as Error).message}${stderr ? `; stderr: ${stderr.trim()}` : ''}`);
  } finally {
    await stopGroup(pid);
  }
}
