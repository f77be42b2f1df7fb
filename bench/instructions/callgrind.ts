/**
 * Callgrind plumbing: the valgrind command line, zeroing and dumping a
 * running process's counters (callgrind_control), and reading a dump.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** valgrind arguments that run `command` (and its children) under callgrind, dumps in `dir`. */
export function buildValgrindArgs(dir: string, command: string, args: readonly string[]): string[] {
  return [
    '--tool=callgrind',
    '--trace-children=yes',
    // Counting only: no cache simulation, no per-instruction data, no dump at exit.
    '--dump-instr=no',
    '--dump-line=no',
    '--dump-before=',
    `--callgrind-out-file=${join(dir, 'callgrind.out.%p')}`,
    command,
    ...args,
  ];
}

/** The `totals:` (or `summary:`) line of a callgrind dump: instructions executed. */
export function parseTotals(text: string): number | null {
  const match = /^(?:totals|summary):\s+(\d+)/m.exec(text);
  return match ? Number(match[1]) : null;
}

/** Pids callgrind_control sees (processes running under callgrind). */
export function listCallgrindPids(): number[] {
  const out = runControl([]);
  const pids: number[] = [];
  for (const line of out.split('\n')) {
    const match = /^PID (\d+):/.exec(line) ?? /^(\d+):/.exec(line);
    if (match) pids.push(Number(match[1]));
  }
  return pids;
}

function runControl(args: string[]): string {
  try {
    return execFileSync('callgrind_control', args, { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stdout?: string };
    return e.stdout ?? '';
  }
}

/** Zero the counters of `pid`. */
export function zeroCounters(pid: number): void {
  runControl(['-z', String(pid)]);
}

/**
 * Ask `pid` to dump its counters and wait for the new dump file in `dir`;
 * returns its instruction total. Dumps are numbered callgrind.out.PID.N.
 */
export async function dumpTotals(dir: string, pid: number, timeoutMs = 120_000): Promise<number> {
  const before = new Set(listDumps(dir, pid));
  runControl(['-d', String(pid)]);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const name of listDumps(dir, pid)) {
      if (before.has(name)) continue;
      const totals = parseTotals(readFileSync(join(dir, name), 'utf8'));
      if (totals !== null) return totals;
    }
    await sleep(100);
  }
  throw new Error(`no callgrind dump from pid ${pid} within ${timeoutMs} ms`);
}

function listDumps(dir: string, pid: number): string[] {
  const prefix = `callgrind.out.${pid}.`;
  return readdirSync(dir).filter((name) => name.startsWith(prefix));
}
