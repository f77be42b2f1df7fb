import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { compareRecords } from '../../bench/compare.js';
import { buildFixtureBytes, createLargeFixture, FIXTURES, LARGE_BLOCK_SIZE, LARGE_FIXTURE } from '../../bench/fixtures.js';
import { parseWrkTransferPerSec } from '../../bench/load/wrk.js';
import { buildMeasurement, checkTransferRate, computeCpuPerMiB } from '../../bench/measure.js';
import { buildScenarioSection } from '../../bench/report/markdown.js';
import { summarizeScenario } from '../../bench/report/summary.js';
import { buildSvg } from '../../bench/report/svg.js';
import { needsLargeFixture, selectScenarios } from '../../bench/scenarios.js';
import type { LoadResult, Measurement, RunRecord } from '../../bench/types.js';
import { makeMeasurement, makeRecord } from './records.js';

const MIB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'bench-bulk-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseWrkTransferPerSec', () => {
  test.each([
    ['Transfer/sec:     11.66MB\n', 11.66 * MIB],
    ['Requests/sec:      3.10\nTransfer/sec:      3.10GB\n', 3.1 * 1024 ** 3],
    ['Transfer/sec:    512.00B\n', 512],
  ])('%j', (text, want) => expect(parseWrkTransferPerSec(text)).toBeCloseTo(want));
  test('absent → null', () => expect(parseWrkTransferPerSec('Requests/sec: 1\n')).toBeNull());
});

describe('checkTransferRate', () => {
  const load = (bytes: number, transferPerSec?: number): LoadResult => ({
    requests: 3, durationSec: 2, bytes, latencyP50Ms: 1, latencyP99Ms: 1, socketErrors: 0, badStatus: 0, clientCpuSec: 1, ...(transferPerSec === undefined ? {} : { transferPerSec }),
  });
  test('agrees within wrk rounding', () => expect(checkTransferRate(load(6_000_000_000, 2.79 * 1024 ** 3))).toBeNull());
  test('disagreement is flagged', () => expect(checkTransferRate(load(6_000_000_000, 1.5 * 1024 ** 3))).toMatch(/Transfer\/sec 1536\.0 MiB\/s ≠ bytes\/duration 2861\.0 MiB\/s/));
  test('no Transfer/sec (autocannon) → no check', () => expect(checkTransferRate(load(1))).toBeNull());
});

describe('computeCpuPerMiB', () => {
  test('µs of server CPU per MiB received', () => expect(computeCpuPerMiB(0.5, 1024 * MIB)).toBeCloseTo(488.28))
  test('nothing received → NaN', () => expect(computeCpuPerMiB(1, 0)).toBeNaN());
});

