import { describe, expect, it } from 'vitest';
import { buildValgrindArgs, parseTotals } from '../../bench/instructions/callgrind.js';
import { scanResponses } from '../../bench/instructions/client.js';
import { parseInstructionOptions } from '../../bench/instructions/options.js';
import { formatCount, formatInstructionTable } from '../../bench/instructions/report.js';
import { buildRequest, findEtag } from '../../bench/instructions/scenarios.js';
import { buildFloorResponses } from '../../bench/targets/reference.js';

const ok = (body: string): string => `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

describe('scanResponses', () => {
  it('splits complete responses and keeps a partial one', () => {
    const text = ok('hello') + ok('ab') + 'HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc';
    const { consumed, statuses } = scanResponses(Buffer.from(text, 'latin1'));
    expect(statuses).toEqual([200, 200]);
    expect(consumed).toBe(ok('hello').length + ok('ab').length);
  });
  it('a 304 has no body even with Content-Length; header names are case-insensitive', () => {
    const text = 'HTTP/1.1 304 Not Modified\r\ncontent-length: 100\r\n\r\n' + 'HTTP/1.1 404 Not Found\r\ncontent-LENGTH: 2\r\n\r\nno';
    expect(scanResponses(Buffer.from(text, 'latin1'))).toEqual({ consumed: text.length, statuses: [304, 404] });
  });
  it('an incomplete head consumes nothing', () => {
    expect(scanResponses(Buffer.from('HTTP/1.1 200 OK\r\nContent-Len', 'latin1'))).toEqual({ consumed: 0, statuses: [] });
  });
});

describe('parseTotals', () => {
  it('reads totals or summary', () => {
    expect(parseTotals('events: Ir\nfn=main\n0 5\ntotals: 123456\n')).toBe(123456);
    expect(parseTotals('summary: 42\n')).toBe(42);
    expect(parseTotals('events: Ir\n')).toBeNull();
  });
  it('valgrind follows children and writes one dump per pid', () => {
    const args = buildValgrindArgs('/tmp/d', 'node', ['x.js']);
    expect(args).toContain('--trace-children=yes');
    expect(args).toContain('--callgrind-out-file=/tmp/d/callgrind.out.%p');
    expect(args.slice(-2)).toEqual(['node', 'x.js']);
  });
});

describe('scenarios', () => {
  it('requests are what wrk sends, plus If-None-Match when conditional', () => {
    expect(buildRequest('/a', null)).toBe('GET /a HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(buildRequest('/a', '"x"')).toBe('GET /a HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: "x"\r\n\r\n');
  });
  it('findEtag reads the header case-insensitively', () => {
    expect(findEtag('\r\nContent-Type: a\r\netag: "abc"')).toBe('"abc"');
    expect(findEtag('\r\nContent-Type: a')).toBeNull();
  });
  it('floor responses: one per fixture, a 304 without body, a 404 last', () => {
    const list = buildFloorResponses((p) => Buffer.from(`body of ${p}`));
    expect(list.at(-1)!.path).toBe('*');
    const notModified = list.find((r) => r.path === '/not-modified')!.bytes.toString('latin1');
    expect(notModified.startsWith('HTTP/1.1 304 Not Modified\r\n')).toBe(true);
    expect(notModified.endsWith('\r\n\r\n')).toBe(true);
    const index = list.find((r) => r.path === '/index.html')!.bytes;
    expect(scanResponses(index).statuses).toEqual([200]);
    expect(scanResponses(index).consumed).toBe(index.length);
  });
});

describe('parseInstructionOptions', () => {
  it('defaults: the method of issue 17', () => {
    const o = parseInstructionOptions([]);
    expect(o).toMatchObject({ warmup: 3000, requests: 20000, connections: 8, out: 'results', scenarios: null });
    expect(o.targets).toEqual(['fastsrv', 'nginx', 'lighttpd', 'uws-minimal', 'floor']);
  });
  it('lists, variants, --no-write', () => {
    const o = parseInstructionOptions(['--targets', 'fastsrv,variant:ab6', '--scenarios', '1k,404', '--no-write', '--requests', '100']);
    expect(o).toMatchObject({ targets: ['fastsrv', 'variant:ab6'], scenarios: ['1k', '404'], out: null, requests: 100 });
  });
  it('refuses unknown targets and bad counts', () => {
    expect(() => parseInstructionOptions(['--targets', 'apache'])).toThrow(/unknown target/);
    expect(() => parseInstructionOptions(['--requests', '0'])).toThrow(/--requests/);
    expect(() => parseInstructionOptions(['--warmup', '1.5'])).toThrow(/--warmup/);
  });
});

describe('formatInstructionTable', () => {
  it('one row per server, one column per scenario, skips noted', () => {
    const table = formatInstructionTable(
      [
        { target: 'fastsrv', scenario: '1k', perRequest: 9731.4, treePerRequest: 9800, note: '' },
        { target: 'nginx', scenario: '1k', perRequest: null, treePerRequest: null, note: 'not installed' },
      ],
      [{ name: '1k', describe: '1 KiB 200' }],
    );
    expect(table).toBe('| server | 1 KiB 200 |\n|---|---:|\n| fastsrv | 9,731 |\n| nginx | – (not installed) |\n');
    expect(formatCount(1234567.6)).toBe('1,234,568');
  });
});
