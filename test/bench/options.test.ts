import { describe, expect, test } from 'vitest';
import { ALL_TARGETS, parseOptions, planCpus } from '../../bench/options.js';

const TWO_CPUS = { cpuCount: 2, hasTaskset: true, hasWrk: true };

describe('parseOptions', () => {
  test('defaults', () => {
    expect(parseOptions([], TWO_CPUS)).toEqual({
      duration: 5, warmup: 1, connections: 64, pipelining: 1, rounds: 3, workers: 1, targets: ALL_TARGETS, scenarios: ['1k'],
      client: 'wrk', pin: true, out: 'results', compare: null, current: null, tolerance: 0.1, help: false,
    });
  });

  test('autocannon when wrk is missing; no pinning without taskset', () => {
    expect(parseOptions([], { cpuCount: 2, hasTaskset: false, hasWrk: false })).toMatchObject({ client: 'autocannon', pin: false });
  });

  test('no default pinning when the workers take every CPU', () => {
    expect(parseOptions(['--workers', '2'], TWO_CPUS).pin).toBe(false);
    expect(parseOptions(['--workers', '2', '--pin'], TWO_CPUS).pin).toBe(true);
    expect(parseOptions(['--no-pin'], TWO_CPUS).pin).toBe(false);
  });

  test('lists, --full and numbers', () => {
    const o = parseOptions(['--targets', 'nginx, fastsrv', '--full', '--duration', '10', '--warmup', '0', '--client', 'autocannon'], TWO_CPUS);
    expect(o.targets).toEqual(['nginx', 'fastsrv']);
    expect(o.scenarios).toEqual(['1k', '16k', '256k', '4m', '404', '304', 'site', '1k-log', '1k-admin', 'site-rules', 'route-file', 'route-fixed', 'route-function', '1g', 'tls-1k', 'tls-handshake']);
    expect(parseOptions(['--scenarios', '1k,route', '--client', 'autocannon'], TWO_CPUS).scenarios).toEqual(['1k', 'route-file', 'route-fixed', 'route-function']);
    expect(o).toMatchObject({ duration: 10, warmup: 0, client: 'autocannon' });
  });

  test.each([
    [['--rounds', '2'], /at least 3/],
    [['--targets', 'httpd'], /unknown targets: httpd/],
    [['--scenarios', '1k,2k'], /unknown scenarios: 2k/],
    [['--duration', '1.5'], /positive integer/],
    [['--connections', '0'], /positive integer/],
    [['--client', 'ab'], /wrk or autocannon/],
    [['--current', 'x.json'], /needs --compare/],
    [['--bogus'], /Unknown option/],
  ])('%j is rejected', (argv, message) => expect(() => parseOptions(argv, TWO_CPUS)).toThrow(message));

  test('--client wrk without wrk', () => {
    expect(() => parseOptions(['--client', 'wrk'], { ...TWO_CPUS, hasWrk: false })).toThrow(/not installed/);
  });
});

describe('planCpus', () => {
  test('2 CPUs, 1 worker: server 0, client 1', () => {
    expect(planCpus(2, 1, true)).toMatchObject({ serverCpus: '0', clientCpus: '1', clientCores: 1 });
  });
  test('8 CPUs, 2 workers: server 0-1, client 2-7', () => {
    expect(planCpus(8, 2, true)).toMatchObject({ serverCpus: '0-1', clientCpus: '2-7', clientCores: 6 });
  });
  test('more workers than CPUs: the client keeps one', () => {
    expect(planCpus(2, 4, true)).toMatchObject({ serverCpus: '0', clientCpus: '1', clientCores: 1 });
  });
  test('unpinned: both float over every CPU', () => {
    expect(planCpus(4, 1, false)).toMatchObject({ serverCpus: '', clientCpus: '', clientCores: 4 });
  });
});
