import { describe, expect, test } from 'vitest';
import { parseMachineTicks, parseStatLine, subtractMachineTicks, parseVmRssBytes, selectTree, sumTicks, type ProcStat } from '../../bench/procstat.js';

/** A stat line with the given fields; everything else zero. */
function makeLine(pid: number, comm: string, state: string, ppid: number, pgrp: number, utime: number, stime: number): string {
  const rest = [state, ppid, pgrp, 0, 0, 0, 0, 0, 0, 0, 0, utime, stime, 7, 8, 20, 0, 1, 0, 100, 2000, 300];
  return `${pid} (${comm}) ${rest.join(' ')}`;
}

describe('parseStatLine', () => {
  test('plain comm', () => {
    expect(parseStatLine(makeLine(42, 'nginx', 'S', 1, 42, 150, 30))).toMatchObject({ pid: 42, comm: 'nginx', state: 'S', ppid: 1, pgrp: 42, utime: 150, stime: 30, cutime: 7, cstime: 8 });
  });

  test('comm with spaces and parentheses', () => {
    const parsed = parseStatLine(makeLine(7, 'node (vitest 1)', 'R', 6, 5, 11, 12));
    expect(parsed).toMatchObject({ pid: 7, comm: 'node (vitest 1)', state: 'R', ppid: 6, pgrp: 5, utime: 11, stime: 12 });
  });

  test('comm that looks like fields', () => {
    expect(parseStatLine(makeLine(9, ') S 1 1 ', 'S', 3, 3, 1, 2))).toMatchObject({ comm: ') S 1 1 ', ppid: 3, utime: 1, stime: 2 });
  });

  test('a real line from this kernel', () => {
    const line = '3862 (cat) R 3858 3858 2099 0 -1 4194304 99 0 0 0 0 0 0 0 20 0 1 0 30073 3133440 357 18446744073709551615 94291045318656 0';
    expect(parseStatLine(line)).toMatchObject({ pid: 3862, ppid: 3858, pgrp: 3858, utime: 0, stime: 0 });
  });

  test.each(['', 'garbage', '12 (x) S 1'])('malformed %j → null', (line) => expect(parseStatLine(line)).toBeNull());
});

describe('parseVmRssBytes', () => {
  test('kB to bytes', () => expect(parseVmRssBytes('Name:\tnginx\nVmRSS:\t   12345 kB\nThreads: 1\n')).toBe(12345 * 1024));
  test('absent (zombie) → 0', () => expect(parseVmRssBytes('Name:\tz\nState:\tZ (zombie)\n')).toBe(0));
});

describe('selectTree', () => {
  const stat = (pid: number, ppid: number, pgrp: number, state = 'S', ticks = 10): ProcStat => ({ pid, comm: 'x', state, ppid, pgrp, utime: ticks, stime: ticks, cutime: 0, cstime: 0 });
  const all = [
    stat(1, 0, 1),
    stat(100, 1, 100), // root (group leader)
    stat(101, 100, 100), // worker
    stat(102, 101, 100), // grandchild
    stat(103, 1, 100), // re-parented to init, same group
    stat(104, 100, 100, 'Z'), // zombie: excluded
    stat(200, 1, 200), // unrelated
    stat(201, 100, 201), // child that made its own group: still a descendant
  ];

  test('descendants by ppid plus the process group, no zombies', () => {
    expect(selectTree(all, 100).map((s) => s.pid).sort()).toEqual([100, 101, 102, 103, 201]);
  });
  test('unknown root → empty', () => expect(selectTree(all, 999)).toEqual([]));
  test('sumTicks adds utime and stime', () => expect(sumTicks(selectTree(all, 100))).toBe(5 * 20));
});

describe('parseMachineTicks', () => {
  test('process, irq and steal ticks', () => {
    expect(parseMachineTicks('cpu  20911 1 5473 106015 360 2 602 336 0 0\ncpu0 1 2 3\n')).toEqual({ process: 20911 + 1 + 5473, irq: 2 + 602, steal: 336 });
  });
  test('not a cpu line → null', () => expect(parseMachineTicks('intr 1 2 3')).toBeNull());
  test('subtract', () => {
    expect(subtractMachineTicks({ process: 10, irq: 5, steal: 1 }, { process: 4, irq: 2, steal: 1 })).toEqual({ process: 6, irq: 3, steal: 0 });
    expect(subtractMachineTicks(null, { process: 4, irq: 2, steal: 1 }).process).toBeNaN();
  });
});
