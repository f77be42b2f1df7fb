/**
 * Do small requests stay fast while big downloads are in flight? Each
 * target serves the bench fixtures on CPU 0; on CPU 1, wrk (niced, so it
 * yields to the probe) keeps `--downloads` connections fetching the 4 MiB
 * /blob.bin, while this process sends one 1 KiB GET /index.html at a time
 * on its own keep-alive connection, every `--gap` ms, and records each
 * round trip. wrk alone saturates its core, so its own p99 measures wrk's
 * read scheduling as much as the server (bench/NOTES.md "Big bodies and
 * tail latency"); the probe, which is idle between requests, does not.
 * Rounds interleave the targets. Prints a table; writes nothing.
 *
 *   node dist/bench/experiments/big-latency.js [--targets fastsrv,nginx] [--rounds 3]
 *     [--duration 10] [--downloads 64] [--gap 20] [--builds NAME=DIR,…]
 *     [--path /blob.bin] [--no-probe]
 *
 * `--path /large.bin` downloads the 1 GiB file of the `1g` scenario
 * instead (written to the fixture root first); with `--no-probe` the
 * window measures server CPU per MiB only.
 *
 * `--builds NAME=DIR` adds the target NAME (list it in --targets too):
 * fastsrv built from another commit or variant into DIR
 * (`npx tsc -p tsconfig.json --outDir DIR`, DIR inside the repository so
 * node_modules resolves).
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createFixtures, createLargeFixture, LARGE_FIXTURE } from '../fixtures.js';
import { launchTarget, type RunningTarget } from '../launch.js';
import { installCleanup, runCommand, trackChild } from '../proc.js';
import { getClockTicks, readTree, sumTicks } from '../procstat.js';
import { findTarget } from '../targets/index.js';
import type { TargetDefinition } from '../targets/common.js';
import { fastsrv } from '../targets/launchers.js';

const REPO_DIR = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/** The q-quantile (0..1) of sorted values, nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** wrk's `--latency` distribution line for `percent` ("99%   1.23s") in ms, or NaN. */
export function parseWrkPercentile(text: string, percent: number): number {
  const match = new RegExp(`^\\s*${percent}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(text);
  if (!match) return Number.NaN;
  const scale = match[2] === 'us' ? 0.001 : match[2] === 's' ? 1000 : 1;
  return Number(match[1]) * scale;
}

/** Sequential keep-alive GETs of `path` until `stopAt`; round-trip times in ms. */
async function probe(port: number, path: string, gapMs: number, stopAt: number): Promise<{ times: number[]; errors: number }> {
  const socket: Socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise<void>((res, rej) => socket.once('connect', res).once('error', rej));
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  const times: number[] = [];
  let errors = 0;
  while (performance.now() < stopAt) {
    const started = performance.now();
    const ok = await new Promise<boolean>((res) => {
      let got = 0;
      let expected = -1;
      const timer = setTimeout(() => done(false), 10_000);
      const onData = (chunk: Buffer): void => {
        got += chunk.length;
        if (expected < 0) {
          const text = chunk.toString('latin1');
          const end = text.indexOf('\r\n\r\n');
          const length = /content-length:\s*(\d+)/i.exec(text);
          if (!text.startsWith('HTTP/1.1 200 ')) return done(false);
          if (end >= 0 && length) expected = end + 4 + Number(length[1]);
        }
        if (expected >= 0 && got >= expected) done(true);
      };
      const done = (value: boolean): void => {
        clearTimeout(timer);
        socket.off('data', onData);
        res(value);
      };
      socket.on('data', onData);
      socket.write(request);
    });
    if (ok) times.push(performance.now() - started);
    else errors++;
    if (!ok) break;
    await new Promise((r) => setTimeout(r, gapMs));
  }
  socket.destroy();
  return { times, errors };
}

/** wrk on CPU 1 (at nice 10 beside the probe), `connections` downloading `url` for `seconds`; its stdout. */
function runWrk(url: string, connections: number, seconds: number, isNiced: boolean): Promise<string> {
  const child = spawn('taskset', ['-c', '1', ...(isNiced ? ['nice', '-n', '10'] : []), 'wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '30s', '--latency', url], { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((res) => child.on('exit', () => res(out)));
}

interface Row {
  target: string;
  round: number;
  probeP50: number;
  probeP99: number;
  probeMax: number;
  probes: number;
  wrkP50: number;
  wrkP99: number;
  mbPerSec: number;
  serverCpuPct: number;
  /** Server CPU µs per MiB wrk received (by its Transfer/sec, three digits). */
  cpuUsPerMiB: number;
  /** wrk's error lines (socket errors, non-2xx), '' when none. */
  wrkErrors: string;
}

interface WindowOptions {
  duration: number;
  downloads: number;
  gap: number;
  path: string;
  isProbing: boolean;
}

async function measure(target: RunningTarget, round: number, o: WindowOptions): Promise<Row> {
  const ticks = sumTicks(readTree(target.pid));
  const started = performance.now();
  const wrk = runWrk(`${target.baseUrl}${o.path}`, o.downloads, o.duration, o.isProbing);
  await new Promise((r) => setTimeout(r, 1000)); // let every download start
  const probed = o.isProbing ? await probe(target.port, '/index.html', o.gap, started + (o.duration - 0.5) * 1000) : { times: [], errors: 0 };
  const out = await wrk;
  const wallSec = (performance.now() - started) / 1000;
  const cpuSec = (sumTicks(readTree(target.pid)) - ticks) / getClockTicks();
  const sorted = [...probed.times].sort((a, b) => a - b);
  const transfer = /Transfer\/sec:\s+([\d.]+)(KB|MB|GB)/.exec(out);
  const unit = transfer?.[2] === 'GB' ? 1024 ** 3 : transfer?.[2] === 'KB' ? 1024 : 1024 ** 2;
  const mbPerSec = transfer ? (Number(transfer[1]) * unit) / 1e6 : Number.NaN;
  return {
    target: target.name,
    round,
    probeP50: quantile(sorted, 0.5),
    probeP99: quantile(sorted, 0.99),
    probeMax: sorted[sorted.length - 1] ?? Number.NaN,
    probes: sorted.length + probed.errors,
    wrkP50: parseWrkPercentile(out, 50),
    wrkP99: parseWrkPercentile(out, 99),
    mbPerSec,
    serverCpuPct: (cpuSec / wallSec) * 100,
    // wrk's window is `duration` s of the wall time measured here.
    cpuUsPerMiB: (cpuSec * 1e6) / ((mbPerSec * 1e6 * o.duration) / 1024 ** 2),
    wrkErrors: out.split('\n').filter((l) => /Socket errors|Non-2xx/.test(l)).map((l) => l.trim()).join('; '),
  };
}

/** fastsrv from another build directory (its dist/ root). */
function defineBuild(name: string, distDir: string): TargetDefinition {
  return {
    name,
    describe: `fastsrv built into ${distDir}`,
    plan(ctx) {
      const plan = fastsrv.plan(ctx);
      if ('skip' in plan) return plan;
      return { ...plan, args: [join(distDir, 'src/cli.js'), ...plan.args.slice(1)] };
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    allowNegative: true,
    options: {
      targets: { type: 'string', default: 'fastsrv,nginx' }, rounds: { type: 'string', default: '3' },
      duration: { type: 'string', default: '10' }, downloads: { type: 'string', default: '64' },
      gap: { type: 'string', default: '20' }, builds: { type: 'string', default: '' },
      path: { type: 'string', default: '/blob.bin' }, probe: { type: 'boolean', default: true },
    },
  });
  const o: WindowOptions = { duration: Number(values.duration), downloads: Number(values.downloads), gap: Number(values.gap), path: values.path!, isProbing: values.probe! };
  const tempDir = mkdtempSync(join(tmpdir(), 'fastsrv-big-latency-'));
  chmodSync(tempDir, 0o755); // nginx's workers run as nobody
  installCleanup(tempDir, () => console.log('stopping'));
  await runCommand('taskset', ['-a', '-p', '-c', '1', String(process.pid)]);
  const root = join(tempDir, 'root');
  mkdirSync(root);
  createFixtures(root);
  if (o.path === LARGE_FIXTURE.urlPath) createLargeFixture(root);
  const builds = new Map(values.builds!.split(',').filter((b) => b !== '').map((b) => [b.slice(0, b.indexOf('=')), resolve(b.slice(b.indexOf('=') + 1))] as const));
  const running: RunningTarget[] = [];
  try {
    for (const name of values.targets!.split(',')) {
      const dist = builds.get(name);
      const def = dist === undefined ? findTarget(name) : defineBuild(name, dist);
      if (!def) throw new Error(`unknown target ${name}`);
      const { running: r, status } = await launchTarget(def, { root, tempDir, workers: 1, connections: o.downloads + 1, repoDir: REPO_DIR, serverCpus: '0', tls: null });
      if (!r) throw new Error(`${name}: ${status.skipReason}`);
      running.push({ ...r, name });
    }
    const rows: Row[] = [];
    for (let round = 1; round <= Number(values.rounds); round++) {
      for (let i = 0; i < running.length; i++) {
        const target = running[(i + round - 1) % running.length]!;
        const row = await measure(target, round, o);
        rows.push(row);
        const loadavg = (await runCommand('cat', ['/proc/loadavg'])).stdout.split(' ')[0];
        console.log(`r${round} ${row.target}: probe p50 ${row.probeP50.toFixed(2)} p99 ${row.probeP99.toFixed(2)} max ${row.probeMax.toFixed(1)} ms (${row.probes}), wrk p50 ${row.wrkP50.toFixed(0)} p99 ${row.wrkP99.toFixed(0)} ms, ${row.mbPerSec.toFixed(0)} MB/s, server ${row.serverCpuPct.toFixed(0)}% (${row.cpuUsPerMiB.toFixed(0)} µs/MiB), load ${loadavg}${row.wrkErrors ? `, wrk: ${row.wrkErrors}` : ''}`);
      }
    }
    console.log('\n| target | probe p50 ms | probe p99 ms | probe max ms | wrk p50 ms | wrk p99 ms | MB/s | server CPU % | server µs CPU/MiB |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const t of running) {
      const mine = rows.filter((r) => r.target === t.name);
      const med = (f: (r: Row) => number, digits = 2): string => quantile(mine.map(f).sort((a, b) => a - b), 0.5).toFixed(digits);
      console.log(`| ${t.name} | ${med((r) => r.probeP50)} | ${med((r) => r.probeP99)} | ${med((r) => r.probeMax)} | ${med((r) => r.wrkP50, 0)} | ${med((r) => r.wrkP99, 0)} | ${med((r) => r.mbPerSec, 0)} | ${med((r) => r.serverCpuPct, 0)} | ${med((r) => r.cpuUsPerMiB, 0)} |`);
    }
  } finally {
    await Promise.all(running.map((t) => t.stop()));
    rmSync(tempDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
