import { describe, expect, test } from 'vitest';
import { buildWrkScript, countBadStatus, parseWrkResultLine, parseWrkText, RESULT_MARKER } from '../../bench/load/wrk.js';
import { selectScenarios } from '../../bench/scenarios.js';

const WRK_OUTPUT = `Running 2s test @ http://127.0.0.1:18081/index.html
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   151.22us  299.40us   4.84ms   97.12%
    Req/Sec    64.53k     6.83k   78.13k    65.00%
  Latency Distribution
     50%  104.00us
     75%  130.00us
     90%  178.00us
     99%    1.66ms
  128094 requests in 2.00s, 23.33MB read
  Socket errors: connect 0, read 2, write 1, timeout 3
  Non-2xx or 3xx responses: 17
Requests/sec:  64013.39
Transfer/sec:     11.66MB
`;

describe('parseWrkText', () => {
  test('totals, units, errors and percentiles', () => {
    const t = parseWrkText(WRK_OUTPUT)!;
    expect(t.requests).toBe(128094);
    expect(t.durationSec).toBeCloseTo(2);
    expect(t.bytes).toBe(Math.round(23.33 * 1024 * 1024));
    expect(t.socketErrors).toBe(6);
    expect(t.statusErrors).toBe(17);
    expect(t.latencyP50Ms).toBeCloseTo(0.104);
    expect(t.latencyP99Ms).toBeCloseTo(1.66);
  });

  test('no error lines → zero errors', () => {
    const clean = WRK_OUTPUT.replace(/ {2}Socket errors.*\n/, '').replace(/ {2}Non-2xx.*\n/, '');
    expect(parseWrkText(clean)).toMatchObject({ socketErrors: 0, statusErrors: 0 });
  });

  test('seconds-level latencies and GB', () => {
    const slow = WRK_OUTPUT.replace('1.66ms', '2.10s').replace('23.33MB', '1.50GB');
    expect(parseWrkText(slow)).toMatchObject({ latencyP99Ms: 2100, bytes: Math.round(1.5 * 1024 ** 3) });
  });

  test('not wrk output → null', () => expect(parseWrkText('wrk: invalid option')).toBeNull());
});

describe('parseWrkResultLine', () => {
  test('exact totals from the done() line', () => {
    const line = `${RESULT_MARKER}{"requests":1000,"duration_us":5000000,"bytes":1234567,"connect":1,"read":2,"write":3,"status":4,"timeout":5,"p50_us":250,"p99_us":1200}`;
    expect(parseWrkResultLine(`${WRK_OUTPUT}${line}\n`)).toEqual({
      requests: 1000, durationSec: 5, bytes: 1234567, socketErrors: 11, statusErrors: 4, latencyP50Ms: 0.25, latencyP99Ms: 1.2,
    });
  });
  test('absent → null', () => expect(parseWrkResultLine(WRK_OUTPUT)).toBeNull());
});

describe('buildWrkScript', () => {
  test('one path, no pipelining: static request (no request() per call)', () => {
    const script = buildWrkScript(['/index.html'], 1);
    expect(script).toContain('function done(');
    expect(script).not.toContain('function request(');
  });

  test('rotating paths: every path formatted once, request() rotates', () => {
    const script = buildWrkScript(['/a.html', '/b "q".css'], 1);
    expect(script).toContain('local paths = { "/a.html", "/b \\"q\\".css" }');
    expect(script).toContain('function request()');
    expect(script).toContain('local depth = 1');
  });

  test('pipelining batches depth requests', () => expect(buildWrkScript(['/x'], 8)).toContain('local depth = 8'));
});

describe('countBadStatus', () => {
  const [oneK, notFound] = selectScenarios(['1k', '404']);
  const totals = { requests: 100, durationSec: 1, bytes: 0, socketErrors: 0, statusErrors: 3, latencyP50Ms: 0, latencyP99Ms: 0 };
  test('200 scenario: non-2xx/3xx are bad', () => expect(countBadStatus(oneK!, totals)).toBe(3));
  test('404 scenario: the 2xx/3xx ones are bad', () => expect(countBadStatus(notFound!, totals)).toBe(97));
});
