import { describe, expect, it } from 'vitest';
import {
  createCombinedFormatter,
  createRecord,
  createTimeText,
  escapeLogText,
  formatCombinedLine,
  formatDuration,
  formatJsonLine,
  formatLocalTime,
  formatAddressBytes,
  type AccessRecord,
} from '../../src/log/format.js';

function makeRecord(fields: Partial<AccessRecord> = {}): AccessRecord {
  return {
    ...createRecord(1),
    remote: '192.0.2.7',
    method: 'GET',
    path: '/index.html',
    status: 200,
    bytes: 1024,
    ...fields,
  };
}

describe('escapeLogText (as nginx escapes variables)', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    ['Mozilla/5.0 (X11; Linux x86_64) rv:1.0', 'Mozilla/5.0 (X11; Linux x86_64) rv:1.0'],
    ['say "hi"', 'say \\x22hi\\x22'],
    ['back\\slash', 'back\\x5Cslash'],
    ['tab\there', 'tab\\x09here'],
    ['nul\0', 'nul\\x00'],
    ['cr\r\nlf', 'cr\\x0D\\x0Alf'],
    ['del\x7f', 'del\\x7F'],
    ['café', 'caf\\xC3\\xA9'],
    ['€', '\\xE2\\x82\\xAC'],
    ['😀', '\\xF0\\x9F\\x98\\x80'],
    ['\uFFFD', '\\xEF\\xBF\\xBD'], // an invalid byte, as uWS decodes it
    ['lone \uD800 surrogate', 'lone \\xEF\\xBF\\xBD surrogate'],
    ["'<>{}|^`~", "'<>{}|^`~"],
  ])('%j → %s', (input, expected) => {
    expect(escapeLogText(input)).toBe(expected);
  });

  it('returns the same string when nothing needs escaping', () => {
    const text = '/a/b?c=d';
    expect(escapeLogText(text)).toBe(text);
  });
});

describe('formatCombinedLine', () => {
  const time = '25/Nov/2026:10:11:12 +0000';

  it('the combined format, dashes for absent referer and user agent', () => {
    expect(formatCombinedLine(makeRecord(), time)).toBe(
      '192.0.2.7 - - [25/Nov/2026:10:11:12 +0000] "GET /index.html HTTP/1.1" 200 1024 "-" "-"\n',
    );
  });

  it('query, referer and user agent; quotes in them are escaped', () => {
    const record = makeRecord({ query: 'q="x"', referer: 'https://example.com/', userAgent: 'curl/8.5.0 "evil" \\' });
    expect(formatCombinedLine(record, time)).toBe(
      '192.0.2.7 - - [25/Nov/2026:10:11:12 +0000] "GET /index.html?q=\\x22x\\x22 HTTP/1.1" 200 1024 "https://example.com/" "curl/8.5.0 \\x22evil\\x22 \\x5C"\n',
    );
  });

  it('an empty query keeps its "?"', () => {
    expect(formatCombinedLine(makeRecord({ query: '' }), time)).toContain('"GET /index.html? HTTP/1.1"');
  });

  it('a line break in a value cannot start a new line', () => {
    const line = formatCombinedLine(makeRecord({ userAgent: 'a\nfake 1.2.3.4 - - [x] "GET / HTTP/1.1" 200 0' }), time);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(line).toContain('"a\\x0Afake');
  });

  it('HEAD and 304 log 0 bytes as given', () => {
    expect(formatCombinedLine(makeRecord({ method: 'HEAD', bytes: 0 }), time)).toContain('"HEAD /index.html HTTP/1.1" 200 0 ');
    expect(formatCombinedLine(makeRecord({ status: 304, bytes: 0 }), time)).toContain('" 304 0 "');
  });
});

describe('createCombinedFormatter', () => {
  it('writes what formatCombinedLine does, whatever repeats from one record to the next', () => {
    const format = createCombinedFormatter();
    const records: Array<[Partial<AccessRecord>, string]> = [
      [{}, 't1'],
      [{}, 't1'],
      [{}, 't2'],
      [{ remote: '198.51.100.1' }, 't2'],
      [{ status: 304, bytes: 0 }, 't2'],
      [{ query: 'a=1' }, 't2'],
      [{ query: '' }, 't2'],
      [{ path: '/b "c"' }, 't2'],
      [{ method: 'HEAD', bytes: 0 }, 't2'],
      [{ userAgent: 'ua 1' }, 't2'],
      [{ userAgent: 'ua 1' }, 't2'],
      [{ userAgent: 'ua 1', referer: 'https://r/' }, 't2'],
      [{ referer: 'https://r/' }, 't3'],
      [{ userAgent: 'ü "x"' }, 't3'],
      [{}, 't3'],
    ];
    for (const [fields, time] of records) {
      const record = makeRecord(fields);
      expect(format(record, time)).toBe(formatCombinedLine(record, time));
    }
  });
});

