/**
 * serveContent: from a cache entry to bytes on the wire. Pick the encoding,
 * evaluate preconditions (RFC 9110 §13.2.2), then ranges, then one write of
 * precomputed bytes (or a stream from disk for files beyond the cache).
 */
import { encodeLatin1 } from '../cache/bytes.js';
import type { FileEntry, Representation } from '../cache/entry.js';
import type { FixedResponse } from '../cache/responses.js';
import type { CacheTable } from '../cache/table.js';
import {
  checkIfRange,
  COND_FALSE,
  evaluatePreconditions,
  PRECONDITION_FAILED,
  PRECONDITION_NOT_MODIFIED,
} from '../http/conditional.js';
import { ENC_BR, ENC_GZIP, ENC_NOT_ACCEPTABLE, negotiateEncoding } from '../http/encoding.js';
import { parseRange } from '../http/range.js';
import { recordResponse } from './outcome.js';
import { acquireFile, checkSource, FILE_MISSING, FILE_OK } from './files.js';
import { formatUnsatisfiableHead, joinSegments, planMultipleRanges, planSingleRange, type PartialResponse } from './partial.js';
import {
  endWithoutBody,
  isClosingConnections,
  sendBody,
  streamFile,
  type Head,
  type Segment,
  type StreamTracker,
} from './stream.js';
import type { HttpRequest, HttpResponse } from '../setup/uws.js';

// Header names as ArrayBuffers: uWS reads them without converting a JS
// string to UTF-8 or unwrapping a typed-array view (cache/bytes.ts).
const IF_MATCH = encodeLatin1('if-match');
const IF_NONE_MATCH = encodeLatin1('if-none-match');
const IF_MODIFIED_SINCE = encodeLatin1('if-modified-since');
const IF_UNMODIFIED_SINCE = encodeLatin1('if-unmodified-since');
const IF_RANGE = encodeLatin1('if-range');
const RANGE = encodeLatin1('range');
const ACCEPT_ENCODING = encodeLatin1('accept-encoding');

/** serveContent: pick the encoding, check preconditions, then ranges, then write. */
export function serveEntry(
  res: HttpResponse,
  req: HttpRequest,
  entry: FileEntry,
  isHead: boolean,
  table: CacheTable,
  streams: StreamTracker,
): void {
  if (entry.source !== null) {
    const current = checkStreamedEntry(entry, table);
    if (current === null) return sendFixed(res, table.fixed.notFound, isHead);
    entry = current;
  }
  const rep = selectRepresentation(req, entry);
  if (rep === null) return sendFixed(res, table.fixed.notAcceptable, isHead);
  const ifMatch = req.getHeader(IF_MATCH);
  const ifNoneMatch = req.getHeader(IF_NONE_MATCH);
  const outcome = evaluatePreconditions(
    ifMatch,
    ifMatch === '' ? req.getHeader(IF_UNMODIFIED_SINCE) : '',
    ifNoneMatch,
    ifNoneMatch === '' ? req.getHeader(IF_MODIFIED_SINCE) : '',
    rep.etag,
    entry.lastModified,
    entry.mtimeSec,
  );
  if (outcome === PRECONDITION_NOT_MODIFIED) {
    endWithoutBody(res, rep.notModifiedBlock, 304);
    return;
  }
  if (outcome === PRECONDITION_FAILED) return sendFixed(res, table.fixed.preconditionFailed, isHead);
  const range = req.getHeader(RANGE);
  const partial = range === '' ? null : planRange(res, req, entry, rep, range, table);
  if (partial === RESPONDED) return;
  if (partial !== null) {
    if (isHead) endWithoutBody(res, partial.head + '\r\nContent-Length: ' + partial.length, 206);
    else sendSegments(res, partial.head, rep, partial.segments, partial.length, table, streams, 206);
  } else if (isHead) {
    endWithoutBody(res, rep.headBlock, 200);
  } else if (rep.source === null) {
    sendBody(res, rep.okBlock, rep.payload, streams, 200);
  } else {
    sendSegments(res, rep.okBlock, rep, [{ start: 0, end: rep.size - 1 }], rep.size, table, streams, 200);
  }
}

