import { describe, expect, test } from 'vitest';
import { buildMeasurement, checkResponseSize } from '../../bench/measure.js';
import { selectScenarios } from '../../bench/scenarios.js';
import type { LoadResult } from '../../bench/types.js';

const [oneK, notModified] = selectScenarios(['1k', '304']);

function makeLoad(over: Partial<LoadResult> = {}): LoadResult {
  return { requests: 100_000, durationSec: 5, bytes: 100_000 * 1300, latencyP50Ms: 1, latencyP99Ms: 3, socketErrors: 0, badStatus: 0, clientCpuSec: 2.5, ...over };
}

const machine = (process: number, steal = 0) => ({ process, irq: 50, steal });
const WINDOW = { wallSec: 5, serverTicks: 400, clockTicks: 100, clientCores: 1, peakRssBytes: 1, inFlight: 64, machine: machine(650) };

describe('buildMeasurement', () => {
  test('CPU per request from ticks, rates from the client', () => {
    const m = buildMeasurement({ target: 't', scenario: oneK!, round: 2 }, { ...WINDOW, load: makeLoad() });
    expect(m.serverCpuSec).toBe(4);
    expect(m.serverCpuUsPerReq).toBeCloseTo(40);
    expect(m.reqPerSec).toBe(20_000);
    expect(m.serverCpuPct).toBeCloseTo(80);
    expect(m.clientCpuPct).toBeCloseTo(50);
    expect(m.isClientBound).toBe(false);
    expect(m.flags).toEqual([]);
    expect(m.irqCpuPct).toBeCloseTo(10);
  });

  test('client at ≥ 90 % of its cores is client-bound', () => {
    const m = buildMeasurement({ target: 't', scenario: oneK!, round: 1 }, { ...WINDOW, load: makeLoad({ clientCpuSec: 4.6 }), machine: machine(860) });
    expect(m.isClientBound).toBe(true);
  });

  test('errors, wrong statuses, few ticks and background load are flagged', () => {
    const load = makeLoad({ socketErrors: 3, badStatus: 5 });
    const m = buildMeasurement({ target: 't', scenario: oneK!, round: 1 }, { ...WINDOW, load, serverTicks: 150, machine: machine(900, 50) });
    expect(m.flags).toEqual([
      'background load: 100% of a core used by other processes',
      'hypervisor steal: 10% of a core',
      '3 socket errors',
      '5 responses not 200',
      'only 150 CPU ticks (±1 tick per process): CPU/req is coarse',
    ]);
  });
});

describe('checkResponseSize', () => {
  test('200 scenario with full bodies passes', () => expect(checkResponseSize(oneK!, makeLoad(), 64)).toBeNull());
  test('short responses in a 200 scenario are flagged', () => expect(checkResponseSize(oneK!, makeLoad({ bytes: 100_000 * 300 }), 64)).toMatch(/mean response 300 B/));
  test('304 scenario answered with 200s is flagged', () => expect(checkResponseSize(notModified!, makeLoad(), 64)).toMatch(/outside/));
  test('304 scenario with small responses passes', () => expect(checkResponseSize(notModified!, makeLoad({ bytes: 100_000 * 200 }), 64)).toBeNull());
  test('partial bodies of in-flight responses are allowed for', () => {
    // 100 completed 4 MiB responses plus 64 half-read ones.
    const big = selectScenarios(['4m'])[0]!;
    expect(checkResponseSize(big, makeLoad({ requests: 100, bytes: 100 * 4_194_500 + 64 * 2_097_152 }), 64)).toBeNull();
  });
  test('nothing completed', () => expect(checkResponseSize(oneK!, makeLoad({ requests: 0 }), 64)).toBe('no requests completed'));
});
