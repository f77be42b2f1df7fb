/**
 * One measured window: warm up, sample the server tree's CPU ticks, run the client,
 * sample again; peak RSS is sampled every 250 ms in between.
 */
import { join } from 'node:path';
import type { RunningTarget } from './launch.js';
import { runAutocannon } from './load/autocannon.js';
import { runWrk } from './load/wrk.js';
import type { CpuPlan } from './options.js';
import { getClockTicks, readMachineTicks, readRssBytes, readTree, subtractMachineTicks, sumTicks, type MachineTicks } from './procstat.js';
import type { LoadResult, Measurement, Options, Scenario } from './types.js';

const RSS_INTERVAL_MS = 250;
/** Client at or above this share of its cores: its req/s is a floor, not the server's limit. */
export const CLIENT_BOUND_SHARE = 0.9;
/** Under this many ticks the 10 ms granularity costs more than about 1 %. */
const MIN_TICKS = 200;
/** Process CPU used by neither the server nor the client above this share of one core: a busy machine. */
const BACKGROUND_SHARE = 0.1;
/** Hypervisor steal above this share of one core. */
const STEAL_SHARE = 0.05;
/** wrk prints Transfer/sec with three significant digits; beyond this it disagrees with its own byte count. */
const TRANSFER_TOLERANCE = 0.02;
const MIB = 1024 * 1024;

export interface MeasureContext {
  options: Options;
  cpu: CpuPlan;
  tempDir: string;
  onProgress: (text: string) => void;
}

/** Raw numbers of a window, before derivation. */
export interface WindowSample {
  load: LoadResult;
  wallSec: number;
  serverTicks: number;
  clockTicks: number;
  clientCores: number;
  peakRssBytes: number;
  /** connections × pipelining: responses that can be partly read when the window ends. */
  inFlight: number;
  /** Whole-machine ticks over the window (NaN fields when unknown). */
  machine: MachineTicks;
}

/**
 * Flag text when the mean bytes per completed response does not fit the scenario (e.g.
 * 200s in the 304 scenario). The client's byte count also holds the responses still in
 * flight when the window closed (one per connection and pipeline slot), hence the slack.
 */
export function checkResponseSize(scenario: Scenario, load: LoadResult, inFlight: number): string | null {
  if (load.requests === 0) return 'no requests completed';
  const mean = load.bytes / load.requests;
  const max = scenario.maxBodyBytes * (1 + inFlight / load.requests);
  if (mean < scenario.minBodyBytes || mean > max) {
    return `mean response ${Math.round(mean)} B outside [${scenario.minBodyBytes}, ${Math.round(max)}] B`;
  }
  return null;
}

/**
 * Flag text when wrk's printed Transfer/sec (1024-based units, rounded) does not match
 * bytes ÷ duration of its done() totals, i.e. when byte counting cannot be trusted.
 */
export function checkTransferRate(load: LoadResult): string | null {
  if (load.transferPerSec === undefined || load.durationSec <= 0) return null;
  const rate = load.bytes / load.durationSec;
  const gap = Math.abs(rate - load.transferPerSec) / Math.max(rate, load.transferPerSec, 1);
  if (gap <= TRANSFER_TOLERANCE) return null;
  return `wrk Transfer/sec ${(load.transferPerSec / MIB).toFixed(1)} MiB/s ≠ bytes/duration ${(rate / MIB).toFixed(1)} MiB/s`;
}

/** Server CPU µs per MiB the client received (NaN when nothing was received). */
export function computeCpuPerMiB(serverCpuSec: number, bytes: number): number {
  return bytes > 0 ? (serverCpuSec * 1e6) / (bytes / MIB) : Number.NaN;
}

/** Derive the reported figures and flags of a window (pure). */
export function buildMeasurement(ids: { target: string; scenario: Scenario; round: number }, w: WindowSample): Measurement {
  const { load } = w;
  const serverCpuSec = w.serverTicks / w.clockTicks;
  const clientShare = load.clientCpuSec / (w.wallSec * w.clientCores);
  const perCore = (ticks: number): number => ticks / w.clockTicks / w.wallSec;
  const backgroundShare = perCore(w.machine.process) - (serverCpuSec + load.clientCpuSec) / w.wallSec;
  const flags: string[] = [];
  if (backgroundShare > BACKGROUND_SHARE) flags.push(`background load: ${Math.round(backgroundShare * 100)}% of a core used by other processes`);
  if (perCore(w.machine.steal) > STEAL_SHARE) flags.push(`hypervisor steal: ${Math.round(perCore(w.machine.steal) * 100)}% of a core`);
  if (load.socketErrors > 0) flags.push(`${load.socketErrors} socket errors`);
  if (load.badStatus > 0) flags.push(`${load.badStatus} responses not ${ids.scenario.expectStatus}`);
  const sizeFlag = checkResponseSize(ids.scenario, load, w.inFlight);
  // A bulk window may end before any response completes: its bytes still count.
  const isPartialBulk = ids.scenario.isBulk === true && load.requests === 0 && load.bytes > 0;
  if (sizeFlag && !isPartialBulk) flags.push(sizeFlag);
  const transferFlag = checkTransferRate(load);
  if (transferFlag) flags.push(transferFlag);
  if (w.serverTicks < MIN_TICKS) flags.push(`only ${w.serverTicks} CPU ticks (±1 tick per process): CPU/${ids.scenario.isBulk ? 'MiB' : 'req'} is coarse`);
  return {
    target: ids.target,
    scenario: ids.scenario.name,
    round: ids.round,
    load,
    reqPerSec: load.requests / load.durationSec,
    mbPerSec: load.bytes / load.durationSec / 1e6,
    serverCpuSec,
    serverCpuUsPerReq: load.requests > 0 ? (serverCpuSec * 1e6) / load.requests : Number.NaN,
    serverCpuUsPerMiB: computeCpuPerMiB(serverCpuSec, load.bytes),
    serverCpuPct: (serverCpuSec / w.wallSec) * 100,
    clientCpuPct: clientShare * 100,
    backgroundCpuPct: backgroundShare * 100,
    irqCpuPct: perCore(w.machine.irq) * 100,
    isClientBound: clientShare >= CLIENT_BOUND_SHARE,
    peakRssBytes: w.peakRssBytes,
    flags,
  };
}

