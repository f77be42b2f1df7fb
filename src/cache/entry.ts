/**
 * Cache entries: everything a response needs, computed once at build time.
 * Objects are created with every field in the constructor so they keep one
 * hidden class on the hot path.
 */
import { hash } from 'node:crypto';
import { HAS_BR, HAS_GZIP } from '../http/encoding.js';
import { copyToArrayBuffer, encodeLatin1 } from './bytes.js';
import type { CompressionLevel, Variants } from './compress.js';
import { formatHeaderLines, formatHttpDate } from './headers.js';
import { getCacheControl, type HeaderPolicy } from './policy.js';

/** One encoding of a file (identity, gzip or br) and its header blocks. */
export class Representation {
  constructor(
    /** The bytes sent for a 200; empty for a streamed file (see FileEntry.source). */
    readonly body: Buffer,
    /** The same bytes as one ArrayBuffer (`body` is a view of it): what end() is given. */
    readonly payload: ArrayBuffer,
    /** Length of the representation: body.length, or the streamed file's size. */
    readonly size: number,
    /** Strong entity-tag of these bytes, quoted: `"…"`. */
    readonly etag: string,
    /** `200 OK` head without Content-Length (uWS end() writes it). */
    readonly okBlock: ArrayBuffer,
    /** `200 OK` head with Content-Length, for HEAD + endWithoutBody(). */
    readonly headBlock: ArrayBuffer,
    /** `304 Not Modified` head: ETag, Last-Modified, Cache-Control, Vary. */
    readonly notModifiedBlock: ArrayBuffer,
    /**
     * Where the header lines after Content-Type start in okBlock: a 206 head
     * is "206 Partial Content" + that tail + its own Content-Type and
     * Content-Range (built per range request, see partial.ts).
     */
    readonly afterTypeOffset: number,
    /** The file the bytes are streamed from; null when they are in `body`. */
    readonly source: FileSource | null,
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
    readonly gzip: Representation | null,
    readonly br: Representation | null,
    /** HAS_GZIP | HAS_BR: the variants negotiateEncoding may pick. */
    readonly encodings: number,
    /** Sends `Vary: Accept-Encoding` (variants exist or are being made). */
    readonly isNegotiable: boolean,
    /** The level of the variants fastsrv made; null for none or siblings. */
    readonly compressed: CompressionLevel | null,
    /** Set when the body is not cached but streamed from this file. */
    readonly source: FileSource | null,
    /** The header policy the blocks were built with (rebuilt entries keep it). */
    readonly policy: HeaderPolicy,
  ) {}
}

/** A file streamed from disk, and the stat its headers were built from. */
export class FileSource {
  constructor(
    readonly absPath: string,
    readonly size: number,
    readonly mtimeMs: number,
    readonly ino: number,
  ) {}
}

/** What a file is, apart from its bytes. */
export interface FileInfo {
  readonly key: string;
  readonly contentType: string;
  readonly mtimeMs: number;
}

/**
 * Quoted ETag of a streamed file, from its stat as nginx does (hashing a
 * file we do not keep would mean reading it all at start-up): modification
 * time in microseconds and size, in hex; a sibling's tag also names its
 * encoding, so no two representations can share one.
 */
export function computeStatEtag(source: FileSource, encoding: string | null = null): string {
  const tag = Math.floor(source.mtimeMs * 1000).toString(16) + '-' + source.size.toString(16);
  return '"' + tag + (encoding === null ? '' : '-' + encoding) + '"';
}

/** Quoted strong ETag from the content: 16 base64url chars of SHA-1. */
export function computeEtag(body: Buffer): string {
  // crypto.hash: one call, no Hash object (about 2x faster for small files).
  return '"' + hash('sha1', body, 'base64url').slice(0, 16) + '"';
}

/**
 * Build the entry for a file whose bytes are `body`, with optional
 * compressed variants. `isNegotiable` adds `Vary: Accept-Encoding` to every
 * block (set it when variants exist or will be swapped in later, so caches
 * never store an identity response as the only one).
 */
export function buildFileEntry(
  file: FileInfo,
  body: Buffer,
  variants: Variants,
  isNegotiable: boolean,
  policy: HeaderPolicy,
  level: CompressionLevel | null = null,
): FileEntry {
  const common = buildCommonHeaders(file, isNegotiable || variants.gzip !== null || variants.br !== null, policy);
  const identity = buildRepresentation(body, body.length, computeEtag(body), null, null, common);
  return buildCachedVariants(file, common, identity, variants, level, policy);
}

/**
 * The entry `entry` becomes with compressed `variants` made at `level`:
 * the identity representation is reused as it is (its blocks already say
 * `Vary`, since the entry was negotiable), so only the variants are built,
 * with the entry's own policy (a `_headers` edit may have rebuilt it).
 */
export function withVariants(entry: FileEntry, variants: Variants, level: CompressionLevel): FileEntry {
  const file = { key: entry.key, contentType: entry.contentType, mtimeMs: entry.mtimeSec * 1000 };
  return buildCachedVariants(file, buildCommonHeaders(file, true, entry.policy), entry.identity, variants, level, entry.policy);
}

function buildCachedVariants(
  file: FileInfo,
  common: RepresentationHeaders,
  identity: Representation,
  variants: Variants,
  level: CompressionLevel | null,
  policy: HeaderPolicy,
): FileEntry {
  const gzip = variants.gzip === null ? null : buildVariant(variants.gzip, 'gzip', common);
  const br = variants.br === null ? null : buildVariant(variants.br, 'br', common);
  return assembleEntry(file, common, identity, gzip, br, level, null, policy);
}

