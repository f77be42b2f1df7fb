/**
 * The HTTP server of one worker: uWebSockets.js routes and the hot handler.
 *
 * Request work is a lookup and one corked write of precomputed bytes:
 * writeStatus(block) sends the status line and every header in one native
 * call (see cache/headers.ts), end(body) sends Content-Length and the body.
 */
import type { FileEntry, Representation } from './cache/entry.js';
import type { FixedResponse } from './cache/responses.js';
import type { CacheTable } from './cache/table.js';
import type { DotfilePolicy } from './config.js';
import {
  checkIfRange,
  COND_FALSE,
  evaluatePreconditions,
  PRECONDITION_FAILED,
  PRECONDITION_NOT_MODIFIED,
} from './http/conditional.js';
import { ENC_BR, ENC_GZIP, ENC_NOT_ACCEPTABLE, negotiateEncoding } from './http/encoding.js';
import { encodePath, hasDotSegment, resolveRequestPath } from './http/path.js';
import { parseRange } from './http/range.js';
import { acquireFile, checkSource, FILE_MISSING, FILE_OK } from './files.js';
import { joinSegments, planMultipleRanges, planSingleRange, type PartialResponse } from './partial.js';
import {
  closeConnectionsAfterResponses,
  createStreamTracker,
  endWithoutBody,
  isClosingConnections,
  sendBody,
  streamFile,
  type Segment,
  type StreamTracker,
} from './stream.js';
import type { HttpRequest, HttpResponse, TemplatedApp, UwsModule, us_listen_socket } from './uws.js';

export interface ServerOptions {
  readonly host: string;
  readonly port: number;
  /** Unknown extension-less paths serve /index.html. */
  readonly spa: boolean;
  readonly dotfiles: DotfilePolicy;
}

export interface RunningServer {
  readonly port: number;
  /** The table requests are served from. */
  readonly table: CacheTable;
  /** Serve from `table` from now on (new paths get routes of their own). */
  setTable(table: CacheTable): void;
  /** Stop accepting connections; resolves when in-flight bodies are sent. */
  close(timeoutMs: number): Promise<void>;
}

// Header names as bytes: uWS reads a Uint8Array key without converting a
// JS string to UTF-8 first.
const IF_MATCH = Buffer.from('if-match');
const IF_NONE_MATCH = Buffer.from('if-none-match');
const IF_MODIFIED_SINCE = Buffer.from('if-modified-since');
const IF_UNMODIFIED_SINCE = Buffer.from('if-unmodified-since');
const IF_RANGE = Buffer.from('if-range');
const RANGE = Buffer.from('range');
const ACCEPT_ENCODING = Buffer.from('accept-encoding');

/** Create the uWS app for `table` and listen. Rejects when listen fails. */
export function startServer(uws: UwsModule, table: CacheTable, options: ServerOptions): Promise<RunningServer> {
  const streams = createStreamTracker();
  const app = uws.App();
  // `requests` is only counted while closing (see closeServer).
  const state = { table, requests: 0 };
  const serveKey = createKeyHandler(state, options, streams);
  const routes = new Set<string>();
  const addRoutes = (next: CacheTable): void => {
    for (const key of next.files.keys()) addRoute(app, routes, key, serveKey);
  };
  addRoutes(table);
  app.any('/*', (res, req) => {
    if (isClosingConnections) state.requests++;
    const method = req.getMethod();
    const isHead = method === 'head';
    if (!isHead && method !== 'get') {
      sendFixed(res, method === 'options' ? state.table.fixed.options : state.table.fixed.methodNotAllowed, false);
      return;
    }
    const key = resolveRequestPath(req.getUrl());
    if (key === null) sendFixed(res, state.table.fixed.badRequest, isHead);
    else serveKey(res, req, key, isHead);
  });
  return new Promise((resolve, reject) => {
    app.listen(options.host, options.port, (token) => {
      if (token === false) {
        reject(new Error(`cannot listen on ${options.host}:${options.port}`));
        return;
      }
      resolve({
        port: uws.us_socket_local_port(token),
        get table() {
          return state.table;
        },
        setTable(next) {
          addRoutes(next);
          state.table = next;
        },
        close: (timeoutMs) => closeServer(uws, token, streams, state, timeoutMs),
      });
    });
  });
}

type KeyHandler = (res: HttpResponse, req: HttpRequest, key: string, isHead: boolean) => void;

/**
 * Let uWS's C++ router find the file: one GET and one HEAD route per served
 * key, at the percent-encoding browsers send. The handler still looks the
 * key up in the current table, so a swapped table (or a deleted file)
 * answers correctly through routes that can never be removed. Keys that are
 * not plain uWS patterns (a segment starting with `:` or containing `*`)
 * and other encodings of a path reach the catch-all instead.
 */
function addRoute(app: TemplatedApp, routes: Set<string>, key: string, serveKey: KeyHandler): void {
  const pattern = encodePath(key);
  if (routes.has(pattern) || pattern.includes('/:') || pattern.includes('*')) return;
  routes.add(pattern);
  app.get(pattern, (res, req) => serveKey(res, req, key, false));
  app.head(pattern, (res, req) => serveKey(res, req, key, true));
}

