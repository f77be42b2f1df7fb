import { describe, expect, test } from 'vitest';
import { summarizeCheckReport } from '../../bench/gate.js';

describe('summarizeCheckReport', () => {
  test('fastsrv CheckReport: failed results become reasons, skips do not', () => {
    const report = {
      url: 'http://127.0.0.1:1',
      results: [
        { name: 'Range: bytes=0-99 → 206', status: 'fail', detail: 'expected 206, got 200' },
        { name: 'Accept-Encoding: gzip', status: 'skip', detail: 'server did not compress' },
        { name: '304 on If-None-Match', status: 'pass', detail: 'ok' },
      ],
      passed: 1,
      failed: 1,
      skipped: 1,
    };
    expect(summarizeCheckReport(report)).toEqual({ ok: false, reasons: ['Range: bytes=0-99 → 206: expected 206, got 200'] });
  });

  test('all passing', () => {
    expect(summarizeCheckReport({ results: [{ name: 'a', status: 'pass', detail: '' }], failed: 0 })).toEqual({ ok: true, reasons: [] });
  });

  test('{ ok: false, failures: [strings] }', () => {
    expect(summarizeCheckReport({ ok: false, failures: ['no ETag'] })).toEqual({ ok: false, reasons: ['no ETag'] });
  });

  test('a failure count without details still fails', () => {
    expect(summarizeCheckReport({ failed: 2 })).toEqual({ ok: false, reasons: ['fastsrv check reported a failure'] });
  });

  test('not an object', () => expect(summarizeCheckReport(null).ok).toBe(false));
});
