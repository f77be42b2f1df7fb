/**
 * Side-by-side measurement of ways to answer a request on uWebSockets.js
 * (bench/experiments/uws-handlers.cjs): each variant runs in its own
 * process pinned to CPU 0, wrk (1 thread, 64 connections) on CPU 1, rounds
 * interleaved; reports medians of user and system CPU µs per request. User
 * time is where the variants differ; the kernel's share (loopback TCP) is
 * the same for all and noisy.
 *
 *   node dist/bench/experiments/handlers.js [--rounds 5] [--seconds 3] [variants…]
 */
import { fork, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getClockTicks, readStat } from '../procstat.js';

const SCRIPT = fileURLToPath(new URL('../../../bench/experiments/uws-handlers.cjs', import.meta.url));
const ALL = ['catchall', 'route', 'routeBytes', 'routeStringHead', 'writeHeaders', 'floor'];
const TICK_US = 1e6 / getClockTicks();

interface Sample {
  readonly rps: number;
  readonly userUs: number;
  readonly sysUs: number;
}

function startVariant(variant: string, port: number, file: string): Promise<ChildProcess> {
  const child = fork(SCRIPT, [variant, String(port), file], { execArgv: [], stdio: 'ignore' });
  execFileSync('taskset', ['-pc', '0', String(child.pid)]);
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', () => reject(new Error(`${variant} exited`)));
  });
}

function runWrk(port: number, seconds: number): number {
  const out = execFileSync('taskset', ['-c', '1', 'wrk', '-t1', '-c64', `-d${seconds}s`, `http://127.0.0.1:${port}/1k.html`]).toString();
  return Number(/(\d+) requests in/.exec(out)![1]);
}

function measure(pid: number, port: number, seconds: number): Sample {
  runWrk(port, 1); // warm-up
  const before = readStat(pid)!;
  const requests = runWrk(port, seconds);
  const after = readStat(pid)!;
  return {
    rps: requests / seconds,
    userUs: ((after.utime - before.utime) * TICK_US) / requests,
    sysUs: ((after.stime - before.stime) * TICK_US) / requests,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { rounds: { type: 'string', default: '5' }, seconds: { type: 'string', default: '3' } },
    allowPositionals: true,
  });
  const variants = positionals.length > 0 ? positionals : ALL;
  const dir = mkdtempSync(join(tmpdir(), 'fastsrv-variants-'));
  const file = join(dir, '1k.html');
  writeFileSync(file, 'x'.repeat(1024));
  const children = await Promise.all(variants.map((v, i) => startVariant(v, 9700 + i, file)));
  const samples = new Map<string, Sample[]>(variants.map((v) => [v, []]));
  try {
    for (let round = 0; round < Number(values.rounds); round++) {
      for (const [i, variant] of variants.entries()) {
        samples.get(variant)!.push(measure(children[i].pid!, 9700 + i, Number(values.seconds)));
      }
    }
  } finally {
    for (const child of children) child.kill();
  }
  console.log('variant          req/s   user µs/req  sys µs/req   (medians)');
  for (const [variant, list] of samples) {
    const rps = median(list.map((s) => s.rps)).toFixed(0);
    const user = median(list.map((s) => s.userUs)).toFixed(2);
    const sys = median(list.map((s) => s.sysUs)).toFixed(2);
    console.log(`${variant.padEnd(16)} ${rps.padStart(6)}   ${user.padStart(10)}  ${sys.padStart(10)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
