/** Helpers shared by the bench tests: synthetic measurements and records. */
import { selectScenarios } from '../../bench/scenarios.js';
import type { Measurement, RunRecord, TargetStatus } from '../../bench/types.js';

/** A measurement with plausible defaults; override what a test is about. */
export function makeMeasurement(over: Partial<Measurement> & Pick<Measurement, 'target' | 'round'>): Measurement {
  return {
    scenario: '1k',
    load: { requests: 100_000, durationSec: 5, bytes: 120_000_000, latencyP50Ms: 0.5, latencyP99Ms: 2, socketErrors: 0, badStatus: 0, clientCpuSec: 2 },
    reqPerSec: 20_000,
    mbPerSec: 24,
    serverCpuSec: 2,
    serverCpuUsPerReq: 20,
    serverCpuPct: 40,
    clientCpuPct: 40,
    backgroundCpuPct: 0,
    irqCpuPct: 0,
    isClientBound: false,
    peakRssBytes: 10 * 1024 * 1024,
    flags: [],
    ...over,
  };
}

export function makeStatus(name: string, over: Partial<TargetStatus> = {}): TargetStatus {
  return { name, started: true, skipReason: null, port: 1, version: null, command: `${name} --serve`, gate: { ok: true, source: 'bench probe', reasons: [], etag: '"x"' }, ...over };
}

/** A record of three rounds of fastsrv, nginx and node-http with the given CPU µs/request per target. */
export function makeRecord(cpu: Record<string, number[]>, rps: Record<string, number[]> = {}): RunRecord {
  const measurements: Measurement[] = [];
  for (const [target, values] of Object.entries(cpu)) {
    values.forEach((v, i) => measurements.push(makeMeasurement({ target, round: i + 1, serverCpuUsPerReq: v, reqPerSec: rps[target]?.[i] ?? 20_000 })));
  }
  return {
    schema: 1,
    startedAt: '2026-01-02T03:04:05.000Z',
    finishedAt: '2026-01-02T03:07:05.000Z',
    machine: { hostname: 'testhost', cpuModel: 'Test CPU' },
    settings: {
      duration: 5, warmup: 1, connections: 64, pipelining: 1, rounds: 3, workers: 1, targets: Object.keys(cpu), scenarios: ['1k'],
      client: 'wrk', pin: true, out: 'results', compare: null, current: null, tolerance: 0.1, help: false,
      clientCores: 1, serverCpus: '0', clientCpus: '1', pinning: 'taskset: server on CPU 0, client on CPU 1',
    },
    targets: [...Object.keys(cpu).map((t) => makeStatus(t)), makeStatus('caddy', { started: false, skipReason: 'caddy is not installed', gate: null })],
    scenarios: selectScenarios(['1k']),
    measurements,
    warnings: [],
  };
}
