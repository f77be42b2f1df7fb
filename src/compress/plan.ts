/**
 * What `fastsrv compress` does with one file: the pure decisions, and the
 * messages passed between the command and its worker threads.
 */
import { isSiblingFresh } from '../cache/policy.js';

/** The two siblings fastsrv (and nginx gzip_static, Caddy precompressed) look for. */
export const SIBLINGS = [
  ['br', '.br'],
  ['gzip', '.gz'],
] as const;
export type SiblingEncoding = (typeof SIBLINGS)[number][0];

/** One file to compress, as the command hands it to a thread. */
export interface CompressTask {
  /** Where to read the file (links resolved). */
  readonly path: string;
  /** Where its siblings go: the file's path under the root, without extension. */
  readonly siblingBase: string;
  /** The path as the user knows it, for messages. */
  readonly display: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** What a thread did with a task. */
export interface CompressOutcome {
  readonly display: string;
  readonly size: number;
  /** Bytes of the sibling written per encoding; null when none was written. */
  readonly written: { readonly br: number | null; readonly gzip: number | null };
  /** True when every sibling was already fresh: nothing read or written. */
  readonly isFresh: boolean;
  /** Variants made but not kept: they saved less than 10%. */
  readonly notKept: number;
  /** Stale siblings deleted because the new variant was not kept. */
  readonly removed: number;
  /** What went wrong, naming the file; null on success. */
  readonly error: string | null;
}

/** What is at a sibling's path now. */
export interface SiblingStat {
  readonly isFile: boolean;
  readonly mtimeMs: number;
}

/**
 * fresh: a regular file not older than the original (left alone);
 * write: absent or stale, (re)write it; blocked: something that is not a
 * regular file (a directory) holds the name, which is an error.
 */
export function planSibling(fileMtimeMs: number, sibling: SiblingStat | null): 'fresh' | 'write' | 'blocked' {
  if (sibling === null) return 'write';
  if (!sibling.isFile) return 'blocked';
  return isSiblingFresh(sibling.mtimeMs, fileMtimeMs) ? 'fresh' : 'write';
}
