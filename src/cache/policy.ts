/**
 * Response-header policy decided at build time: Cache-Control, what gets
 * compressed, which names are fingerprinted. Pure functions over names and
 * types.
 */
import mimeDb from 'mime-db';
import type { HeaderList } from './headers.js';

/** Response-header policy from the configuration. */
export interface HeaderPolicy {
  /** `Cache-Control: public, max-age=N` for non-HTML assets. */
  readonly maxAge: number;
  /** Add `immutable` for fingerprinted names. */
  readonly immutable: boolean;
  /** A user-given Cache-Control (`--header`) replaces ours everywhere. */
  readonly cacheControl: string | null;
  /** Extra headers added to the file's responses (user headers, CORS, `_headers`). */
  readonly extraHeaders: HeaderList;
  /** Send `X-Content-Type-Options: nosniff` (a `_headers` rule may remove or replace it). */
  readonly isNosniff: boolean;
}

/** Files smaller than this are not worth a compressed variant (one packet). */
export const MIN_COMPRESS_SIZE = 1024;
/** A variant is kept only when it is at most this fraction of the original. */
export const MAX_COMPRESSED_RATIO = 0.9;

/** A compressed variant of `originalSize` bytes is worth keeping: it saves at least 10%. */
export function isWorthKeeping(variantSize: number, originalSize: number): boolean {
  return variantSize <= originalSize * MAX_COMPRESSED_RATIO;
}

/**
 * A precompressed sibling (`app.js.br`) describes its file when it is not
 * older than it (nginx gzip_static and Caddy do not check; a sibling older
 * than its file was probably left by a previous build).
 */
export function isSiblingFresh(siblingMtimeMs: number, fileMtimeMs: number): boolean {
  return siblingMtimeMs >= fileMtimeMs;
}

/**
 * HTML is the entry point that names every other asset, so it is always
 * revalidated (`no-cache`); assets get max-age, plus `immutable` when their
 * name carries a content hash and --immutable is on.
 */
export function getCacheControl(key: string, contentType: string, policy: HeaderPolicy): string {
  if (policy.cacheControl !== null) return policy.cacheControl;
  if (contentType.startsWith('text/html')) return 'no-cache';
  const base = 'public, max-age=' + policy.maxAge;
  return policy.immutable && isFingerprinted(key) ? base + ', immutable' : base;
}

/**
 * True when the file name carries a build hash: a `.` or `-` separated run
 * of 8+ hex digits (webpack `main.3f9a1c2e.js`) or of 8+ base64url
 * characters with at least one digit (Vite `index-B2x9kZqa.js`), followed by
 * the extension. Requiring a digit keeps words like `-Component.` out; a
 * hash without a digit is then missed, which only costs the `immutable`.
 */
export function isFingerprinted(key: string): boolean {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const ext = name.lastIndexOf('.');
  if (ext <= 0) return false;
  const stem = name.slice(0, ext);
  const cut = Math.max(stem.lastIndexOf('.'), stem.lastIndexOf('-'));
  if (cut <= 0) return false;
  const hash = stem.slice(cut + 1);
  return hash.length >= 8 && /^[A-Za-z0-9_]+$/.test(hash) && /[0-9]/.test(hash);
}

/**
 * Worth compressing: text, or a type mime-db marks compressible (JS, JSON,
 * SVG, XML, WASM, TTF/OTF fonts…), but not the catch-all octet-stream
 * (mime-db marks it compressible; it is mostly already-compressed binaries).
 */
export function isCompressible(contentType: string, size: number): boolean {
  if (size < MIN_COMPRESS_SIZE) return false;
  const semicolon = contentType.indexOf(';');
  const type = semicolon === -1 ? contentType : contentType.slice(0, semicolon);
  if (type === 'application/octet-stream') return false;
  if (type.startsWith('text/')) return true;
  const entry = (mimeDb as Record<string, { compressible?: boolean } | undefined>)[type];
  return entry?.compressible === true;
}
