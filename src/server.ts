/**
 * The HTTP server of one worker: uWebSockets.js routes and the hot handler.
 *
 * Request work is a lookup and one corked write of precomputed bytes:
 * writeStatus(block) sends the status line and every header in one native
 * call (see cache/headers.ts), end(body) sends Content-Length and the body.
 */
import type { FileEntry } from './cache/entry.js';
import type { FixedResponse } from './cache/responses.js';
import type { CacheTable } from './cache/table.js';
import {
  evaluatePreconditions,
  PRECONDITION_FAILED,
  PRECONDITION_NOT_MODIFIED,
} from './http/conditional.js';
import { resolveRequestPath } from './http/path.js';
import { createStreamTracker, sendBody, type StreamTracker } from './stream.js';
import type { HttpRequest, HttpResponse, UwsModule, us_listen_socket } from './uws.js';

export interface ServerOptions {
  readonly host: string;
  readonly port: number;
}

export interface RunningServer {
  readonly port: number;
  /** Stop accepting connections; resolves when in-flight bodies are sent. */
  close(timeoutMs: number): Promise<void>;
}

/** Create the uWS app for `table` and listen. Rejects when listen fails. */
export function startServer(uws: UwsModule, table: CacheTable, options: ServerOptions): Promise<RunningServer> {
  const streams = createStreamTracker();
  const app = uws.App();
  const handle = createRequestHandler(table, streams);
  app.any('/*', handle);
  return new Promise((resolve, reject) => {
    app.listen(options.host, options.port, (token) => {
      if (token === false) {
        reject(new Error(`cannot listen on ${options.host}:${options.port}`));
        return;
      }
      resolve({
        port: uws.us_socket_local_port(token),
        close: (timeoutMs) => closeServer(uws, token, streams, timeoutMs),
      });
    });
  });
}

function closeServer(uws: UwsModule, token: us_listen_socket, streams: StreamTracker, timeoutMs: number): Promise<void> {
  uws.us_listen_socket_close(token);
  return streams.drain(timeoutMs);
}

/** The catch-all handler: method dispatch, path resolution, lookup. */
export function createRequestHandler(table: CacheTable, streams: StreamTracker) {
  const { files, redirects, fixed } = table;
  return function handleRequest(res: HttpResponse, req: HttpRequest): void {
    const method = req.getMethod();
    const isHead = method === 'head';
    if (!isHead && method !== 'get') {
      sendFixed(res, method === 'options' ? fixed.options : fixed.methodNotAllowed, false);
      return;
    }
    const key = resolveRequestPath(req.getUrl());
    if (key === null) {
      sendFixed(res, fixed.badRequest, isHead);
      return;
    }
    const entry = files.get(key);
    if (entry !== undefined) {
      serveEntry(res, req, entry, isHead, table, streams);
      return;
    }
    const redirect = redirects.get(key);
    if (redirect !== undefined) {
      const query = req.getQuery();
      if (query) res.writeStatus(redirect.text + '?' + query).end();
      else res.writeStatus(redirect.block).end();
      return;
    }
    sendFixed(res, fixed.notFound, isHead);
  };
}

/** serveContent: preconditions, then one write of a precomputed response. */
function serveEntry(
  res: HttpResponse,
  req: HttpRequest,
  entry: FileEntry,
  isHead: boolean,
  table: CacheTable,
  streams: StreamTracker,
): void {
  const rep = entry.identity;
  const ifMatch = req.getHeader('if-match');
  const ifNoneMatch = req.getHeader('if-none-match');
  const outcome = evaluatePreconditions(
    ifMatch,
    ifMatch === '' ? req.getHeader('if-unmodified-since') : '',
    ifNoneMatch,
    ifNoneMatch === '' ? req.getHeader('if-modified-since') : '',
    rep.etag,
    entry.lastModified,
    entry.mtimeSec,
  );
  if (outcome === PRECONDITION_NOT_MODIFIED) {
    res.writeStatus(rep.notModifiedBlock).endWithoutBody();
  } else if (outcome === PRECONDITION_FAILED) {
    sendFixed(res, table.fixed.preconditionFailed, isHead);
  } else if (isHead) {
    res.writeStatus(rep.headBlock).endWithoutBody();
  } else {
    sendBody(res, rep.okBlock, rep.body, streams);
  }
}

/**
 * A fixed response. uWS 20.30 on HEAD: end(body) would still send the body,
 * so HEAD writes its own Content-Length and ends without a body.
 */
function sendFixed(res: HttpResponse, response: FixedResponse, isHead: boolean): void {
  if (response.body.length === 0) res.writeStatus(response.block).endWithoutBody(); // 204: no Content-Length
  else if (isHead) res.writeStatus(response.headBlock).endWithoutBody();
  else res.writeStatus(response.block).end(response.body);
}