/**
 * Graceful close: stop accepting, then keep answering the connections we
 * have, each response now saying `Connection: close` so keep-alive clients
 * move to another worker instead of racing our exit with their next
 * request. Done when no body is in flight and no request came for
 * QUIET_MS, or at `timeoutMs`.
 */
function closeServer(
  uws: UwsModule,
  token: us_listen_socket,
  streams: StreamTracker,
  state: { requests: number },
  timeoutMs: number,
): Promise<void> {
  uws.us_listen_socket_close(token);
  closeConnectionsAfterResponses();
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve) => {
    let seen = -1;
    const check = (): void => {
      const isQuiet = state.requests === seen && streams.active() === 0;
      if (isQuiet || Date.now() >= deadline) return resolve();
      seen = state.requests;
      setTimeout(check, QUIET_MS);
    };
    check();
  });
}

const QUIET_MS = 200;

/** Serve a decoded key: the file, or the dotfile rule, a redirect, the SPA index, 404. */
function createKeyHandler(state: { table: CacheTable; requests: number }, options: ServerOptions, streams: StreamTracker): KeyHandler {
  const isDotfileVisible = options.dotfiles === 'allow';
  const dotfileResponse = options.dotfiles === 'deny' ? 'forbidden' : 'notFound';
  return function serveKey(res, req, key, isHead) {
    if (isClosingConnections) state.requests++;
    const table = state.table;
    const entry = table.files.get(key);
    if (entry !== undefined) return serveEntry(res, req, entry, isHead, table, streams);
    if (!isDotfileVisible && hasDotSegment(key)) return sendFixed(res, table.fixed[dotfileResponse], isHead);
    const redirect = table.redirects.get(key);
    if (redirect !== undefined) {
      const query = req.getQuery();
      res.writeStatus(query ? redirect.text + '?' + query : redirect.block).end(undefined, isClosingConnections);
      return;
    }
    const fallback = options.spa && isRouteLike(key) ? table.files.get('/') : undefined;
    if (fallback !== undefined) return serveEntry(res, req, fallback, isHead, table, streams);
    sendFixed(res, table.fixed.notFound, isHead);
  };
}

/** A path that names an app route rather than a file: no dot in its last segment. */
function isRouteLike(key: string): boolean {
  return key.indexOf('.', key.lastIndexOf('/')) === -1;
}

/** serveContent: pick the encoding, check preconditions, then ranges, then write. */
function serveEntry(
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
    endWithoutBody(res, rep.notModifiedBlock);
    return;
  }
  if (outcome === PRECONDITION_FAILED) return sendFixed(res, table.fixed.preconditionFailed, isHead);
  const range = req.getHeader(RANGE);
  const partial = range === '' ? null : planRange(res, req, entry, rep, range);
  if (partial === RESPONDED) return;
  if (partial !== null) {
    if (isHead) endWithoutBody(res, partial.head + '\r\nContent-Length: ' + partial.length);
    else sendSegments(res, partial.head, entry, rep, partial.segments, partial.length, table, streams);
  } else if (isHead) {
    endWithoutBody(res, rep.headBlock);
  } else if (entry.source === null) {
    sendBody(res, rep.okBlock, rep.body, streams);
  } else {
    sendSegments(res, rep.okBlock, entry, rep, [{ start: 0, end: rep.size - 1 }], rep.size, table, streams);
  }
}

/**
 * A streamed entry must still describe the file on disk (one stat): a
 * changed file gets a rebuilt entry, swapped into the table; a deleted one
 * is a 404 (null).
 */
function checkStreamedEntry(entry: FileEntry, table: CacheTable): FileEntry | null {
  const { status, stats } = checkSource(entry.source!);
  if (status === FILE_MISSING) return null;
  if (status === FILE_OK || stats === undefined) return entry;
  return table.refreshStreamedEntry(entry, stats);
}

/** Write a body made of segments: from the cached bytes, or streamed from disk. */
function sendSegments(
  res: HttpResponse,
  head: Buffer | string,
  entry: FileEntry,
  rep: Representation,
  segments: Segment[],
  length: number,
  table: CacheTable,
  streams: StreamTracker,
): void {
  if (entry.source === null) return sendBody(res, head, joinSegments(rep.body, segments, length), streams);
  const file = acquireFile(entry.source);
  if (typeof file === 'number') {
    // The file vanished or changed since the stat a moment ago, or we are
    // out of descriptors: a retryable 503, never a crash or a wrong body.
    return sendFixed(res, file === FILE_MISSING ? table.fixed.notFound : table.fixed.unavailable, false);
  }
  streamFile(res, head, file, segments, length, streams);
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
      endWithoutBody(res, rep.unsatisfiableBlock);
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
function sendFixed(res: HttpResponse, response: FixedResponse, isHead: boolean): void {
  if (response.body.length === 0) endWithoutBody(res, response.block); // 204: no Content-Length
  else if (isHead) endWithoutBody(res, response.headBlock);
  else res.writeStatus(response.block).end(response.body, isClosingConnections);
}
