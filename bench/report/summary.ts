/** Aggregation of rounds into one row per target and scenario (pure). */
import { divideSafely, summarizeSpread, type Spread } from '../stats.js';
import type { Measurement, RunRecord, Scenario, TargetStatus } from '../types.js';

/** `floor` is the C reference point (targets/reference.ts): ratios to it say how far a server is from the limit. */
export const BASELINES = ['nginx', 'node-http', 'floor'] as const;
export type Baseline = (typeof BASELINES)[number];

/**
 * Ratios to a baseline, each computed within one round, then summarised. In a bulk
 * scenario they are per byte instead: CPU/MiB and MB/s.
 */
export interface RatioSpread {
  /** target CPU/request ÷ baseline CPU/request (< 1: the target spends less CPU); bulk: CPU/MiB. */
  cpu: Spread;
  /** target req/s ÷ baseline req/s (> 1: the target served more); bulk: MB/s. */
  rps: Spread;
}

export interface SummaryRow {
  target: string;
  rounds: number;
  reqPerSec: Spread;
  mbPerSec: Spread;
  p50Ms: Spread;
  p99Ms: Spread;
  cpuUsPerReq: Spread;
  /** Server CPU µs per MiB received (NaN spread for records written before it existed). */
  cpuUsPerMiB: Spread;
  serverCpuPct: Spread;
  clientCpuPct: Spread;
  clientBoundRounds: number;
  errors: number;
  peakRssBytes: number;
  ratios: Partial<Record<Baseline, RatioSpread>>;
  flags: string[];
}

function pick(ms: readonly Measurement[], f: (m: Measurement) => number): Spread {
  return summarizeSpread(ms.map(f));
}

/** Per-round ratios of `target` to `baseline` for one metric; rounds missing either side are skipped. */
export function computeRoundRatios(ms: readonly Measurement[], target: string, baseline: string, metric: (m: Measurement) => number): number[] {
  const ratios: number[] = [];
  for (const m of ms) {
    if (m.target !== target) continue;
    const base = ms.find((b) => b.target === baseline && b.round === m.round && b.scenario === m.scenario);
    if (base) ratios.push(divideSafely(metric(m), metric(base)));
  }
  return ratios.filter(Number.isFinite);
}

const getCpuPerMiB = (m: Measurement): number => m.serverCpuUsPerMiB ?? Number.NaN;

/** The CPU and rate metrics a scenario is ranked and compared by. */
export function selectMetrics(isBulk: boolean): { cpu: (m: Measurement) => number; rate: (m: Measurement) => number } {
  return isBulk ? { cpu: getCpuPerMiB, rate: (m) => m.mbPerSec } : { cpu: (m) => m.serverCpuUsPerReq, rate: (m) => m.reqPerSec };
}

function summarizeRatios(ms: readonly Measurement[], target: string, isBulk: boolean): Partial<Record<Baseline, RatioSpread>> {
  const out: Partial<Record<Baseline, RatioSpread>> = {};
  const metrics = selectMetrics(isBulk);
  for (const baseline of BASELINES) {
    const cpu = computeRoundRatios(ms, target, baseline, metrics.cpu);
    if (cpu.length === 0) continue;
    out[baseline] = { cpu: summarizeSpread(cpu), rps: summarizeSpread(computeRoundRatios(ms, target, baseline, metrics.rate)) };
  }
  return out;
}

/** Flags of several rounds, merged when they differ only in numbers: "text (r1, r3)". */
export function mergeFlags(ms: readonly Measurement[]): string[] {
  const groups = new Map<string, { text: string; rounds: number[] }>();
  for (const m of ms) {
    for (const flag of m.flags) {
      const key = flag.replace(/\d+(\.\d+)?/g, '#');
      const group = groups.get(key);
      if (group) group.rounds.push(m.round);
      else groups.set(key, { text: flag, rounds: [m.round] });
    }
  }
  return [...groups.values()].map((g) => `${g.text} (${g.rounds.map((r) => `r${r}`).join(', ')})`);
}

function summarizeTarget(ms: readonly Measurement[], all: readonly Measurement[], target: string, isBulk: boolean): SummaryRow {
  return {
    target,
    rounds: ms.length,
    reqPerSec: pick(ms, (m) => m.reqPerSec),
    mbPerSec: pick(ms, (m) => m.mbPerSec),
    // A window without a completed response has no latency (wrk prints 0).
    p50Ms: pick(ms, (m) => (m.load.requests > 0 ? m.load.latencyP50Ms : Number.NaN)),
    p99Ms: pick(ms, (m) => (m.load.requests > 0 ? m.load.latencyP99Ms : Number.NaN)),
    cpuUsPerReq: pick(ms, (m) => m.serverCpuUsPerReq),
    cpuUsPerMiB: pick(ms, getCpuPerMiB),
    serverCpuPct: pick(ms, (m) => m.serverCpuPct),
    clientCpuPct: pick(ms, (m) => m.clientCpuPct),
    clientBoundRounds: ms.filter((m) => m.isClientBound).length,
    errors: ms.reduce((sum, m) => sum + m.load.socketErrors + m.load.badStatus, 0),
    peakRssBytes: Math.max(0, ...ms.map((m) => m.peakRssBytes)),
    ratios: summarizeRatios(all, target, isBulk),
    flags: mergeFlags(ms),
  };
}

/**
 * One row per target measured in `scenario`, lowest median CPU/request first (CPU/MiB
 * first in a bulk scenario, where ratios are per byte too).
 */
export function summarizeScenario(measurements: readonly Measurement[], scenario: string, isBulk = false): SummaryRow[] {
  const ms = measurements.filter((m) => m.scenario === scenario);
  const targets = [...new Set(ms.map((m) => m.target))];
  const rows = targets.map((t) => summarizeTarget(ms.filter((m) => m.target === t), ms, t, isBulk));
  const rank = (r: SummaryRow): number => (isBulk ? r.cpuUsPerMiB.median : r.cpuUsPerReq.median);
  const key = (r: SummaryRow): number => (Number.isFinite(rank(r)) ? rank(r) : Infinity);
  return rows.sort((a, b) => key(a) - key(b));
}

/** The launches a scenario was measured on: the TLS ones for TLS scenarios, the variant's for a variant scenario (old records have neither). */
export function listLaunches(record: RunRecord, scenario: Scenario): TargetStatus[] {
  return record.targets.filter((t) => (t.tls !== undefined) === (scenario.isTls ?? false) && t.variant === scenario.variant);
}
