/**
 * Cache entries: everything a response needs, computed once at build time.
 * Objects are created with every field in the constructor so they keep one
 * hidden class on the hot path.
 */
import { createHash } from 'node:crypto';
import { buildHeaderBlock, formatHttpDate, type HeaderList } from './headers.js';

/** One encoding of a file (identity, gzip or br) and its header blocks. */
export class Representation {
  constructor(
    /** The bytes sent for a 200. */
    readonly body: Buffer,
    /** Strong entity-tag, quoted: `"…"`. */
    readonly etag: string,
    /** `200 OK` head without Content-Length (uWS end() writes it). */
    readonly okBlock: Buffer,
    /** `200 OK` head with Content-Length, for HEAD + endWithoutBody(). */
    readonly headBlock: Buffer,
    /** `304 Not Modified` head: ETag, Last-Modified, Cache-Control, Vary. */
    readonly notModifiedBlock: Buffer,
    /** `206 Partial Content` head text; the caller appends Content-Range. */
    readonly partialHead: string,
  ) {}
}

/** A regular file under the root, as served. */
export class FileEntry {
  constructor(
    /** Decoded URL path, e.g. `/docs/a b.html`. */
    readonly key: string,
    readonly contentType: string,
    /** Modification time in whole seconds (what Last-Modified says). */
    readonly mtimeSec: number,
    readonly lastModified: string,
    readonly identity: Representation,
  ) {}
}

/** Response-header policy from the configuration, applied at build time. */
export interface HeaderPolicy {
  /** `Cache-Control: public, max-age=N` for non-HTML assets. */
  readonly maxAge: number;
  /** Extra headers added to every file response. */
  readonly extraHeaders: HeaderList;
}

/** Quoted strong ETag from the content: 16 base64url chars of SHA-1. */
export function computeEtag(body: Buffer): string {
  return '"' + createHash('sha1').update(body).digest('base64url').slice(0, 16) + '"';
}

/**
 * HTML is the entry point that names every other asset, so it is always
 * revalidated (`no-cache`), like most static hosts do; assets get max-age.
 */
export function getCacheControl(contentType: string, policy: HeaderPolicy): string {
  if (contentType.startsWith('text/html')) return 'no-cache';
  return 'public, max-age=' + policy.maxAge;
}

/** Build the entry for a file whose bytes are `body`. */
export function buildFileEntry(
  key: string,
  contentType: string,
  mtimeMs: number,
  body: Buffer,
  policy: HeaderPolicy,
): FileEntry {
  const mtimeSec = Math.floor(mtimeMs / 1000);
  const lastModified = formatHttpDate(mtimeSec);
  const etag = computeEtag(body);
  const cacheControl = getCacheControl(contentType, policy);
  const validators: HeaderList = [
    ['ETag', etag],
    ['Last-Modified', lastModified],
    ['Cache-Control', cacheControl],
  ];
  const entity: HeaderList = [
    ['Content-Type', contentType],
    ...validators,
    ['Accept-Ranges', 'bytes'],
    ['X-Content-Type-Options', 'nosniff'],
    ...policy.extraHeaders,
  ];
  const identity = new Representation(
    body,
    etag,
    buildHeaderBlock('200 OK', entity),
    buildHeaderBlock('200 OK', [...entity, ['Content-Length', String(body.length)]]),
    buildHeaderBlock('304 Not Modified', [...validators, ...policy.extraHeaders]),
    buildHeaderBlock('206 Partial Content', entity).toString('latin1'),
  );
  return new FileEntry(key, contentType, mtimeSec, lastModified, identity);
}