describe('createLargeFixture', () => {
  const fixture = { urlPath: '/big/large.bin', size: 3 * LARGE_BLOCK_SIZE + 5, contentType: 'application/octet-stream' };
  test('exact size, repeated seeded block, fixed mtime, no holes', () => {
    createLargeFixture(dir, fixture);
    const path = join(dir, fixture.urlPath);
    const stats = statSync(path);
    expect(stats.size).toBe(fixture.size);
    expect(stats.mtime.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(stats.blocks * 512).toBeGreaterThanOrEqual(fixture.size);
    const bytes = readFileSync(path);
    const block = buildFixtureBytes({ ...fixture, size: LARGE_BLOCK_SIZE });
    expect(bytes.subarray(0, LARGE_BLOCK_SIZE).equals(block)).toBe(true);
    expect(bytes.subarray(2 * LARGE_BLOCK_SIZE, 3 * LARGE_BLOCK_SIZE).equals(block)).toBe(true);
    expect(bytes.subarray(3 * LARGE_BLOCK_SIZE).equals(block.subarray(0, 5))).toBe(true);
  });
  test('the 1 GiB fixture is not among the gated fixtures', () => {
    expect(LARGE_FIXTURE.size).toBe(1024 ** 3);
    expect(FIXTURES.some((f) => f.urlPath === LARGE_FIXTURE.urlPath)).toBe(false);
  });
});

describe('1g scenario', () => {
  const [big, small, oneK] = selectScenarios(['1g', '4m', '1k']);
  test('8 connections, long timeout, bulk, says how it is served', () => {
    expect(big).toMatchObject({ paths: ['/large.bin'], connections: 8, isBulk: true, minBodyBytes: 1024 ** 3 });
    expect(big!.timeoutSec).toBeGreaterThanOrEqual(60);
    expect(big!.title).toMatch(/1 GiB.*streams it from disk.*sendfile/);
    expect(small!.isBulk).toBe(true);
    expect(small!.connections).toBeUndefined();
  });
  test('needsLargeFixture', () => {
    expect(needsLargeFixture([oneK!, small!])).toBe(false);
    expect(needsLargeFixture([oneK!, big!])).toBe(true);
  });
  test('a window with bytes but no completed response is not flagged, CPU/MiB still set', () => {
    const load = { requests: 0, durationSec: 2, bytes: 3 * 1024 ** 3, latencyP50Ms: 0, latencyP99Ms: 0, socketErrors: 0, badStatus: 0, clientCpuSec: 1.8 };
    const window = { load, wallSec: 2, serverTicks: 150, clockTicks: 100, clientCores: 1, peakRssBytes: 1, inFlight: 8, machine: { process: 330, irq: 0, steal: 0 } };
    const m = buildMeasurement({ target: 't', scenario: big!, round: 1 }, window);
    expect(m.serverCpuUsPerMiB).toBeCloseTo(1.5e6 / 3072);
    expect(m.flags).toEqual(['only 150 CPU ticks (±1 tick per process): CPU/MiB is coarse']);
    const nothing = buildMeasurement({ target: 't', scenario: big!, round: 1 }, { ...window, load: { ...load, bytes: 0 } });
    expect(nothing.flags).toContain('no requests completed');
  });
});

/** Three rounds of a bulk scenario: nginx uses less CPU per request but more per MiB (it moved fewer bytes). */
function makeBulkRecord(): RunRecord {
  const record = makeRecord({});
  const row = (target: string, round: number, cpuPerReq: number, cpuPerMiB: number, mbPerSec: number): Measurement =>
    makeMeasurement({ target, round, scenario: '1g', serverCpuUsPerReq: cpuPerReq, serverCpuUsPerMiB: cpuPerMiB, mbPerSec });
  const measurements = [1, 2, 3].flatMap((r) => [row('fastsrv', r, 300e3, 200, 2000), row('nginx', r, 250e3, 250, 2200)]);
  return { ...record, scenarios: selectScenarios(['1g']), measurements };
}

describe('bulk reports', () => {
  const record = makeBulkRecord();
  test('ranked by CPU per MiB, ratios per byte', () => {
    const rows = summarizeScenario(record.measurements, '1g', true);
    expect(rows.map((r) => r.target)).toEqual(['fastsrv', 'nginx']);
    expect(rows[0]!.ratios.nginx!.cpu.median).toBeCloseTo(0.8);
    expect(rows[0]!.ratios.nginx!.rps.median).toBeCloseTo(2000 / 2200);
    expect(summarizeScenario(record.measurements, '1g').map((r) => r.target)).toEqual(['nginx', 'fastsrv']);
  });
  test('markdown: CPU/MiB column beside CPU/req', () => {
    const section = buildScenarioSection(record.scenarios[0]!, record);
    expect(section).toContain('server µs CPU/MiB [min–max] | server µs CPU/req');
    expect(section).toContain('vs nginx: CPU/MiB · MB/s');
    expect(section).toMatch(/\| 1 \| fastsrv \| 2000 \| .* \| 200 \| 300000 \|/);
  });
  test('records written before CPU/MiB existed still render', () => {
    const old = { ...record, measurements: record.measurements.map(({ serverCpuUsPerMiB: _drop, ...m }) => m) };
    expect(buildScenarioSection(old.scenarios[0]!, old)).toContain('| – |');
    expect(buildSvg(old)).not.toContain('NaN');
  });
  test('svg draws CPU per MiB and MB/s for the bulk group', () => expect(buildSvg(record)).toContain('bars: server CPU µs per MiB, and MB/s'));
  test('--compare names the per-byte metrics', () => {
    expect(compareRecords(record, record, 0.1).map((r) => r.metric)).toEqual(['CPU/MiB', 'MB/s']);
  });
});