describe('formatJsonLine', () => {
  it('every field, JSON-parseable, one line', () => {
    const record = makeRecord({ query: 'a=1', referer: 'https://r/', userAgent: 'ua', durationMs: 0.01234 });
    const line = formatJsonLine(record, '2026-11-25T10:11:12.345Z');
    expect(line.endsWith('}\n')).toBe(true);
    expect(JSON.parse(line)).toEqual({
      time: '2026-11-25T10:11:12.345Z',
      remote: '192.0.2.7',
      method: 'GET',
      path: '/index.html',
      query: 'a=1',
      status: 200,
      bytes: 1024,
      referer: 'https://r/',
      user_agent: 'ua',
      duration_ms: 0.012,
      worker: 1,
    });
  });

  it('absent query, referer and user agent are empty strings', () => {
    const parsed = JSON.parse(formatJsonLine(makeRecord(), 't')) as Record<string, unknown>;
    expect([parsed.query, parsed.referer, parsed.user_agent]).toEqual(['', '', '']);
  });

  it.each([
    ['quotes "and" \\', 'quotes "and" \\'],
    ['line\nbreak\r\u0000', 'line\nbreak\r\u0000'],
    ['non-ASCII café 😀', 'non-ASCII café 😀'],
  ])('escapes %j and parses back to it', (value, expected) => {
    const line = formatJsonLine(makeRecord({ userAgent: value, path: value }), 't');
    expect(line.indexOf('\n')).toBe(line.length - 1);
    const parsed = JSON.parse(line) as { user_agent: string; path: string };
    expect(parsed.user_agent).toBe(expected);
    expect(parsed.path).toBe(expected);
  });

  it('a lone surrogate is escaped, not written as invalid UTF-8', () => {
    const line = formatJsonLine(makeRecord({ userAgent: 'x\uD800' }), 't');
    expect(line).toContain('"user_agent":"x\\ud800"');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0'],
    [0.0004, '0.000'],
    [1e-7, '0.000'],
    [1.23456, '1.235'],
    [1500, '1500.000'],
  ])('%s ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatLocalTime ($time_local)', () => {
  const at = Date.UTC(2026, 10, 25, 10, 11, 12, 345); // 2026-11-25T10:11:12.345Z
  it.each([
    [0, '25/Nov/2026:10:11:12 +0000'],
    [60, '25/Nov/2026:11:11:12 +0100'],
    [-300, '25/Nov/2026:05:11:12 -0500'],
    [330, '25/Nov/2026:15:41:12 +0530'],
    [-600, '25/Nov/2026:00:11:12 -1000'],
    [-660, '24/Nov/2026:23:11:12 -1100'],
  ])('offset %s min → %s', (offset, text) => {
    expect(formatLocalTime(at, offset)).toBe(text);
  });

  it('single-digit days and every month name', () => {
    expect(formatLocalTime(Date.UTC(2027, 0, 5, 3, 4, 5), 0)).toBe('05/Jan/2027:03:04:05 +0000');
    expect(formatLocalTime(Date.UTC(2027, 11, 31, 23, 59, 59), 0)).toBe('31/Dec/2027:23:59:59 +0000');
  });
});

describe('createTimeText', () => {
  it('json: ISO 8601 UTC with milliseconds, padded', () => {
    const text = createTimeText('json');
    expect(text(Date.UTC(2026, 10, 25, 10, 11, 12, 345))).toBe('2026-11-25T10:11:12.345Z');
    expect(text(Date.UTC(2026, 10, 25, 10, 11, 12, 7))).toBe('2026-11-25T10:11:12.007Z');
    expect(text(Date.UTC(2026, 10, 25, 10, 11, 13, 40))).toBe('2026-11-25T10:11:13.040Z');
  });

  it('combined: the local time of the process, the same text within a second', () => {
    const text = createTimeText('combined');
    const at = Date.UTC(2026, 10, 25, 10, 11, 12, 0);
    const expected = formatLocalTime(at, -new Date(at).getTimezoneOffset());
    expect(text(at)).toBe(expected);
    expect(text(at + 999)).toBe(expected);
    expect(text(at + 1000)).not.toBe(expected);
  });
});

describe('formatAddressBytes ($remote_addr)', () => {
  const v6 = (text: string): Uint8Array => {
    const groups = text.split(':').map((g) => parseInt(g, 16));
    return new Uint8Array(groups.flatMap((g) => [g >> 8, g & 255]));
  };
  it.each([
    [new Uint8Array([127, 0, 0, 1]), '127.0.0.1'],
    [new Uint8Array([203, 0, 113, 9]), '203.0.113.9'],
    [new Uint8Array([0, 0, 0, 0]), '0.0.0.0'],
    [new Uint8Array([255, 255, 255, 255]), '255.255.255.255'],
    [v6('0:0:0:0:0:ffff:7f00:1'), '127.0.0.1'],
    [v6('0:0:0:0:0:ffff:c000:207'), '192.0.2.7'],
    [v6('0:0:0:0:0:0:0:1'), '::1'],
    [v6('0:0:0:0:0:0:0:0'), '::'],
    [v6('2001:db8:0:0:0:0:2:1'), '2001:db8::2:1'],
    [v6('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1'], // RFC 5952 §4.2.2: one zero group stays
    [v6('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1'], // §4.2.3: the first of equal runs
    [v6('2001:db8:0:0:0:1:0:0'), '2001:db8::1:0:0'],
    [v6('fe80:0:0:0:202:b3ff:fe1e:8329'), 'fe80::202:b3ff:fe1e:8329'],
    [v6('0:0:0:0:0:fffe:7f00:1'), '::fffe:7f00:1'],
    [new Uint8Array([1, 2, 3]), '-'],
  ])('%j → %s', (bytes, expected) => {
    expect(formatAddressBytes(bytes)).toBe(expected);
  });
});
