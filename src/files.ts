/**
 * Open files for streamed entries. Every concurrent download of one file
 * shares one descriptor (reads are positional), so descriptors are bounded
 * by the number of distinct big files being sent, not by clients.
 */
import { closeSync, fstatSync, openSync, statSync, type Stats } from 'node:fs';
import type { FileSource } from './cache/entry.js';

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

/** Descriptors currently open for streaming (for tests and stats). */
export function countOpenFiles(): number {
  return open.size;
}
