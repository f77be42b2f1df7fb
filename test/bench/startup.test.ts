import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parseBannerMs, type StartupRun } from '../../bench/startup/measure.js';
import { formatStartupTable, parseStartupOptions } from '../../bench/startup/report.js';
import { isCompressible, MAX_SIZE, MIN_SIZE, planSiteTree, selectProbeFiles, writeSiteTree } from '../../bench/startup/tree.js';

const dir = mkdtempSync(join(tmpdir(), 'bench-startup-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('planSiteTree', () => {
  const plan = planSiteTree(10_000);
  test('count, unique paths, /index.html first', () => {
    expect(plan).toHaveLength(10_000);
    expect(new Set(plan.map((f) => f.urlPath)).size).toBe(10_000);
    expect(plan[0]).toEqual({ urlPath: '/index.html', size: 1024, kind: 'html' });
  });
  test('sizes within bounds, every kind present, nested directories', () => {
    expect(Math.min(...plan.map((f) => f.size))).toBeGreaterThanOrEqual(MIN_SIZE);
    expect(Math.max(...plan.map((f) => f.size))).toBeLessThanOrEqual(MAX_SIZE);
    expect(new Set(plan.map((f) => f.kind))).toEqual(new Set(['html', 'css', 'js', 'json', 'png']));
    expect(plan[9999]!.urlPath).toBe('/s09/p09/f09999.css'.replace('.css', `.${plan[9999]!.kind}`));
    const compressible = plan.filter(isCompressible).length;
    expect(compressible).toBeGreaterThan(3000);
    expect(compressible).toBeLessThan(6000);
  });
  test('deterministic', () => expect(planSiteTree(50)).toEqual(planSiteTree(50)));
});

describe('writeSiteTree', () => {
  test('exact sizes, fixed mtime, PNG signature', () => {
    const plan = planSiteTree(120);
    writeSiteTree(dir, plan);
    for (const f of plan) expect(statSync(join(dir, f.urlPath)).size).toBe(f.size);
    const png = plan.find((f) => f.kind === 'png')!;
    expect(readFileSync(join(dir, png.urlPath)).subarray(1, 4).toString()).toBe('PNG');
    expect(statSync(join(dir, 'index.html')).mtime.toISOString()).toBe('2024-01-01T00:00:00.000Z');
  });
});

describe('selectProbeFiles', () => {
  const plan = planSiteTree(2000);
  const bySize = plan.filter(isCompressible).sort((a, b) => a.size - b.size);
  test('64 compressible files spread over the size order, smallest and largest included', () => {
    const probes = selectProbeFiles(plan);
    expect(probes).toHaveLength(64);
    expect(probes.every(isCompressible)).toBe(true);
    expect(probes).toContain(bySize[0]);
    expect(probes).toContain(bySize.at(-1));
    expect(probes).toContain(bySize[Math.round((32 * (bySize.length - 1)) / 63)]);
  });
  test('fewer compressible files than asked: all of them; none → no probes', () => {
    expect(selectProbeFiles(plan.slice(0, 50), 64)).toHaveLength(plan.slice(0, 50).filter(isCompressible).length);
    expect(selectProbeFiles(plan.filter((f) => f.kind === 'png'))).toEqual([]);
  });
});

test('parseBannerMs', () => {
  expect(parseBannerMs('fastsrv 0.1.0 ready in 191 ms\n  root /srv\n')).toBe(191);
  expect(parseBannerMs('fastsrv: starting')).toBeNull();
});

describe('parseStartupOptions', () => {
  test('defaults: 10 000 files, workers 1 and 2, every mode, no file written', () => {
    expect(parseStartupOptions([])).toEqual({ files: 10_000, workers: [1, 2], modes: ['cold', 'warm', 'no-compress'], timeoutSec: 600, extraArgs: [], out: null, help: false });
  });
  test('modes keep their run order; warm needs cold', () => {
    expect(parseStartupOptions(['--modes', 'no-compress,cold']).modes).toEqual(['cold', 'no-compress']);
    expect(() => parseStartupOptions(['--modes', 'warm'])).toThrow(/needs cold/);
    expect(() => parseStartupOptions(['--modes', 'hot'])).toThrow(/expected some of/);
    expect(() => parseStartupOptions(['--workers', '0'])).toThrow(/positive integer/);
    expect(parseStartupOptions(['--arg=--no-watch', '--arg=--max-age=60']).extraArgs).toEqual(['--no-watch', '--max-age=60']);
  });
});

test('formatStartupTable', () => {
  const run: StartupRun = {
    workers: 2, mode: 'cold', bannerReadyMs: 812, spawnToBannerMs: 901.4, spawnToFirstOkMs: 899.6, spawnToCompressedMs: null, spawnToBestMs: null,
    rssAtReadyBytes: 200 * 1024 * 1024, peakRssBytes: 250 * 1024 * 1024, cpuSec: 12.345, notes: ['not all 20 probed files were brotli after 600 s'],
  };
  const done = { ...run, spawnToCompressedMs: 1500.2, spawnToBestMs: 31_000.4, notes: [] };
  const table = formatStartupTable([run, done, { ...run, mode: 'no-compress', notes: [] }]);
  expect(table).toContain('| 2 | cold | 812 | 901 | 900 | – | – | – | 200.0 MiB | 250.0 MiB | 12.35 | not all 20 probed files were brotli after 600 s |');
  expect(table).toContain('| 2 | cold | 812 | 901 | 900 | 1500 | 599 | 31000 | 200.0 MiB |');
  expect(table).toContain('| 2 | no-compress | 812 | 901 | 900 | n/a | n/a | n/a |');
});