/**
 * A streamed entry must still describe the files on disk (one stat each
 * for the file and its siblings): a change gets a rebuilt entry, swapped
 * into the table; a deleted file is a 404 (null).
 */
function checkStreamedEntry(entry: FileEntry, table: CacheTable): FileEntry | null {
  const status = checkSource(entry.source!).status;
  if (status === FILE_MISSING) return null;
  if (status === FILE_OK && isSiblingCurrent(entry.gzip) && isSiblingCurrent(entry.br)) return entry;
  return table.refreshStreamedEntry(entry);
}

function isSiblingCurrent(rep: Representation | null): boolean {
  return rep === null || checkSource(rep.source!).status === FILE_OK;
}

/** Write a body made of segments: from the cached bytes, or streamed from disk. */
function sendSegments(
  res: HttpResponse,
  head: Head,
  rep: Representation,
  segments: Segment[],
  length: number,
  table: CacheTable,
  streams: StreamTracker,
  status: number,
): void {
  if (rep.source === null) return sendBody(res, head, joinSegments(rep.body, segments, length), streams, status);
  const file = acquireFile(rep.source);
  if (typeof file === 'number') {
    // The file vanished or changed since the stat a moment ago, or we are
    // out of descriptors: a retryable 503, never a crash or a wrong body.
    return sendFixed(res, file === FILE_MISSING ? table.fixed.notFound : table.fixed.unavailable, false);
  }
  streamFile(res, head, file, segments, length, streams, status);
}

/** The variant Accept-Encoding selects; null when none is acceptable (406). */
function selectRepresentation(req: HttpRequest, entry: FileEntry): Representation | null {
  if (entry.encodings === 0) return entry.identity;
  const encoding = negotiateEncoding(req.getHeader(ACCEPT_ENCODING), entry.encodings);
  if (encoding === ENC_BR) return entry.br;
  if (encoding === ENC_GZIP) return entry.gzip;
  return encoding === ENC_NOT_ACCEPTABLE ? null : entry.identity;
}

const RESPONDED = 1;

/**
 * Ranges apply to the selected representation (RFC 9110 §14.1.2), so a
 * client that accepts gzip gets ranges of the gzip bytes, matching that
 * variant's ETag. Returns the 206 to send, null when the full body should be
 * sent (If-Range does not match, §13.1.5, or the header is ignored), or
 * RESPONDED after a 416.
 */
function planRange(
  res: HttpResponse,
  req: HttpRequest,
  entry: FileEntry,
  rep: Representation,
  header: string,
  table: CacheTable,
): PartialResponse | null | typeof RESPONDED {
  const ifRange = req.getHeader(IF_RANGE);
  if (ifRange !== '' && checkIfRange(ifRange, rep.etag, entry.lastModified, entry.mtimeSec) === COND_FALSE) {
    return null;
  }
  const result = parseRange(header, rep.size);
  switch (result.kind) {
    case 'none':
      return null;
    case 'unsatisfiable':
      endWithoutBody(res, formatUnsatisfiableHead(entry, rep, table.extraHeaderText), 416);
      return RESPONDED;
    case 'single':
      return planSingleRange(entry, rep, result.start, result.end);
    case 'multi':
      return planMultipleRanges(entry, rep, result.ranges);
  }
}

/**
 * A fixed response. uWS 20.30 on HEAD: end(body) would still send the body,
 * so HEAD writes its own Content-Length and ends without a body.
 */
export function sendFixed(res: HttpResponse, response: FixedResponse, isHead: boolean): void {
  if (response.body.byteLength === 0) {
    // 204 and 304 have no Content-Length (RFC 9110 §8.6); an empty body of any other status says 0.
    const hasNoBody = response.status === 204 || response.status === 304;
    endWithoutBody(res, hasNoBody ? response.block : response.headBlock, response.status);
  } else if (isHead) endWithoutBody(res, response.headBlock, response.status);
  else {
    recordResponse(response.status, response.body.byteLength);
    res.writeStatus(response.block).end(response.body, isClosingConnections);
  }
}
