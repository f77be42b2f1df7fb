import { describe, expect, test } from 'vitest';
import { computeRoundRatios, mergeFlags, summarizeScenario } from '../../bench/report/summary.js';
import { makeMeasurement, makeRecord } from './records.js';

describe('computeRoundRatios', () => {
  test('pairs each round with the same round of the baseline', () => {
    const ms = [
      makeMeasurement({ target: 'fastsrv', round: 1, serverCpuUsPerReq: 10 }),
      makeMeasurement({ target: 'fastsrv', round: 2, serverCpuUsPerReq: 30 }),
      makeMeasurement({ target: 'nginx', round: 2, serverCpuUsPerReq: 60 }),
      makeMeasurement({ target: 'nginx', round: 1, serverCpuUsPerReq: 20 }),
    ];
    expect(computeRoundRatios(ms, 'fastsrv', 'nginx', (m) => m.serverCpuUsPerReq)).toEqual([0.5, 0.5]);
  });

  test('a round without the baseline is skipped', () => {
    const ms = [makeMeasurement({ target: 'fastsrv', round: 1 }), makeMeasurement({ target: 'nginx', round: 2 })];
    expect(computeRoundRatios(ms, 'fastsrv', 'nginx', (m) => m.reqPerSec)).toEqual([]);
  });
});

describe('summarizeScenario', () => {
  const record = makeRecord({ fastsrv: [10, 12, 30], nginx: [20, 20, 20], 'node-http': [50, 40, 60] }, { fastsrv: [90e3, 80e3, 70e3], nginx: [45e3, 40e3, 35e3] });
  const rows = summarizeScenario(record.measurements, '1k');

  test('rows sorted by median CPU per request', () => expect(rows.map((r) => r.target)).toEqual(['fastsrv', 'nginx', 'node-http']));
  test('median and spread', () => expect(rows[0]!.cpuUsPerReq).toEqual({ median: 12, min: 10, max: 30, n: 3 }));
  test('median of per-round ratios, not ratio of medians', () => {
    expect(rows[0]!.ratios.nginx!.cpu.median).toBeCloseTo(0.6);
    expect(rows[0]!.ratios.nginx!.rps.median).toBeCloseTo(2);
    expect(rows[0]!.ratios['node-http']!.cpu.median).toBeCloseTo(0.3);
  });
  test('unknown scenario → no rows', () => expect(summarizeScenario(record.measurements, 'nope')).toEqual([]));
});

describe('mergeFlags', () => {
  test('same flag up to numbers is listed once with its rounds', () => {
    const ms = [
      makeMeasurement({ target: 'a', round: 1, flags: ['only 90 CPU ticks', '3 socket errors'] }),
      makeMeasurement({ target: 'a', round: 2, flags: ['only 120 CPU ticks'] }),
    ];
    expect(mergeFlags(ms)).toEqual(['only 90 CPU ticks (r1, r2)', '3 socket errors (r1)']);
  });
});

describe('latency of windows without a completed response', () => {
  test('is unknown, not 0', () => {
    const ms = [1, 2, 3].map((round) => makeMeasurement({ target: 'a', round, load: { ...makeMeasurement({ target: 'a', round }).load, requests: round === 2 ? 5 : 0, latencyP50Ms: round === 2 ? 7 : 0 } }));
    expect(summarizeScenario(ms, '1k')[0]!.p50Ms).toEqual({ median: 7, min: 7, max: 7, n: 1 });
  });
});
