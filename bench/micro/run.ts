/**
 * Run the micro-benchmarks one after another, each in its own Node process (so one
 * benchmark's JIT state and garbage never colour the next):
 *   node dist/bench/micro/run.js              every *.bench.js here
 *   node dist/bench/micro/run.js path         only path.bench.js
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = dirname(fileURLToPath(import.meta.url));
const SUFFIX = '.bench.js';

/** Bench file names to run: all of them, or those named (without the suffix). */
export function selectBenchFiles(available: readonly string[], names: readonly string[]): string[] {
  const benches = available.filter((f) => f.endsWith(SUFFIX)).sort();
  if (names.length === 0) return benches;
  const unknown = names.filter((n) => !benches.includes(n + SUFFIX));
  if (unknown.length > 0) throw new Error(`unknown micro-benchmark: ${unknown.join(', ')} (known: ${benches.map((b) => b.slice(0, -SUFFIX.length)).join(', ')})`);
  return names.map((n) => n + SUFFIX);
}

function main(): void {
  let failed = 0;
  for (const file of selectBenchFiles(readdirSync(DIR), process.argv.slice(2))) {
    process.stdout.write(`\n== ${file} (node ${process.version})\n`);
    const result = spawnSync(process.execPath, [join(DIR, file)], { stdio: 'inherit' });
    if (result.status !== 0) failed++;
  }
  process.exitCode = failed > 0 ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 2;
  }
}
