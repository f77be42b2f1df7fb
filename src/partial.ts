/**
 * 206 and 416 responses (RFC 9110 §14): one range as a slice of the cached
 * body, several as multipart/byteranges. Off the common path: strings are
 * built here per request.
 */
import { randomBytes } from 'node:crypto';
import type { FileEntry, Representation } from './cache/entry.js';
import { buildMultipartParts, formatMultipartContentType } from './http/multipart.js';
import { formatContentRange, type ByteRange } from './http/range.js';
import { sendBody, type StreamTracker } from './stream.js';
import type { HttpResponse } from './uws.js';

// nginx numbers its boundaries; a random per-process prefix keeps them
// unguessable so a body cannot contain one on purpose.
const BOUNDARY_PREFIX = randomBytes(6).toString('hex');
let boundaryCount = 0;

function nextBoundary(): string {
  boundaryCount = (boundaryCount + 1) % 1e10;
  return BOUNDARY_PREFIX + String(boundaryCount).padStart(10, '0');
}

/** 206 with bytes start..end (inclusive) of the representation. */
export function sendSingleRange(
  res: HttpResponse,
  entry: FileEntry,
  rep: Representation,
  start: number,
  end: number,
  isHead: boolean,
  streams: StreamTracker,
): void {
  const head =
    rep.partialHead +
    '\r\nContent-Type: ' + entry.contentType +
    '\r\nContent-Range: ' + formatContentRange(start, end, rep.body.length);
  if (isHead) {
    res.writeStatus(head + '\r\nContent-Length: ' + (end - start + 1)).endWithoutBody();
    return;
  }
  sendBody(res, head, rep.body.subarray(start, end + 1), streams);
}

/** 206 multipart/byteranges with the parts in the order asked. */
export function sendMultipleRanges(
  res: HttpResponse,
  entry: FileEntry,
  rep: Representation,
  ranges: readonly ByteRange[],
  isHead: boolean,
  streams: StreamTracker,
): void {
  const boundary = nextBoundary();
  const body = rep.body;
  const parts = buildMultipartParts(ranges, body.length, entry.contentType, boundary);
  const head = rep.partialHead + '\r\nContent-Type: ' + formatMultipartContentType(boundary);
  if (isHead) {
    res.writeStatus(head + '\r\nContent-Length: ' + parts.length).endWithoutBody();
    return;
  }
  // One buffer: uWS's write() would switch to chunked encoding. The range
  // parser bounds the ranges' total to the body size, so this copies at most
  // one body.
  const chunks: Buffer[] = [];
  for (let i = 0; i < ranges.length; i++) {
    chunks.push(Buffer.from(parts.heads[i], 'latin1'), body.subarray(ranges[i].start, ranges[i].end + 1));
  }
  chunks.push(Buffer.from(parts.tail, 'latin1'));
  sendBody(res, head, Buffer.concat(chunks, parts.length), streams);
}
