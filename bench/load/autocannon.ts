/**
 * autocannon as the load client, in this process (worker threads when the client has
 * more than one core). Client CPU is this process's CPU over the window, which
 * includes the worker threads and the harness's own light sampling.
 */
import autocannon from 'autocannon';
import type { LoadResult, Scenario } from '../types.js';

export interface AutocannonRun {
  baseUrl: string;
  scenario: Scenario;
  headers: Record<string, string>;
  connections: number;
  pipelining: number;
  threads: number;
  durationSec: number;
  timeoutSec: number;
  /** Called about once a second with the last second's completed requests (not in worker mode). */
  onTick: (requestsInLastSecond: number) => void;
}

/** Responses whose status differs from the scenario's expected status. */
export function countUnexpectedStatuses(stats: Record<string, { count: number }>, expectStatus: number): number {
  let bad = 0;
  for (const [code, { count }] of Object.entries(stats)) if (Number(code) !== expectStatus) bad += count;
  return bad;
}

/** Run autocannon once and map its result to a LoadResult. */
export async function runAutocannon(run: AutocannonRun): Promise<LoadResult> {
  const workers = Math.min(run.threads, run.connections);
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const instance = autocannon({
    url: run.baseUrl,
    connections: run.connections,
    pipelining: run.pipelining,
    duration: run.durationSec,
    timeout: run.timeoutSec,
    headers: run.headers,
    requests: run.scenario.paths.map((path) => ({ method: 'GET', path })),
    ...(workers > 1 ? { workers } : {}),
  });
  instance.on('tick', (tick: { counter: number }) => run.onTick(tick.counter));
  const result = await instance;
  const wallSec = (performance.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    requests: result.requests.total,
    durationSec: result.duration || wallSec,
    bytes: result.throughput.total,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    // autocannon counts a timeout in both `errors` and `timeouts`.
    socketErrors: result.errors,
    badStatus: countUnexpectedStatuses(result.statusCodeStats ?? {}, run.scenario.expectStatus),
    clientCpuSec: (cpu.user + cpu.system) / 1e6,
  };
}
