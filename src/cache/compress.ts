/**
 * Precompression of cache entries with brotli and gzip (node:zlib), off the
 * request path: zlib's async API runs on the libuv thread pool, one file at
 * a time per worker, after the worker listens.
 *
 * Results are shared through a private on-disk store keyed by the SHA-256 of
 * the original bytes, so N workers split the work (each starts at its own
 * offset in the list and loads what another worker already stored) and a
 * restarted or reloaded worker compresses nothing twice.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { MAX_COMPRESSED_RATIO } from './policy.js';

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * Brotli quality: 11 (the maximum, what build tools use for static assets)
 * costs about 2 s per MiB of JavaScript on the reference machine; 9 costs
 * 90 ms and is ~13% larger. Files up to this size get 11, bigger ones 9, so
 * typical bundles get the best ratio without minutes of start-up work.
 */
const BROTLI_MAX_QUALITY_SIZE = 1024 * 1024;

export interface Variants {
  readonly br: Buffer | null;
  readonly gzip: Buffer | null;
}

/** Compress `body`; a variant not meaningfully smaller is dropped (null). */
export async function compressBody(body: Buffer): Promise<Variants> {
  const quality = body.length <= BROTLI_MAX_QUALITY_SIZE ? 11 : 9;
  const br = await brotliAsync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: quality,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
  const gz = await gzipAsync(body, { level: 9 });
  return { br: keepIfSmaller(br, body), gzip: keepIfSmaller(gz, body) };
}

function keepIfSmaller(variant: Buffer, body: Buffer): Buffer | null {
  return variant.length <= body.length * MAX_COMPRESSED_RATIO ? variant : null;
}

/** A directory of compressed results, private to this user. */
export interface VariantStore {
  load(body: Buffer): Promise<Variants | null>;
  save(body: Buffer, variants: Variants): Promise<void>;
}

/** The default store location: one per user under the temp directory. */
export function getDefaultStoreDir(): string {
  const user = typeof process.getuid === 'function' ? String(process.getuid()) : 'user';
  return join(tmpdir(), `fastsrv-${user}`, 'compressed');
}

/**
 * Open (creating) the store at `dir`. Returns null when the directory is not
 * safe to trust (not ours, or writable by others): compressed bytes from it
 * would be served as our content.
 */
export function openVariantStore(dir: string): VariantStore | null {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stats = lstatSync(dir);
    const uid = typeof process.getuid === 'function' ? process.getuid() : stats.uid;
    if (!stats.isDirectory() || stats.uid !== uid || (stats.mode & 0o022) !== 0) return null;
  } catch {
    return null;
  }
  const pathOf = (body: Buffer, ext: string): string =>
    join(dir, createHash('sha256').update(body).digest('hex') + ext);
  return {
    async load(body) {
      try {
        const [br, gz] = await Promise.all([readFile(pathOf(body, '.br')), readFile(pathOf(body, '.gz'))]);
        // An empty file records "not worth it".
        return { br: br.length > 0 ? br : null, gzip: gz.length > 0 ? gz : null };
      } catch {
        return null;
      }
    },
    async save(body, variants) {
      await writeAtomically(pathOf(body, '.br'), variants.br ?? Buffer.alloc(0));
      await writeAtomically(pathOf(body, '.gz'), variants.gzip ?? Buffer.alloc(0));
    },
  };
}

async function writeAtomically(path: string, data: Buffer): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, data, { mode: 0o600 });
  await rename(temp, path);
}

/** Load from the store, or compress and save; store errors only cost speed. */
export async function getVariants(body: Buffer, store: VariantStore | null): Promise<Variants> {
  const stored = store === null ? null : await store.load(body);
  if (stored !== null) return stored;
  const variants = await compressBody(body);
  if (store !== null) await store.save(body, variants).catch(() => {});
  return variants;
}
