/** Shared by the micro-benchmarks: inputs as the server sees them, and the printed table. */
import type { Bench } from 'tinybench';

/**
 * A copy of `s` made at run time. Request strings arrive from uWS as fresh heap strings,
 * not as the internalized literals of a source file, so `===` against a literal cannot
 * short-cut on pointer equality: benchmarks must not flatter a fast path that way.
 */
export function makeFresh(s: string): string {
  return Buffer.from(s).toString();
}

/**
 * Print the bench's tasks as nanoseconds per call. A task that runs `calls(name)`
 * calls per timed iteration (so the ~100 ns timer cost does not dominate) is divided
 * by that count.
 */
export function printNsPerCall(bench: Bench, calls: (taskName: string) => number): void {
  const rows = bench.tasks.map((t) => {
    const mean = t.result.state === 'completed' ? t.result.latency.mean : Number.NaN;
    const rme = t.result.state === 'completed' ? t.result.latency.rme : Number.NaN;
    return { task: t.name, 'ns per call (mean)': ((mean * 1e6) / calls(t.name)).toFixed(1), '± %': rme.toFixed(1) };
  });
  console.log(bench.name);
  console.table(rows);
}
