/**
 * Preconditions (RFC 9110 §13.2.2) on the header sets real traffic sends, side by side:
 * - evaluatePreconditions: charCodeAt list scan, exact-string shortcut for the echoed
 *   ETag and Last-Modified, date parsing only for other dates
 * - naive: split(',') + trim + Date.parse, the obvious implementation
 * Both must give the same answer on every set (checked before timing).
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/micro/conditional.bench.js
 *  (or all micro-benchmarks: node dist/bench/micro/run.js)
 */
import { Bench } from 'tinybench';
import { evaluatePreconditions } from '../../src/http/conditional.js';
import { makeFresh, printNsPerCall } from './report.js';

const ETAG = '"Ak3ZyTqf0bWQ8mVx"';
const LAST_MODIFIED = 'Mon, 01 Jan 2024 00:00:00 GMT';
const MTIME_SEC = Date.parse(LAST_MODIFIED) / 1000;

/** [ifMatch, ifUnmodifiedSince, ifNoneMatch, ifModifiedSince]; '' = not sent, as uWS reports it. */
type HeaderSet = [string, string, string, string];

const SETS: Record<string, HeaderSet> = {
  'none (first visit)': ['', '', '', ''],
  'If-None-Match: our ETag (revalidation → 304)': ['', '', ETAG, ''],
  'If-None-Match + If-Modified-Since (browser → 304)': ['', '', ETAG, LAST_MODIFIED],
  'If-None-Match: another ETag (changed → 200)': ['', '', '"Zz9older00000000"', ''],
  'If-None-Match: list of 3, ours last (proxy)': ['', '', `W/"a1", "b2", ${ETAG}`, ''],
  'If-Modified-Since: our date (→ 304)': ['', '', '', LAST_MODIFIED],
  'If-Modified-Since: a later date (parse → 304)': ['', '', '', 'Tue, 02 Jan 2024 10:00:00 GMT'],
  'If-Match: our ETag (→ 200)': [ETAG, '', '', ''],
};
const FRESH: Record<string, HeaderSet> = Object.fromEntries(Object.entries(SETS).map(([k, v]) => [k, v.map(makeFresh) as HeaderSet]));
const REPEAT = 500;

function listHas(header: string, etag: string, isWeak: boolean): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((raw) => {
    const tag = raw.trim();
    return tag === etag || (isWeak && tag.startsWith('W/') && tag.slice(2) === etag);
  });
}

/** The obvious implementation, same rules. */
function evaluateNaive(ifMatch: string, ifUnmodifiedSince: string, ifNoneMatch: string, ifModifiedSince: string, etag: string, mtimeSec: number): number {
  if (ifMatch !== '') {
    if (!listHas(ifMatch, etag, false)) return 412;
  } else if (ifUnmodifiedSince !== '') {
    const since = Date.parse(ifUnmodifiedSince);
    if (!Number.isNaN(since) && mtimeSec > since / 1000) return 412;
  }
  if (ifNoneMatch !== '') {
    if (listHas(ifNoneMatch, etag, true)) return 304;
  } else if (ifModifiedSince !== '') {
    const since = Date.parse(ifModifiedSince);
    if (!Number.isNaN(since) && mtimeSec <= since / 1000) return 304;
  }
  return 0;
}

const ours = (h: HeaderSet): number => evaluatePreconditions(h[0], h[1], h[2], h[3], ETAG, LAST_MODIFIED, MTIME_SEC);
const naive = (h: HeaderSet): number => evaluateNaive(h[0], h[1], h[2], h[3], ETAG, MTIME_SEC);

for (const [name, set] of Object.entries(FRESH)) {
  if (ours(set) !== naive(set)) throw new Error(`${name}: evaluatePreconditions ${ours(set)} ≠ naive ${naive(set)}`);
}

let sink = 0;
const bench = new Bench({ name: 'evaluatePreconditions vs split/Date.parse', time: 300 });
for (const [name, set] of Object.entries(FRESH)) {
  bench.add(`ours  · ${name}`, () => {
    for (let r = 0; r < REPEAT; r++) sink += ours(set);
  });
  bench.add(`naive · ${name}`, () => {
    for (let r = 0; r < REPEAT; r++) sink += naive(set);
  });
}
await bench.run();
printNsPerCall(bench, () => REPEAT);
console.log(`(sink ${sink > 0})`);