function runLoad(target: RunningTarget, scenario: Scenario, ctx: MeasureContext, durationSec: number, onTick: (n: number) => void): Promise<LoadResult> {
  const { options, cpu } = ctx;
  const etag = target.gate?.etag ?? null;
  const headers: Record<string, string> = scenario.isConditional && etag ? { 'If-None-Match': etag } : {};
  // wrk opens a new connection after a response to Connection: close.
  if (scenario.isNewConnection) headers.Connection = 'close';
  const connections = scenario.connections ?? options.connections;
  const common = { baseUrl: target.baseUrl, scenario, headers, connections, pipelining: options.pipelining, threads: cpu.clientCores, durationSec, timeoutSec: scenario.timeoutSec ?? 10 };
  if (options.client === 'wrk') {
    return runWrk({ ...common, scriptPath: join(ctx.tempDir, `wrk-${scenario.name}.lua`), cpuList: cpu.clientCpus });
  }
  if (scenario.isTls) return Promise.reject(new Error(`${scenario.name} needs wrk (the autocannon client is not set up for TLS)`));
  return runAutocannon({ ...common, onTick });
}

/** Sample RSS of the tree and its CPU every 250 ms; report live server CPU % through onProgress. */
function startSampler(pid: number, report: (cpuPct: number, lastRate: number) => void): { stop(): number; setRate(n: number): void } {
  let peak = readRssBytes(readTree(pid).map((s) => s.pid));
  let lastTicks = -1;
  let lastAt = performance.now();
  let rate = Number.NaN;
  let beat = 0;
  const timer = setInterval(() => {
    const tree = readTree(pid);
    peak = Math.max(peak, readRssBytes(tree.map((s) => s.pid)));
    if (++beat % 4 !== 0) return;
    const ticks = sumTicks(tree);
    const now = performance.now();
    if (lastTicks >= 0) report(((ticks - lastTicks) / getClockTicks() / ((now - lastAt) / 1000)) * 100, rate);
    lastTicks = ticks;
    lastAt = now;
  }, RSS_INTERVAL_MS);
  return { stop: () => (clearInterval(timer), peak), setRate: (n) => (rate = n) };
}

/** Warm up, then measure one window of `target` on `scenario`. */
export async function measureWindow(target: RunningTarget, scenario: Scenario, round: number, ctx: MeasureContext): Promise<Measurement> {
  const label = `round ${round} · ${scenario.name} · ${target.name}`;
  if (ctx.options.warmup > 0) {
    ctx.onProgress(`${label}: warm-up ${ctx.options.warmup}s`);
    await runLoad(target, scenario, ctx, ctx.options.warmup, () => undefined).catch(() => undefined);
  }
  const sampler = startSampler(target.pid, (cpuPct, rate) => {
    const rateText = Number.isFinite(rate) ? `, ${Math.round(rate).toLocaleString('en-US')} req/s` : '';
    ctx.onProgress(`${label}: measuring, server CPU ${Math.round(cpuPct)}%${rateText}`);
  });
  ctx.onProgress(`${label}: measuring ${ctx.options.duration}s`);
  const machineBefore = readMachineTicks();
  const ticksBefore = sumTicks(readTree(target.pid));
  const startedAt = performance.now();
  let load: LoadResult;
  try {
    load = await runLoad(target, scenario, ctx, ctx.options.duration, (n) => sampler.setRate(n));
  } catch (error) {
    sampler.stop();
    throw error;
  }
  const peakRssBytes = sampler.stop();
  const serverTicks = sumTicks(readTree(target.pid)) - ticksBefore;
  const wallSec = (performance.now() - startedAt) / 1000;
  const machine = subtractMachineTicks(readMachineTicks(), machineBefore);
  const sample = { load, wallSec, serverTicks, clockTicks: getClockTicks(), clientCores: ctx.cpu.clientCores, peakRssBytes, inFlight: (scenario.connections ?? ctx.options.connections) * ctx.options.pipelining, machine };
  const measurement = buildMeasurement({ target: target.name, scenario, round }, sample);
  if (scenario.isConditional && !target.gate?.etag) measurement.flags.push('target sent no ETag: requests carried no If-None-Match');
  return measurement;
}
