/**
 * CPU time and RSS of a process tree, read from /proc (Linux only).
 * The parsers are pure; the readers are thin wrappers over readFileSync.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** The fields of /proc/PID/stat this harness uses (ticks are clock ticks). */
export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
}

/**
 * Parse one /proc/PID/stat line. The comm field (2) is in parentheses and may itself
 * contain spaces and parentheses, so the fields after it are split from the last ')'.
 * Returns null for a malformed line.
 */
export function parseStatLine(line: string): ProcStat | null {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(line.slice(0, open).trim());
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const rest = line.slice(close + 1).trim().split(/\s+/);
  if (!Number.isInteger(pid) || rest.length < 15) return null;
  const field = (n: number): number => Number(rest[n - 3]);
  return {
    pid,
    comm: line.slice(open + 1, close),
    state: rest[0]!,
    ppid: field(4),
    pgrp: field(5),
    utime: field(14),
    stime: field(15),
    cutime: field(16),
    cstime: field(17),
  };
}

/** VmRSS of a /proc/PID/status text, in bytes (0 when absent, e.g. for a zombie). */
export function parseVmRssBytes(statusText: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(statusText);
  return match ? Number(match[1]) * 1024 : 0;
}

/**
 * The live (non-zombie) processes of the tree rooted at `rootPid`: its descendants by
 * ppid, plus every member of its process group (the harness starts each target as a
 * group leader, so a daemon that re-parents itself to init is still counted).
 */
export function selectTree(stats: readonly ProcStat[], rootPid: number): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) {
    const list = children.get(s.ppid);
    if (list) list.push(s);
    else children.set(s.ppid, [s]);
  }
  const picked = new Map<number, ProcStat>();
  const root = stats.find((s) => s.pid === rootPid);
  const queue: ProcStat[] = root ? [root] : [];
  for (const s of stats) if (s.pgrp === rootPid) queue.push(s);
  while (queue.length > 0) {
    const s = queue.pop()!;
    if (picked.has(s.pid)) continue;
    picked.set(s.pid, s);
    for (const child of children.get(s.pid) ?? []) queue.push(child);
  }
  return [...picked.values()].filter((s) => s.state !== 'Z' && s.state !== 'X');
}

/** Sum of utime + stime over the given processes, in clock ticks. */
export function sumTicks(stats: readonly ProcStat[]): number {
  let total = 0;
  for (const s of stats) total += s.utime + s.stime;
  return total;
}

/** Every readable /proc/PID/stat on the machine. */
export function readAllStats(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    const code = name.charCodeAt(0);
    if (code < 48 || code > 57) continue;
    const parsed = readStat(Number(name));
    if (parsed) out.push(parsed);
  }
  return out;
}

/** One process's stat, or null when it is gone. */
export function readStat(pid: number | 'self'): ProcStat | null {
  try {
    return parseStatLine(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** The live processes of a tree (see selectTree). */
export function readTree(rootPid: number): ProcStat[] {
  return selectTree(readAllStats(), rootPid);
}

/** Sum of VmRSS over the given pids, in bytes; vanished pids count as 0. */
export function readRssBytes(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      total += parseVmRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
    } catch {
      // The process exited between the walk and this read.
    }
  }
  return total;
}

/** CPU ticks of this process's reaped children (cutime + cstime): how a child's total CPU is read after it exits. */
export function readReapedChildTicks(): number {
  const self = readStat('self');
  return self ? self.cutime + self.cstime : 0;
}

/** Whole-machine tick counters from /proc/stat, summed over all CPUs. */
export interface MachineTicks {
  /** user + nice + system: time charged to processes. */
  process: number;
  /** irq + softirq: kernel work charged to no process (much of loopback networking). */
  irq: number;
  /** Time the hypervisor gave to other guests. */
  steal: number;
}

/** Parse the first ('cpu ') line of /proc/stat; null for a malformed text. */
export function parseMachineTicks(procStatText: string): MachineTicks | null {
  const line = procStatText.split('\n', 1)[0] ?? '';
  const fields = line.trim().split(/\s+/);
  if (fields[0] !== 'cpu' || fields.length < 9) return null;
  const [user, nice, system, , , irq, softirq, steal] = fields.slice(1, 9).map(Number);
  return { process: user! + nice! + system!, irq: irq! + softirq!, steal: steal! };
}

/** Current whole-machine counters, or null off Linux. */
export function readMachineTicks(): MachineTicks | null {
  try {
    return parseMachineTicks(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
}

/** b - a field by field (NaN fields when either is missing). */
export function subtractMachineTicks(b: MachineTicks | null, a: MachineTicks | null): MachineTicks {
  if (!a || !b) return { process: Number.NaN, irq: Number.NaN, steal: Number.NaN };
  return { process: b.process - a.process, irq: b.irq - a.irq, steal: b.steal - a.steal };
}

let clockTicks = 0;

/** Clock ticks per second (`getconf CLK_TCK`, 100 on common kernels). */
export function getClockTicks(): number {
  if (clockTicks > 0) return clockTicks;
  try {
    clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    clockTicks = 100;
  }
  return clockTicks;
}
