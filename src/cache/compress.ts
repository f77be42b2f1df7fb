/**
 * Brotli and gzip variants of a body (node:zlib), at two levels:
 *
 * - `fast` (brotli 5, gzip 6): about 1 s of CPU for 14.5 MiB of small text
 *   files on the reference machine, 60× less than `best`, and 10% larger.
 *   The server gives every file these first, right after it listens.
 * - `best` (brotli 11, gzip 9): what build tools ship; the server upgrades
 *   to it in the background, and `fastsrv compress` writes it as siblings.
 *
 * A variant that does not save 10% is dropped (null). The async function
 * runs on the libuv thread pool; the sync ones are for small bodies and
 * worker threads.
 */
import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, constants, gzip, gzipSync, type BrotliOptions, type ZlibOptions } from 'node:zlib';
import { isWorthKeeping } from './policy.js';

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

export type CompressionLevel = 'fast' | 'best';

export interface Variants {
  readonly br: Buffer | null;
  readonly gzip: Buffer | null;
}

/**
 * Brotli 11 costs about 2 s per MiB of JavaScript on the reference machine;
 * 9 costs 90 ms and is ~13% larger. Files up to this size get 11 at the
 * best level, bigger ones 9, so typical bundles get the best ratio without
 * minutes of work.
 */
const BROTLI_MAX_QUALITY_SIZE = 1024 * 1024;
const BROTLI_FAST_QUALITY = 5;
const GZIP_FAST_LEVEL = 6;

function getBrotliOptions(size: number, level: CompressionLevel): BrotliOptions {
  const quality = level === 'fast' ? BROTLI_FAST_QUALITY : size <= BROTLI_MAX_QUALITY_SIZE ? 11 : 9;
  return { params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: size } };
}

/**
 * gzip 6 with a window and hash table sized to the file: zlib otherwise
 * allocates and clears ~256 KiB of state per call, which dominates for
 * small files (measured 35% less time on the start-up tree, same output
 * size: a window at least as large as the file finds the same matches).
 */
function getGzipOptions(size: number, level: CompressionLevel): ZlibOptions {
  if (level === 'best') return { level: 9 };
  const windowBits = Math.max(9, Math.min(15, Math.ceil(Math.log2(size + 262))));
  return { level: GZIP_FAST_LEVEL, windowBits, memLevel: Math.max(1, Math.min(8, windowBits - 7)) };
}

/** Compress `body` at `level` on the thread pool, brotli and gzip side by side. */
export async function compressBody(body: Buffer, level: CompressionLevel): Promise<Variants> {
  const [br, gz] = await Promise.all([
    brotliAsync(body, getBrotliOptions(body.length, level)),
    gzipAsync(body, getGzipOptions(body.length, level)),
  ]);
  return { br: keepIfWorth(br, body), gzip: keepIfWorth(gz, body) };
}

/** Both variants synchronously: no thread-pool round trips, for small bodies. */
export function compressBodySync(body: Buffer, level: CompressionLevel): Variants {
  return { br: compressVariantSync(body, 'br', level), gzip: compressVariantSync(body, 'gzip', level) };
}

/** One variant synchronously (also the worker threads of `fastsrv compress`). */
export function compressVariantSync(body: Buffer, encoding: 'br' | 'gzip', level: CompressionLevel): Buffer | null {
  const variant =
    encoding === 'br' ? brotliCompressSync(body, getBrotliOptions(body.length, level)) : gzipSync(body, getGzipOptions(body.length, level));
  return keepIfWorth(variant, body);
}

/**
 * A short output is a view of zlib's 16 KiB output chunk; that is fine
 * here because buildRepresentation copies every body it keeps into an
 * ArrayBuffer of its own (cache/bytes.ts), so the chunk is garbage once
 * the entry is built.
 */
function keepIfWorth(variant: Buffer, body: Buffer): Buffer | null {
  return isWorthKeeping(variant.length, body.length) ? variant : null;
}
