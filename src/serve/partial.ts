/**
 * 206 responses (RFC 9110 §14): the head text and the body as segments —
 * slices of the representation, with multipart/byteranges framing between
 * them when there are several ranges. Off the common path: strings are
 * built here per request.
 */
import { randomBytes } from 'node:crypto';
import { decodeLatin1 } from '../cache/bytes.js';
import type { FileEntry, Representation } from '../cache/entry.js';
import { buildMultipartParts, formatMultipartContentType } from '../http/multipart.js';
import { formatContentRange, type ByteRange } from '../http/range.js';
import type { Segment } from './stream.js';

// nginx numbers its boundaries; a random per-process prefix keeps them
// unguessable so a body cannot contain one on purpose.
const BOUNDARY_PREFIX = randomBytes(6).toString('hex');
let boundaryCount = 0;

function nextBoundary(): string {
  boundaryCount = (boundaryCount + 1) % 1e10;
  return BOUNDARY_PREFIX + String(boundaryCount).padStart(10, '0');
}

/** "206 Partial Content" and the 200's header lines after its Content-Type. */
function formatPartialHead(rep: Representation): string {
  return '206 Partial Content' + decodeLatin1(rep.okBlock, rep.afterTypeOffset);
}

/** The 416 head: Content-Range: bytes *\/size, Vary when negotiable, extra headers. */
export function formatUnsatisfiableHead(entry: FileEntry, rep: Representation, extraText: string): string {
  return (
    '416 Range Not Satisfiable\r\nContent-Range: bytes */' + rep.size +
    (entry.isNegotiable ? '\r\nVary: Accept-Encoding' : '') + extraText + '\r\nContent-Length: 0'
  );
}

/** A 206 to send: head (no Content-Length), body segments, body length. */
export interface PartialResponse {
  readonly head: string;
  readonly segments: Segment[];
  readonly length: number;
}

/** 206 with bytes start..end (inclusive) of the representation. */
export function planSingleRange(entry: FileEntry, rep: Representation, start: number, end: number): PartialResponse {
  const head =
    formatPartialHead(rep) +
    '\r\nContent-Type: ' + entry.contentType +
    '\r\nContent-Range: ' + formatContentRange(start, end, rep.size);
  return { head, segments: [{ start, end }], length: end - start + 1 };
}

/** 206 multipart/byteranges with the parts in the order asked. */
export function planMultipleRanges(entry: FileEntry, rep: Representation, ranges: readonly ByteRange[]): PartialResponse {
  const boundary = nextBoundary();
  const parts = buildMultipartParts(ranges, rep.size, entry.contentType, boundary);
  const segments: Segment[] = [];
  for (let i = 0; i < ranges.length; i++) {
    segments.push(Buffer.from(parts.heads[i], 'latin1'), ranges[i]);
  }
  segments.push(Buffer.from(parts.tail, 'latin1'));
  const head = formatPartialHead(rep) + '\r\nContent-Type: ' + formatMultipartContentType(boundary);
  return { head, segments, length: parts.length };
}

/**
 * The body of a cached representation as one buffer: a view for one range,
 * a copy for several (uWS's write() would switch to chunked encoding). The
 * range parser bounds the ranges' total to the body size, so this copies at
 * most one body.
 */
export function joinSegments(body: Buffer, segments: readonly Segment[], length: number): Buffer {
  const slices = segments.map((s) => (Buffer.isBuffer(s) ? s : body.subarray(s.start, s.end + 1)));
  return slices.length === 1 ? slices[0] : Buffer.concat(slices, length);
}
