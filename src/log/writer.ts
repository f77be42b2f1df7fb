/**
 * The access log file of one worker: lines are gathered in memory and
 * written in batches (every FLUSH_MS or BATCH_CHARS, whichever comes
 * first), so a request never costs a system call. Every worker appends to
 * the same file through its own O_APPEND descriptor, one whole number of
 * lines per write(2): Linux serialises writes to a regular file, so lines
 * never interleave mid-line. Pipes (`-` when stdout is one) only promise
 * that for writes up to PIPE_BUF, so batches are cut into ≤ 4 KiB pieces on
 * line ends there.
 */
import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';

/** A crash loses at most this much time of lines… */
export const FLUSH_MS = 100;
/** …or this many characters (bytes, for the ASCII of a combined line). */
export const BATCH_CHARS = 64 * 1024;
/** POSIX PIPE_BUF on Linux: writes up to this size to a pipe are atomic. */
const PIPE_BUF = 4096;
const STDOUT_FD = 1;
/** EAGAIN on a non-blocking stdout: wait this long between tries, this many times. */
const RETRY_MS = 2;
const MAX_RETRIES = 500;

export interface LogWriter {
  /** Queue one line (ending in \n). */
  append(line: string): void;
  /** Write every queued line now. */
  flush(): void;
  /** Flush, then open the path again (after logrotate moved the file). */
  reopen(): void;
}

/**
 * Open `path` ('-' = stdout) for appending. Throws when it cannot be
 * opened; later write errors go to `report` once per failing stretch and
 * the lines of failed batches are dropped, so serving goes on.
 */
export function openLogWriter(path: string, report: (message: string) => void): LogWriter {
  let fd = openLog(path);
  let maxWrite = getMaxWrite(fd);
  let pending = '';
  let timer: NodeJS.Timeout | null = null;
  let failure: string | null = null;
  let dropped = 0;

  const flush = (): void => {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    if (pending === '') return;
    const bytes = Buffer.from(pending, 'utf8');
    pending = '';
    try {
      writeLines(fd, bytes, maxWrite);
      if (failure !== null) {
        report(`access log ${path}: writing again (${dropped} lines lost)`);
        failure = null;
        dropped = 0;
      }
    } catch (error) {
      dropped += countLines(bytes);
      const message = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      if (failure === null) report(`access log ${path}: write failed (${describeError(error)}); lines are dropped, serving goes on`);
      failure = message;
    }
  };

  return {
    append(line) {
      pending += line;
      if (pending.length >= BATCH_CHARS) flush();
      else if (timer === null) timer = setTimeout(flush, FLUSH_MS).unref();
    },
    flush,
    reopen() {
      flush();
      if (path === '-') return;
      let next: number;
      try {
        next = openLog(path);
      } catch (error) {
        report(`access log ${path}: cannot reopen (${describeError(error)}); still writing to the file it had open`);
        return;
      }
      closeSync(fd);
      fd = next;
      maxWrite = getMaxWrite(fd);
    },
  };
}

function openLog(path: string): number {
  return path === '-' ? STDOUT_FD : openSync(path, 'a', 0o640);
}

/** Regular files: a batch at a time; pipes, sockets, terminals: PIPE_BUF. */
function getMaxWrite(fd: number): number {
  try {
    return fstatSync(fd).isFile() ? Infinity : PIPE_BUF;
  } catch {
    return PIPE_BUF;
  }
}

/** Write `bytes` (whole lines) in the pieces splitLines gives. */
function writeLines(fd: number, bytes: Buffer, maxWrite: number): void {
  for (const [start, end] of splitLines(bytes, maxWrite)) writeFully(fd, bytes, start, end);
}

/**
 * [start, end) pieces of `bytes` of at most `maxWrite` bytes, each ending
 * on a line end; a single line longer than maxWrite is a piece of its own.
 */
export function splitLines(bytes: Uint8Array, maxWrite: number): Array<[number, number]> {
  const pieces: Array<[number, number]> = [];
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let start = 0;
  while (start < buffer.length) {
    let end = buffer.length;
    if (end - start > maxWrite) {
      const cut = buffer.lastIndexOf(0x0a, start + maxWrite - 1);
      end = cut >= start ? cut + 1 : buffer.indexOf(0x0a, start) + 1 || buffer.length;
    }
    pieces.push([start, end]);
    start = end;
  }
  return pieces;
}

function writeFully(fd: number, bytes: Buffer, start: number, end: number): void {
  let offset = start;
  let retries = 0;
  while (offset < end) {
    try {
      offset += writeSync(fd, bytes, offset, end - offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || ++retries > MAX_RETRIES) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, RETRY_MS);
    }
  }
}

function countLines(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** "ENOSPC: no space left on device" without the syscall and path Node appends. */
export function describeError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (typeof e.code === 'string' && typeof e.message === 'string') {
    const reason = e.message.replace(/^[A-Z]+: /, '').replace(/, (open|write|close)\b.*$/, '');
    return `${e.code}: ${reason}`;
  }
  return String(error);
}
