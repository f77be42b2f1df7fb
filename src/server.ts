/**
 * The HTTP server of one worker: the uWebSockets.js app, its routes, the
 * miss path (dotfiles, redirects, SPA, 404) and graceful close. What a file
 * response sends is in content.ts.
 *
 * Request work is a lookup and one corked write of precomputed bytes:
 * writeStatus(block) sends the status line and every header in one native
 * call (see cache/headers.ts), end(body) sends Content-Length and the body.
 */
import type { CacheTable } from './cache/table.js';
import type { DotfilePolicy } from './config.js';
import { sendFixed, serveEntry } from './content.js';
import { encodePath, hasDotSegment, resolveRequestPath } from './http/path.js';
import {
  closeConnectionsAfterResponses,
  createStreamTracker,
  isClosingConnections,
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
 * Let uWS's C++ router find the file: one GET route per served key, at the
 * percent-encoding browsers send (measured: 0.5 µs less user CPU per
 * request than the catch-all's method and URL strings plus a Map lookup;
 * bench/NOTES.md). The handler still looks the key up in the current table,
 * so a swapped table (or a deleted file) answers correctly through routes
 * that can never be removed. HEAD, other encodings of a path and keys that
 * are not plain uWS patterns (a segment starting with `:`, a `*`) reach
 * the catch-all instead.
 */
function addRoute(app: TemplatedApp, routes: Set<string>, key: string, serveKey: KeyHandler): void {
  const pattern = encodePath(key);
  if (routes.has(pattern) || pattern.includes('/:') || pattern.includes('*')) return;
  routes.add(pattern);
  app.get(pattern, (res, req) => serveKey(res, req, key, false));
}

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
