/**
 * Allocation check: `node dist/bench/heap.js --help`. One fastsrv worker runs in a child
 * (bench/heap/worker.ts) with V8's sampling heap profiler in-process; wrk drives one
 * case at a time and the profile of each window is summed into bytes per request and
 * allocation sites. See results/README.md ("Allocations per request").
 */
import { fork, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { buildConfig } from '../src/setup/config.js';
import { createFixtures } from './fixtures.js';
import { summarizeHeapProfile, type HeapProfile } from './heap/profile.js';
import { formatHeapReport, HEAP_CASES, HEAP_HELP, parseHeapOptions, type HeapCase, type HeapOptions, type HeapResult } from './heap/report.js';
import type { HeapCommand, HeapReply } from './heap/worker.js';
import { runWrk } from './load/wrk.js';
import { gatherMachineInfo } from './machine.js';
import { planCpus, type CpuPlan } from './options.js';
import { fetchEtag, sendRequest } from './probe.js';
import { findFreePort, killAllGroupsSync, runCommand, trackChild } from './proc.js';
import { logLine, showStatus } from './progress.js';
import { selectScenarios } from './scenarios.js';
import { findExecutable } from './targets/common.js';

const REPO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const COMPRESSED_PATHS = ['/index.html', '/style.css', '/app.js'];
const START_TIMEOUT_MS = 30_000;

/** Resolve with the first message of `type` from the child; reject if it exits or reports an error. */
function waitForMessage<T extends { type: string }>(child: ChildProcess, type: string, timeoutMs = START_TIMEOUT_MS): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => finish(new Error(`no "${type}" from the worker within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: { type: string; message?: string }): void => {
      if (m?.type === type) finish(null, m as T);
      else if (m?.type === 'fatal' || m?.type === 'heap-error') finish(new Error(`worker: ${m.message}`));
    };
    const onExit = (code: number | null): void => finish(new Error(`worker exited (${code})`));
    function finish(error: Error | null, value?: T): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolvePromise(value!);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Fork the profiled worker with the Config the primary would give it; resolve once it listens. */
async function startWorker(root: string, port: number, cpu: CpuPlan, tempDir: string): Promise<ChildProcess> {
  const config = buildConfig(root, { host: '127.0.0.1', port: String(port), 'no-watch': true, 'compress-store': join(tempDir, 'compressed') }, {});
  const child = fork(join(REPO_DIR, 'dist/bench/heap/worker.js'), [], {
    // The compression store lives in this run's temp dir, not the user's.
    env: { ...process.env, FASTSRV_CONFIG: JSON.stringify(config), FASTSRV_WORKER_INDEX: '0', TMPDIR: tempDir },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  trackChild(child);
  if (cpu.serverCpus) await runCommand('taskset', ['-a', '-p', '-c', cpu.serverCpus, String(child.pid)]);
  await waitForMessage(child, 'listening');
  // As the primary does once every worker listens: background compression may start.
  child.send({ type: 'started' });
  return child;
}

/** Background compression allocates too: wait until the text fixtures are served as brotli. */
async function waitForCompression(baseUrl: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const encodings = await Promise.all(COMPRESSED_PATHS.map((p) => sendRequest(baseUrl + p, 'HEAD', { 'Accept-Encoding': 'br' }).then((r) => r.headers['content-encoding'])));
    if (encodings.every((e) => e === 'br')) return;
    await sleep(200);
  }
  throw new Error('background compression did not finish within 60 s');
}

interface CaseContext {
  child: ChildProcess;
  baseUrl: string;
  etag: string;
  options: HeapOptions;
  cpu: CpuPlan;
  tempDir: string;
}

/** wrk for `seconds` on the case's scenario, or a quiet wait for the idle case; returns requests completed. */
async function driveLoad(heapCase: HeapCase, ctx: CaseContext, seconds: number): Promise<number> {
  if (heapCase.scenario === null) {
    await sleep(seconds * 1000);
    return 0;
  }
  const [scenario] = selectScenarios([heapCase.scenario]);
  const load = await runWrk({
    baseUrl: ctx.baseUrl, scenario: scenario!, headers: heapCase.headers(ctx.etag), connections: ctx.options.connections, pipelining: 1,
    threads: ctx.cpu.clientCores, durationSec: seconds, timeoutSec: 10, scriptPath: join(ctx.tempDir, 'heap.lua'), cpuList: ctx.cpu.clientCpus,
  });
  return load.requests;
}

async function measureCase(heapCase: HeapCase, ctx: CaseContext): Promise<HeapResult> {
  if (ctx.options.warmupSec > 0 && heapCase.scenario !== null) {
    showStatus(`${heapCase.name}: warm-up ${ctx.options.warmupSec}s`);
    await driveLoad(heapCase, ctx, ctx.options.warmupSec);
  }
  showStatus(`${heapCase.name}: sampling ${ctx.options.durationSec}s`);
  const started = waitForMessage(ctx.child, 'heap-started');
  ctx.child.send({ type: 'heap-start', interval: ctx.options.intervalBytes } satisfies HeapCommand);
  await started;
  const startedAt = performance.now();
  const requests = await driveLoad(heapCase, ctx, ctx.options.durationSec);
  const durationSec = (performance.now() - startedAt) / 1000;
  const path = join(ctx.tempDir, `${heapCase.name}.heapprofile`);
  const stopped = waitForMessage<Extract<HeapReply, { type: 'heap-stopped' }>>(ctx.child, 'heap-stopped', 120_000);
  ctx.child.send({ type: 'heap-stop', path } satisfies HeapCommand);
  await stopped;
  const profile = JSON.parse(readFileSync(path, 'utf8')) as HeapProfile;
  const summary = summarizeHeapProfile(profile, (url) => url.includes('/dist/src/'));
  return { name: heapCase.name, title: heapCase.title, requests, durationSec, summary };
}

async function measureAll(options: HeapOptions, tempDir: string): Promise<HeapResult[]> {
  const root = join(tempDir, 'root');
  createFixtures(root);
  const cpu = planCpus(cpus().length, 1, findExecutable('taskset') !== null);
  if (cpu.clientCpus) await runCommand('taskset', ['-a', '-p', '-c', cpu.clientCpus, String(process.pid)]);
  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = await startWorker(root, port, cpu, tempDir);
  try {
    await waitForCompression(baseUrl);
    const etag = (await fetchEtag(baseUrl, '/index.html')) ?? '""';
    logLine(`fastsrv worker pid ${child.pid} on ${baseUrl}; ${cpu.description}; sampling every ${options.intervalBytes} bytes`);
    const ctx: CaseContext = { child, baseUrl, etag, options, cpu, tempDir };
    const results: HeapResult[] = [];
    for (const heapCase of HEAP_CASES.filter((c) => options.cases.includes(c.name))) results.push(await measureCase(heapCase, ctx));
    return results;
  } finally {
    child.kill('SIGTERM');
  }
}

function writeRecord(options: HeapOptions, results: readonly HeapResult[], tempDir: string, machine: Record<string, string>): string {
  const out = options.out!;
  mkdirSync(out, { recursive: true });
  const stem = `heap-${new Date().toISOString().slice(0, 10)}-${machine.hostname!.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  const profiles = results.map((r) => {
    const name = `${stem}-${r.name}.heapprofile`;
    copyFileSync(join(tempDir, `${r.name}.heapprofile`), join(out, name));
    return name;
  });
  const record = { schema: 1, kind: 'fastsrv-heap', machine, settings: options, results: results.map((r, i) => ({ ...r, summary: { ...r.summary, sites: r.summary.sites.slice(0, 50) }, profile: basename(profiles[i]!) })) };
  const path = join(out, `${stem}.json`);
  writeFileSync(path, `${JSON.stringify(record, null, 2)}\n`);
  return path;
}

async function main(): Promise<void> {
  const options = parseHeapOptions(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(HEAP_HELP);
    return;
  }
  const tempDir = mkdtempSync(join(tmpdir(), 'fastsrv-heap-'));
  process.once('exit', () => rmSync(tempDir, { recursive: true, force: true }));
  process.once('SIGINT', () => process.exit(130));
  const results = await measureAll(options, tempDir);
  process.stdout.write(`\n${formatHeapReport(results, options.top)}`);
  if (options.out !== null) logLine(`wrote ${writeRecord(options, results, tempDir, await gatherMachineInfo(REPO_DIR))}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    killAllGroupsSync();
    process.stderr.write(`heap bench: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
