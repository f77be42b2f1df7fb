/**
 * Request path → cache key, alternatives side by side:
 * - resolveRequestPath: charCodeAt scan, returns plain paths as they are; decodes and
 *   removes dot segments only when needed
 * - naive: decodeURIComponent + path.posix.normalize on every request (what most Node
 *   static servers do). Its answers differ on traversal: it clamps `/../x` to `/x` where
 *   fastsrv answers 400 (null). The differences are printed before the timings.
 * - hybrid: isPlainPath's fast path, then the naive route: shows what the plain scan
 *   saves and what removeDotSegments costs on encoded paths.
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/micro/path.bench.js
 *  (or all micro-benchmarks: node dist/bench/micro/run.js)
 */
import { posix } from 'node:path';
import { Bench } from 'tinybench';
import { isPlainPath, resolveRequestPath } from '../../src/http/path.js';
import { makeFresh, printNsPerCall } from './report.js';

const PLAIN = ['/', '/index.html', '/assets/app.3f9a1c2e.js', '/img/photo.jpg', '/docs/guide/getting-started.html'].map(makeFresh);
const ENCODED = ['/docs/a%20b.html', '/%E6%97%A5%E6%9C%AC.html', '/img/caf%C3%A9.png', '/search%3Fq.html'].map(makeFresh);
const HOSTILE = [
  '/../etc/passwd', '/a/./b/../../c', '/%2e%2e/%2e%2e/etc/passwd', '/a//b///c', '/%00.html', '/a\\b', '/%E0%A4%A.html', '/./././././x',
].map(makeFresh);
const SETS = { plain: PLAIN, encoded: ENCODED, hostile: HOSTILE };
// Calls per timed op, so the timer's own cost (~100 ns) does not dominate.
const REPEAT = 200;

/** decode once, refuse NUL and backslash like fastsrv, then let node:path normalise. */
function resolveNaive(raw: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  return posix.normalize(decoded);
}

function resolveHybrid(raw: string): string | null {
  return isPlainPath(raw) ? raw : resolveNaive(raw);
}

function printDifferences(): void {
  for (const [name, inputs] of Object.entries(SETS)) {
    for (const input of inputs) {
      const ours = resolveRequestPath(input);
      const naive = resolveNaive(input);
      if (ours !== naive) console.log(`${name}: ${JSON.stringify(input)} → resolveRequestPath ${JSON.stringify(ours)}, naive ${JSON.stringify(naive)}`);
    }
  }
}

let sink = 0;
function overSet(fn: (raw: string) => string | null, inputs: readonly string[]): () => void {
  return () => {
    for (let r = 0; r < REPEAT; r++) {
      for (let i = 0; i < inputs.length; i++) sink += fn(inputs[i]!)?.length ?? 1;
    }
  };
}

printDifferences();
const bench = new Bench({ name: 'resolveRequestPath vs decodeURIComponent + posix.normalize', time: 500 });
for (const [name, inputs] of Object.entries(SETS)) {
  bench.add(`resolveRequestPath, ${name}`, overSet(resolveRequestPath, inputs));
  bench.add(`naive, ${name}`, overSet(resolveNaive, inputs));
  bench.add(`hybrid, ${name}`, overSet(resolveHybrid, inputs));
}
await bench.run();
printNsPerCall(bench, (task) => REPEAT * SETS[task.slice(task.lastIndexOf(' ') + 1) as keyof typeof SETS].length);
console.log(`(sink ${sink > 0})`);
