/**
 * The access log file of one worker: lines are encoded into one buffer and
 * written in batches (every FLUSH_MS or BATCH_BYTES, whichever comes
 * first), so a request never costs a system call. (Joining the lines into
 * one string instead cost about twice the instructions per line, measured:
 * V8 flattens the rope at the write, and scavenges copy it while it grows.) Every worker appends to
 * the same file through its own O_APPEND descriptor, one whole number of
 * lines per write(2): Linux serialises writes to a regular file, so lines
 * never interleave mid-line. Pipes (`-` when stdout is one) only promise
 * that for writes up to PIPE_BUF, so batches are cut into ≤ 4 KiB pieces on
 * line ends there.
 */
import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';

/** A crash loses at most this much time of lines… */
export const FLUSH_MS = 100;
/** …or this many bytes. */
export const BATCH_BYTES = 64 * 1024;
/** Room for one more line beyond a batch; a longer line is written on its own. */
const LINE_ROOM = 16 * 1024;
/** UTF-8 bytes per UTF-16 code unit, at most. */
const MAX_BYTES_PER_UNIT = 3;
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
  const batch = Buffer.allocUnsafe(BATCH_BYTES + LINE_ROOM);
  let used = 0;
  let timer: NodeJS.Timeout | null = null;
  let failure: string | null = null;
  let dropped = 0;

  const flush = (): void => {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    if (used === 0) return;
    const bytes = batch.subarray(0, used);
    used = 0;
    write(bytes);
  };

  const write = (bytes: Buffer): void => {
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
      if (line.length * MAX_BYTES_PER_UNIT > LINE_ROOM) {
        flush();
        write(Buffer.from(line, 'utf8'));
        return;
      }
      used += (batch as BufferWithUtf8Write).utf8Write(line, used);
      if (used >= BATCH_BYTES) flush();
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

/** Buffer#utf8Write: what Buffer#write(string, offset, 'utf8') calls, without its argument juggling. */
type BufferWithUtf8Write = Buffer & { utf8Write(text: string, offset: number): number };

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
