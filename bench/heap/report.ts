/** Options, cases and the printed table of the allocation check (pure). */
import { parseArgs } from 'node:util';
import { buildTable, formatCount, formatFigure } from '../report/format.js';
import type { HeapSummary } from './profile.js';

export interface HeapOptions {
  durationSec: number;
  warmupSec: number;
  connections: number;
  /** Mean bytes between samples of V8's sampling heap profiler. */
  intervalBytes: number;
  cases: string[];
  top: number;
  /** Directory for heap-<date>-<host>.json and the .heapprofile files; null: print only. */
  out: string | null;
  help: boolean;
}

/** What one case sends. `etag` is the ETag the server gave /index.html. */
export interface HeapCase {
  name: string;
  title: string;
  /** Bench scenario driven by wrk, or null for a window without load. */
  scenario: '1k' | '304' | '404' | null;
  headers: (etag: string) => Record<string, string>;
}

export const HEAP_CASES: readonly HeapCase[] = [
  { name: 'idle', title: 'no requests (what the worker allocates on its own)', scenario: null, headers: () => ({}) },
  { name: '200', title: 'GET /index.html (1 KiB), no Accept-Encoding', scenario: '1k', headers: () => ({}) },
  { name: '200-br', title: 'GET /index.html, Accept-Encoding: gzip, deflate, br, zstd', scenario: '1k', headers: () => ({ 'Accept-Encoding': 'gzip, deflate, br, zstd' }) },
  { name: '304', title: 'GET /index.html, If-None-Match: its ETag', scenario: '304', headers: (etag) => ({ 'If-None-Match': etag }) },
  { name: '404', title: 'GET a missing path', scenario: '404', headers: () => ({}) },
];

export const HEAP_HELP = `Usage: node dist/bench/heap.js [options]

Starts one fastsrv worker (no primary) over the bench fixtures with V8's sampling heap
profiler in-process, drives each case with wrk, and reports the bytes allocated per
request and where they were allocated.

  --duration S       measured seconds per case (default 5)
  --warmup S         unmeasured load before each case (default 1)
  --connections C    wrk connections (default 16)
  --interval B       sampling interval in bytes (default 1024; smaller: finer, slower)
  --cases a,b        subset of: ${HEAP_CASES.map((c) => c.name).join(',')} (default all)
  --top N            allocation sites listed per case (default 6)
  --out DIR          also write DIR/heap-<date>-<host>.json and one .heapprofile per case
  --help             print this help
`;

function parseNumber(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer ≥ ${min}, got "${raw}"`);
  return value;
}

/** argv (without node and script) → options; throws a readable Error. */
export function parseHeapOptions(argv: string[]): HeapOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' }, warmup: { type: 'string' }, connections: { type: 'string' }, interval: { type: 'string' },
      cases: { type: 'string' }, top: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  const known = HEAP_CASES.map((c) => c.name);
  const cases = values.cases === undefined ? known : values.cases.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = cases.filter((c) => !known.includes(c));
  if (unknown.length > 0 || cases.length === 0) throw new Error(`--cases: expected some of ${known.join(', ')}, got "${values.cases}"`);
  return {
    durationSec: parseNumber('duration', values.duration, 5, 1),
    warmupSec: parseNumber('warmup', values.warmup, 1, 0),
    connections: parseNumber('connections', values.connections, 16, 1),
    intervalBytes: parseNumber('interval', values.interval, 1024, 64),
    cases,
    top: parseNumber('top', values.top, 6, 1),
    out: values.out ?? null,
    help: values.help ?? false,
  };
}

/** One measured case. */
export interface HeapResult {
  name: string;
  title: string;
  requests: number;
  durationSec: number;
  summary: HeapSummary;
}

/** Estimated bytes allocated per request (NaN without requests). */
export function computeBytesPerRequest(r: HeapResult): number {
  return r.requests > 0 ? r.summary.totalBytes / r.requests : Number.NaN;
}

/** Markdown table, then the heaviest allocation sites of each case. */
export function formatHeapReport(results: readonly HeapResult[], top: number): string {
  const rows = results.map((r) => [
    r.name,
    formatCount(r.requests),
    formatCount(r.requests / r.durationSec),
    `${formatFigure(r.summary.totalBytes / 1024)} KiB`,
    formatFigure(r.summary.totalBytes / r.durationSec / 1024),
    formatFigure(computeBytesPerRequest(r)),
    String(r.summary.sampleCount),
  ]);
  const table = buildTable(['case', 'requests', 'req/s', 'allocated (est.)', 'KiB/s', 'bytes/request', 'samples'], rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r']);
  const sites = results.map((r) => {
    const per = r.requests > 0 ? r.requests : r.durationSec;
    const unit = r.requests > 0 ? 'B/req' : 'B/s';
    const lines = r.summary.sites.slice(0, top).map((s) => `  ${formatFigure(s.bytes / per).padStart(7)} ${unit}  ${s.frame}${s.via && s.via !== s.frame ? `  ← ${s.via}` : ''}`);
    return `${r.name}: ${r.title}\n${lines.length > 0 ? lines.join('\n') : '  (no samples)'}`;
  });
  return `${table}\n\nHeaviest allocation sites (allocating frame ← nearest fastsrv frame):\n\n${sites.join('\n\n')}\n`;
}