/** A FileEntry from its representations; `encodings` follows from which exist. */
function assembleEntry(
  file: FileInfo,
  common: RepresentationHeaders,
  identity: Representation,
  gzip: Representation | null,
  br: Representation | null,
  level: CompressionLevel | null,
  source: FileSource | null,
  policy: HeaderPolicy,
): FileEntry {
  const encodings = (gzip === null ? 0 : HAS_GZIP) | (br === null ? 0 : HAS_BR);
  return new FileEntry(
    file.key, file.contentType, common.mtimeSec, common.lastModified,
    identity, gzip, br, encodings, common.vary, level, source, policy,
  );
}

/** Fresh `.gz` / `.br` siblings of a streamed file. */
export interface StreamedSiblings {
  readonly gzip: FileSource | null;
  readonly br: FileSource | null;
}

/**
 * Build the entry of a file too big for the cache: the same precomputed
 * blocks, stat ETags; the body (or the sibling's, for a variant) is read
 * per request.
 */
export function buildStreamedEntry(file: FileInfo, source: FileSource, siblings: StreamedSiblings, policy: HeaderPolicy): FileEntry {
  const common = buildCommonHeaders(file, siblings.gzip !== null || siblings.br !== null, policy);
  const identity = buildRepresentation(EMPTY, source.size, computeStatEtag(source), null, source, common);
  const gzip = siblings.gzip === null ? null : buildStreamedVariant(siblings.gzip, 'gzip', common);
  const br = siblings.br === null ? null : buildStreamedVariant(siblings.br, 'br', common);
  return assembleEntry(file, common, identity, gzip, br, null, source, policy);
}

function buildStreamedVariant(source: FileSource, encoding: string, h: RepresentationHeaders): Representation {
  return buildRepresentation(EMPTY, source.size, computeStatEtag(source, encoding), encoding, source, h);
}

/**
 * The same entry with its header blocks built for another policy (a
 * `_headers` change): bodies, ETags and variants are kept, nothing is
 * read or hashed again.
 */
export function rebuildEntryHeaders(entry: FileEntry, policy: HeaderPolicy): FileEntry {
  const file = { key: entry.key, contentType: entry.contentType, mtimeMs: entry.mtimeSec * 1000 };
  const common = buildCommonHeaders(file, entry.isNegotiable, policy);
  const rebuild = (rep: Representation | null, encoding: string | null): Representation | null =>
    rep === null ? null : buildRepresentation(rep.body, rep.size, rep.etag, encoding, rep.source, common);
  return new FileEntry(
    entry.key,
    entry.contentType,
    entry.mtimeSec,
    entry.lastModified,
    rebuild(entry.identity, null)!,
    rebuild(entry.gzip, 'gzip'),
    rebuild(entry.br, 'br'),
    entry.encodings,
    entry.isNegotiable,
    entry.compressed,
    entry.source,
    policy,
  );
}

const EMPTY = Buffer.alloc(0);

interface RepresentationHeaders {
  readonly mtimeSec: number;
  readonly contentType: string;
  readonly lastModified: string;
  readonly cacheControl: string;
  readonly vary: boolean;
  readonly isNosniff: boolean;
  /** Extra header lines, each "\r\nName: value". */
  readonly extraText: string;
}

/** What every representation of a file shares: type, validators, policy. */
function buildCommonHeaders(file: FileInfo, vary: boolean, policy: HeaderPolicy): RepresentationHeaders {
  const mtimeSec = Math.floor(file.mtimeMs / 1000);
  return {
    mtimeSec,
    contentType: file.contentType,
    lastModified: formatHttpDate(mtimeSec),
    cacheControl: getCacheControl(file.key, file.contentType, policy),
    vary,
    isNosniff: policy.isNosniff,
    extraText: formatHeaderLines(policy.extraHeaders),
  };
}

function buildVariant(body: Buffer, encoding: string, h: RepresentationHeaders): Representation {
  return buildRepresentation(body, body.length, computeEtag(body), encoding, null, h);
}

function buildRepresentation(
  body: Buffer,
  size: number,
  etag: string,
  encoding: string | null,
  source: FileSource | null,
  h: RepresentationHeaders,
): Representation {
  // Header values here are ASCII by construction (mime-db types, base64url
  // tags, HTTP-dates) or were validated when the options were parsed.
  const validators =
    '\r\nETag: ' + etag + '\r\nLast-Modified: ' + h.lastModified + '\r\nCache-Control: ' + h.cacheControl +
    (h.vary ? '\r\nVary: Accept-Encoding' : '');
  const typed = '200 OK\r\nContent-Type: ' + h.contentType;
  const ok =
    typed + (encoding === null ? '' : '\r\nContent-Encoding: ' + encoding) + validators +
    '\r\nAccept-Ranges: bytes' + (h.isNosniff ? '\r\nX-Content-Type-Options: nosniff' : '') + h.extraText;
  // A body that already owns its ArrayBuffer (a rebuilt entry's) is kept, not copied again.
  const isOwned = body.byteOffset === 0 && body.buffer instanceof ArrayBuffer && body.byteLength === body.buffer.byteLength;
  const payload = isOwned ? (body.buffer as ArrayBuffer) : copyToArrayBuffer(body);
  return new Representation(
    isOwned ? body : Buffer.from(payload),
    payload,
    size,
    etag,
    encodeLatin1(ok),
    encodeLatin1(ok + '\r\nContent-Length: ' + size),
    encodeLatin1('304 Not Modified' + validators + h.extraText),
    typed.length,
    source,
  );
}
