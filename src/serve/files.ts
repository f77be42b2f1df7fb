/**
 * Open files for streamed entries. Every concurrent download of one file
 * shares one descriptor (reads are positional), so descriptors are bounded
 * by the number of distinct big files being sent, not by clients.
 */
import { closeSync, fstatSync, openSync, readFileSync, statSync, type Stats } from 'node:fs';
import type { FileSource } from '../cache/entry.js';

/** A shared descriptor with a reference count. */
export class SharedFile {
  refs = 0;
  constructor(
    readonly source: FileSource,
    readonly fd: number,
  ) {}
}

/** Why a streamed file cannot be sent as its entry describes. */
export const FILE_OK = 0;
export const FILE_MISSING = 1;
/** The file was replaced or modified since its entry was built. */
export const FILE_CHANGED = 2;
/** Out of descriptors (EMFILE/ENFILE) or another open error. */
export const FILE_UNAVAILABLE = 3;

const open = new Map<FileSource, SharedFile>();

/**
 * Most descriptors held for streaming at once. Beyond it a download gets a
 * 503 (Retry-After), before the process runs out: the rest of the limit
 * stays free for connections, since a worker that cannot accept() stalls
 * every new client instead of answering one.
 */
let maxOpenFiles = 512;

/**
 * Keep streaming descriptors to a quarter of the process's open-file limit:
 * every stream also holds a socket, and idle keep-alive connections hold
 * more, so connections keep three quarters.
 */
export function limitOpenFiles(processLimit: number): void {
  maxOpenFiles = Math.max(16, Math.floor(processLimit / 4));
}

/** The soft RLIMIT_NOFILE from /proc/self/limits, or null where unknown. */
export function readOpenFileLimit(): number | null {
  try {
    const match = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Does `stats` still describe the file `source` was built from? */
export function isSameFile(source: FileSource, stats: Stats): boolean {
  return stats.ino === source.ino && stats.size === source.size && stats.mtimeMs === source.mtimeMs;
}

/**
 * Check the path still holds the file the entry was built from (a stat per
 * request: a replaced file would otherwise be sent under the old ETag).
 * Returns FILE_OK, FILE_MISSING or FILE_CHANGED, and the current stats.
 */
export function checkSource(source: FileSource): { status: number; stats: Stats | undefined } {
  let stats: Stats | undefined;
  try {
    stats = statSync(source.absPath, { throwIfNoEntry: false });
  } catch {
    return { status: FILE_MISSING, stats: undefined };
  }
  if (stats === undefined || !stats.isFile()) return { status: FILE_MISSING, stats: undefined };
  return { status: isSameFile(source, stats) ? FILE_OK : FILE_CHANGED, stats };
}

/**
 * Take a reference on the descriptor of `source`, opening it when needed.
 * Returns the shared file, or a FILE_* status when it cannot be opened.
 */
export function acquireFile(source: FileSource): SharedFile | number {
  let file = open.get(source);
  if (file === undefined) {
    if (open.size >= maxOpenFiles) return FILE_UNAVAILABLE;
    let fd: number;
    try {
      fd = openSync(source.absPath, 'r');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'ENOENT' ? FILE_MISSING : FILE_UNAVAILABLE;
    }
    if (!isSameFile(source, fstatSync(fd))) {
      closeSync(fd);
      return FILE_CHANGED;
    }
    file = new SharedFile(source, fd);
    open.set(source, file);
  }
  file.refs++;
  return file;
}

/** Drop a reference; the last one closes the descriptor. */
export function releaseFile(file: SharedFile): void {
  if (--file.refs > 0) return;
  open.delete(file.source);
  closeSync(file.fd);
}
