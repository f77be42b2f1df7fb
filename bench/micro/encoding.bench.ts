/**
 * Accept-Encoding negotiation, alternatives side by side:
 * - negotiateEncoding: exact-match fast path for common values, else parse
 * - parseAndNegotiateEncoding: the charCodeAt parser alone
 * - split/regex: the obvious implementation, as a baseline
 *
 * Run: npx vite-node bench/micro/encoding.bench.ts
 *  or: npx tsc -p tsconfig.json && node dist/bench/micro/encoding.bench.js
 */
import { Bench } from 'tinybench';
import {
  ENC_BR,
  ENC_GZIP,
  ENC_IDENTITY,
  HAS_BR,
  HAS_GZIP,
  negotiateEncoding,
  parseAndNegotiateEncoding,
} from '../../src/http/encoding.js';

// Headers arrive from uWS as fresh strings, not the internalized literals
// of this file, so copy them through a Buffer: otherwise the fast path's
// `===` would be a pointer compare and flatter it.
const fresh = (s: string): string => Buffer.from(s).toString();
const HEADERS = [
  'gzip, deflate, br, zstd', // Chrome, Edge
  'gzip, deflate, br', // Firefox, Safari
  'gzip, deflate', // older clients, many bots
  'br',
  'gzip',
].map(fresh);
const UNCOMMON = fresh('br;q=1.0, gzip;q=0.8, *;q=0.1');
const AVAILABLE = HAS_GZIP | HAS_BR;
// Calls per timed op, so the timer's own cost (~100 ns) does not dominate.
const REPEAT = 200;

/** Baseline: split on commas and semicolons, regex for q. Ignores `*`. */
function negotiateBySplit(header: string, available: number): number {
  let best = ENC_IDENTITY;
  let bestQ = 0;
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    let q = 1;
    for (const p of params) {
      const m = /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p);
      if (m) q = Number(m[1]);
    }
    const enc = name === 'br' && (available & HAS_BR) !== 0 ? ENC_BR
      : (name === 'gzip' || name === 'x-gzip') && (available & HAS_GZIP) !== 0 ? ENC_GZIP
      : -1;
    if (enc > 0 && (q > bestQ || (q === bestQ && enc > best))) {
      best = enc;
      bestQ = q;
    }
  }
  return best;
}

let sink = 0;
const bench = new Bench({ name: 'negotiateEncoding', time: 500 });
/** Runs `fn` over the common values, REPEAT times each. */
function overCommon(fn: (h: string, a: number) => number): () => void {
  return () => {
    for (let r = 0; r < REPEAT; r++) {
      for (let i = 0; i < HEADERS.length; i++) sink += fn(HEADERS[i]!, AVAILABLE);
    }
  };
}

/** Runs `fn` on the weighted value, REPEAT times. */
function overWeighted(fn: (h: string, a: number) => number): () => void {
  return () => {
    for (let r = 0; r < REPEAT; r++) sink += fn(UNCOMMON, AVAILABLE);
  };
}

bench
  .add('fast path, common values', overCommon(negotiateEncoding))
  .add('parser only, common values', overCommon(parseAndNegotiateEncoding))
  .add('split/regex, common values', overCommon(negotiateBySplit))
  .add('negotiateEncoding, weighted value', overWeighted(negotiateEncoding))
  .add('split/regex, weighted value', overWeighted(negotiateBySplit));

await bench.run();
console.log(bench.name, `(sink ${sink > 0})`);
const table = bench.tasks.map((t) => {
  const calls = REPEAT * (t.name.includes('common') ? HEADERS.length : 1);
  const mean = t.result.state === 'completed' ? t.result.latency.mean : NaN;
  return { task: t.name, 'ns per call (mean)': ((mean * 1e6) / calls).toFixed(1) };
});
console.table(table);
