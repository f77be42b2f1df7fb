/**
 * The HTTP server of one worker: the uWebSockets.js app, its routes and
 * graceful close. What a path answers is key-handler.ts; what a file
 * response sends, content.ts; function routes, functions.ts.
 *
 * Request work is a lookup and one corked write of precomputed bytes:
 * writeStatus(block) sends the status line and every header in one native
 * call (see cache/headers.ts), end(body) sends Content-Length and the body.
 */
import type { FunctionRoute } from '../app/compile.js';
import type { CacheTable } from '../cache/table.js';
import { encodePath, resolveRequestPath } from '../http/path.js';
import type { DotfilePolicy } from '../setup/config.js';
import type { CheckedTls } from '../setup/tls.js';
import type { HttpRequest, HttpResponse, TemplatedApp, UwsModule, us_listen_socket } from '../setup/uws.js';
import { sendFixed } from './content.js';
import { createFunctionContext } from './function-context.js';
import { serveFunction } from './functions.js';
import { createKeyHandler, type Functions, type KeyHandler } from './key-handler.js';
import { createApp, listen, listenRedirect } from './listen.js';
import type { Handler, HandlerWrapper } from './observe.js';
import { closeConnectionsAfterResponses, createStreamTracker, isClosingConnections, type StreamTracker } from './stream.js';

