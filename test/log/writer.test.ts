import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BATCH_BYTES, FLUSH_MS, describeError, openLogWriter, splitLines } from '../../src/log/writer.js';

let dir = '';
afterEach(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  dir = '';
});

function makeDir(): string {
  dir = mkdtempSync(join(tmpdir(), 'fastsrv-log-'));
  return dir;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('openLogWriter', () => {
  it('batches: nothing is written until the flush interval, then every line at once', async () => {
    const path = join(makeDir(), 'access.log');
    const writer = openLogWriter(path, () => {});
    writer.append('one\n');
    writer.append('two\n');
    expect(readFileSync(path, 'utf8')).toBe('');
    await sleep(FLUSH_MS + 50);
    expect(readFileSync(path, 'utf8')).toBe('one\ntwo\n');
  });

  it('writes as soon as a batch reaches BATCH_BYTES', () => {
    const path = join(makeDir(), 'access.log');
    const writer = openLogWriter(path, () => {});
    const line = 'x'.repeat(99) + '\n';
    const count = Math.ceil(BATCH_BYTES / line.length);
    for (let i = 0; i < count - 1; i++) writer.append(line);
    expect(readFileSync(path, 'utf8')).toBe('');
    writer.append(line);
    expect(readFileSync(path, 'utf8')).toBe(line.repeat(count));
  });

  it('non-ASCII lines are written as UTF-8, and a line longer than the batch room on its own', () => {
    const path = join(makeDir(), 'access.log');
    const writer = openLogWriter(path, () => {});
    const long = 'é'.repeat(20_000) + '\n';
    writer.append('{"ua":"café 😀"}\n');
    writer.append(long);
    writer.append('after\n');
    writer.flush();
    expect(readFileSync(path, 'utf8')).toBe('{"ua":"café 😀"}\n' + long + 'after\n');
  });

  it('appends to an existing file, and flush() writes at once', () => {
    const path = join(makeDir(), 'access.log');
    writeFileSync(path, 'old\n');
    const writer = openLogWriter(path, () => {});
    writer.append('new\n');
    writer.flush();
    expect(readFileSync(path, 'utf8')).toBe('old\nnew\n');
  });

  it('reopen(): after a rename, new lines go to a new file at the path', () => {
    const path = join(makeDir(), 'access.log');
    const writer = openLogWriter(path, () => {});
    writer.append('before\n');
    renameSync(path, path + '.1');
    writer.append('queued before the reopen\n');
    writer.reopen();
    writer.append('after\n');
    writer.flush();
    expect(readFileSync(path + '.1', 'utf8')).toBe('before\nqueued before the reopen\n');
    expect(readFileSync(path, 'utf8')).toBe('after\n');
  });

  it('reopen() that fails keeps writing to the open file and says so', () => {
    const sub = join(makeDir(), 'logs');
    const path = join(sub, 'access.log');
    const reports: string[] = [];
    mkdirSync(sub);
    const writer = openLogWriter(path, (m) => reports.push(m));
    renameSync(sub, sub + '.old'); // the directory is gone: the path cannot be opened
    writer.reopen();
    writer.append('still logged\n');
    writer.flush();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/cannot reopen \(ENOENT: no such file or directory\); still writing/);
    expect(readFileSync(join(sub + '.old', 'access.log'), 'utf8')).toBe('still logged\n');
  });

  it('throws when the path cannot be opened', () => {
    expect(() => openLogWriter(join(makeDir(), 'missing', 'access.log'), () => {})).toThrow(/ENOENT/);
  });

  it.skipIf(!existsSync('/dev/full'))('a write error is reported once, lines are dropped, and it goes on', () => {
    const reports: string[] = [];
    const writer = openLogWriter('/dev/full', (m) => reports.push(m));
    for (let i = 0; i < 3; i++) {
      writer.append('lost\n');
      expect(() => writer.flush()).not.toThrow();
    }
    expect(reports).toEqual(['access log /dev/full: write failed (ENOSPC: no space left on device); lines are dropped, serving goes on']);
  });
});

describe('splitLines', () => {
  const pieces = (text: string, max: number): string[] =>
    splitLines(Buffer.from(text), max).map(([start, end]) => text.slice(start, end));

  it.each([
    ['a\nb\nc\n', 100, ['a\nb\nc\n']],
    ['a\nb\nc\n', 4, ['a\nb\n', 'c\n']],
    ['a\nb\nc\n', 2, ['a\n', 'b\n', 'c\n']],
    ['a\nb\nc\n', 1, ['a\n', 'b\n', 'c\n']],
    ['long line\nx\n', 3, ['long line\n', 'x\n']],
    ['', 10, []],
  ])('%j in pieces of at most %i → %j', (text, max, expected) => {
    expect(pieces(text, max)).toEqual(expected);
  });

  it('4096-byte pieces (PIPE_BUF) cover every byte and end on line ends', () => {
    const text = 'x'.repeat(10_000) + '\n' + 'yy\n'.repeat(5000);
    const parts = pieces(text, 4096);
    expect(parts.join('')).toBe(text);
    for (const part of parts) expect(part.endsWith('\n')).toBe(true);
    for (const part of parts.slice(1)) expect(part.length).toBeLessThanOrEqual(4096);
  });
});

describe('describeError', () => {
  it('keeps the code and the reason, not the syscall and path', () => {
    const error = Object.assign(new Error("EACCES: permission denied, open '/var/log/x'"), { code: 'EACCES' });
    expect(describeError(error)).toBe('EACCES: permission denied');
  });
});