export interface ServerOptions {
  readonly host: string;
  readonly port: number;
  /** Wraps every handler (access log, metrics); null: handlers run bare. */
  readonly observe: HandlerWrapper | null;
  /** Unknown extension-less paths serve /index.html. */
  readonly spa: boolean;
  readonly dotfiles: DotfilePolicy;
  /** Certificate files (checked by checkTls): serve HTTPS. null = plain HTTP. */
  readonly tls: CheckedTls | null;
  /** Port of the plain-HTTP listener that redirects to https:// (needs tls), or null. */
  readonly httpPort: number | null;
  /** The library's function routes, by decoded path; null: none. */
  readonly functions: ReadonlyMap<string, FunctionRoute> | null;
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
export async function startServer(uws: UwsModule, table: CacheTable, options: ServerOptions): Promise<RunningServer> {
  const streams = createStreamTracker();
  const app = createApp(uws, options.tls);
  // `requests` is only counted while closing (see closeServer).
  const state = { table, requests: 0 };
  const functions = options.functions === null ? null : { routes: options.functions, context: createFunctionContext(table, streams) };
  const serveKey = createKeyHandler(state, options, streams, functions);
  const wrap = options.observe ?? ((handler: Handler): Handler => handler);
  const routes = new Set<string>();
  if (functions !== null) addFunctionRoutes(app, routes, functions, state, wrap);
  const addRoutes = (next: CacheTable): void => {
    for (const key of next.files.keys()) addRoute(app, routes, key, serveKey, wrap);
  };
  addRoutes(table);
  const misses = wrapMissHandlers(createMissHandlers(state, serveKey, functions), wrap);
  addMissRoutes(app, misses);
  addSniRoutes(app, options.tls, misses);
  const token = await listen(app, options.host, options.port, '');
  const port = uws.us_socket_local_port(token);
  const tokens = [token];
  if (options.httpPort !== null) tokens.push(await listenRedirect(uws, token, options.host, options.httpPort, port));
  return {
    port,
    get table() {
      return state.table;
    },
    setTable(next) {
      addRoutes(next);
      state.table = next;
    },
    close: (timeoutMs) => closeServer(uws, tokens, streams, state, timeoutMs),
  };
}

type RouteHandler = (res: HttpResponse, req: HttpRequest) => void;

/** Everything the per-key routes do not take: HEAD, other methods, other encodings of a path. */
interface MissHandlers {
  readonly get: RouteHandler;
  readonly head: RouteHandler;
  /** Any other method: OPTIONS or 405. */
  readonly other: RouteHandler;
}

function createMissHandlers(state: { table: CacheTable; requests: number }, serveKey: KeyHandler, functions: Functions | null): MissHandlers {
  const serveUrl = (res: HttpResponse, req: HttpRequest, isHead: boolean): void => {
    const key = resolveRequestPath(req.getUrl());
    if (key === null) sendFixed(res, state.table.fixed.badRequest, isHead);
    else serveKey(res, req, key, isHead);
  };
  return {
    get: (res, req) => serveUrl(res, req, false),
    head: (res, req) => serveUrl(res, req, true),
    other(res, req) {
      if (isClosingConnections) state.requests++;
      if (functions !== null) {
        // Another spelling of a function route's path (`%`-escapes, `//`): the route takes every method.
        const key = resolveRequestPath(req.getUrl());
        const route = key === null ? undefined : functions.routes.get(key);
        if (route !== undefined) return serveFunction(res, req, route, null, functions.context);
      }
      const isOptions = req.getMethod() === 'options';
      sendFixed(res, isOptions ? state.table.fixed.options : state.table.fixed.methodNotAllowed, false);
    },
  };
}

/** The miss handlers with the access log / metrics wrapper (identity when both are off). */
function wrapMissHandlers(misses: MissHandlers, wrap: HandlerWrapper): MissHandlers {
  return { get: wrap(misses.get), head: wrap(misses.head), other: wrap(misses.other) };
}

/**
 * GET and HEAD get catch-alls of their own: uWS's router has matched the
 * method already (a method route beats any(), a per-key route beats
 * '/*'), so a 404 needs no getMethod() string (bench/NOTES.md,
 * "Instructions per request").
 */
function addMissRoutes(app: TemplatedApp, misses: MissHandlers): void {
  app.get('/*', misses.get);
  app.head('/*', misses.head);
  app.any('/*', misses.other);
}

/**
 * uWS gives every server name its own, empty router: a connection whose SNI
 * matched one is routed there only. Each gets the catch-all (not the
 * per-key routes: SNI hosts take the catch-all's few hundred nanoseconds
 * more per request). domain('') goes back to the default router, where
 * routes for new files are added later. uWS 20.30 prints a line on stdout
 * for each domain() call; the primary drops those lines.
 */
function addSniRoutes(app: TemplatedApp, tls: CheckedTls | null, misses: MissHandlers): void {
  if (tls === null || tls.sni.length === 0) return;
  for (const { name } of tls.sni) addMissRoutes(app.domain(name), misses);
  app.domain('');
}

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
function addRoute(app: TemplatedApp, routes: Set<string>, key: string, serveKey: KeyHandler, wrap: HandlerWrapper): void {
  const pattern = encodePath(key);
  if (routes.has(pattern) || pattern.includes('/:') || pattern.includes('*')) return;
  routes.add(pattern);
  app.get(pattern, wrap((res, req) => serveKey(res, req, key, false), pattern));
}

/**
 * Each function route gets GET, HEAD and any-method routes of its own (the
 * method is then known without asking for GET and HEAD); their patterns
 * are reserved, so no file route takes them later.
 */
function addFunctionRoutes(
  app: TemplatedApp,
  routes: Set<string>,
  functions: Functions,
  state: { requests: number },
  wrap: HandlerWrapper,
): void {
  for (const route of functions.routes.values()) {
    const pattern = encodePath(route.key);
    if (routes.has(pattern) || pattern.includes('/:') || pattern.includes('*')) continue;
    routes.add(pattern);
    const serve = (isHead: boolean | null): Handler => (res, req) => {
      if (isClosingConnections) state.requests++;
      serveFunction(res, req, route, isHead, functions.context);
    };
    app.get(pattern, wrap(serve(false)));
    app.head(pattern, wrap(serve(true)));
    app.any(pattern, wrap(serve(null)));
  }
}

function closeServer(
  uws: UwsModule,
  tokens: readonly us_listen_socket[],
  streams: StreamTracker,
  state: { requests: number },
  timeoutMs: number,
): Promise<void> {
  for (const token of tokens) uws.us_listen_socket_close(token);
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

