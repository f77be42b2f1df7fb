/**
 * The HTTP server of one worker: the uWebSockets.js app, its routes, the
 * miss path (dotfiles, redirects, SPA, 404) and graceful close. What a file
 * response sends is in content.ts.
 *
 * Request work is a lookup and one corked write of precomputed bytes:
 * writeStatus(block) sends the status line and every header in one native
 * call (see cache/headers.ts), end(body) sends Content-Length and the body.
 */
import type { CacheTable } from '../cache/table.js';
import type { DotfilePolicy } from '../setup/config.js';
import { sendFixed, serveEntry } from './content.js';
import { encodePath, hasDotSegment, resolveRequestPath } from '../http/path.js';
import type { Handler, HandlerWrapper } from './observe.js';
import { recordResponse } from './outcome.js';
import { createRedirectApp } from './redirect.js';
import { isRedirectStatus, REDIRECT_STATUS_TEXT } from '../rules/redirects-file.js';
import { findRule } from '../rules/route.js';
import { appendQuery, formatLocation, resolveTargetKey } from '../rules/target.js';
import {
  closeConnectionsAfterResponses,
  createStreamTracker,
  isClosingConnections,
  type StreamTracker,
} from './stream.js';
import type { CheckedTls } from '../setup/tls.js';
import type { FunctionRoute } from '../app/compile.js';
import { createFunctionContext } from './function-context.js';
import { serveFunction, type FunctionContext } from './functions.js';
import type { HttpRequest, HttpResponse, TemplatedApp, UwsModule, us_listen_socket } from '../setup/uws.js';

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

/** The --http-port listener; when it cannot listen, the HTTPS one (`token`) is closed too. */
async function listenRedirect(uws: UwsModule, token: us_listen_socket, host: string, httpPort: number, httpsPort: number): Promise<us_listen_socket> {
  try {
    return await listen(createRedirectApp(uws, httpsPort), host, httpPort, ' (--http-port)');
  } catch (error) {
    uws.us_listen_socket_close(token);
    throw error;
  }
}

/**
 * uWS App, or SSLApp with the default certificate and one server name per
 * SNI certificate. uWS reads the files; the worker checked them just before
 * (checkTls): addServerName crashes the process on a file it cannot load,
 * SSLApp throws without saying why.
 */
function createApp(uws: UwsModule, tls: CheckedTls | null): TemplatedApp {
  if (tls === null) return uws.App();
  let app: TemplatedApp;
  try {
    app = uws.SSLApp(tls.main);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`uWebSockets.js could not load certificate ${tls.main.cert_file_name} with key ${tls.main.key_file_name} (${reason})`);
  }
  for (const { name, files } of tls.sni) app.addServerName(name, files);
  return app;
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

function listen(app: TemplatedApp, host: string, port: number, what: string): Promise<us_listen_socket> {
  return new Promise((resolve, reject) => {
    app.listen(host, port, (token) => {
      if (token === false) reject(new Error(`cannot listen on ${host}:${port}${what}`));
      else resolve(token);
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
function addRoute(app: TemplatedApp, routes: Set<string>, key: string, serveKey: KeyHandler, wrap: HandlerWrapper): void {
  const pattern = encodePath(key);
  if (routes.has(pattern) || pattern.includes('/:') || pattern.includes('*')) return;
  routes.add(pattern);
  app.get(pattern, wrap((res, req) => serveKey(res, req, key, false), pattern));
}

/** The function routes and what they share. */
interface Functions {
  readonly routes: ReadonlyMap<string, FunctionRoute>;
  readonly context: FunctionContext;
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

/**
 * Serve a decoded key: the file; else the dotfile policy, a fixed redirect,
 * a fixed 404 (rule files, forced 404s), the first matching `_redirects`
 * rule, the SPA index, 404. A path with a file never looks at a rule.
 */
function createKeyHandler(
  state: { table: CacheTable; requests: number },
  options: ServerOptions,
  streams: StreamTracker,
  functions: Functions | null,
): KeyHandler {
  const isDotfileVisible = options.dotfiles === 'allow';
  const dotfileResponse = options.dotfiles === 'deny' ? 'forbidden' : 'notFound';
  return function serveKey(res, req, key, isHead) {
    if (isClosingConnections) state.requests++;
    const table = state.table;
    const entry = table.files.get(key);
    if (entry !== undefined) return serveEntry(res, req, entry, isHead, table, streams);
    const route = functions?.routes.get(key);
    if (route !== undefined) return serveFunction(res, req, route, isHead, functions!.context);
    const fixed = table.appResponses.get(key);
    if (fixed !== undefined) return sendFixed(res, fixed, isHead);
    if (!isDotfileVisible && hasDotSegment(key)) return sendFixed(res, table.fixed[dotfileResponse], isHead);
    const redirect = table.redirects.get(key);
    if (redirect !== undefined) {
      const query = req.getQuery();
      recordResponse(redirect.status, 0);
      res.writeStatus(query ? appendQuery(redirect.text, query) : redirect.block).end(undefined, isClosingConnections);
      return;
    }
    const notFound = table.notFoundRoutes.get(key);
    if (notFound !== undefined) return sendFixed(res, notFound, isHead);
    if (table.rules.redirects.length !== 0 && serveRule(res, req, key, isHead, table, streams)) return;
    const fallback = options.spa && isRouteLike(key) ? table.files.get('/') : undefined;
    if (fallback !== undefined) return serveEntry(res, req, fallback, isHead, table, streams);
    sendFixed(res, table.fixed.notFound, isHead);
  };
}

/**
 * The first `_redirects` rule matching a path without a file: a redirect
 * (the query kept), a rewrite (the target's file, under this URL) or a 404
 * page. False when no rule matches.
 */
function serveRule(res: HttpResponse, req: HttpRequest, key: string, isHead: boolean, table: CacheTable, streams: StreamTracker): boolean {
  const match = findRule(table.rules.redirects, key);
  if (match === null) return false;
  const { rule, captures } = match;
  if (isRedirectStatus(rule.status)) {
    const location = appendQuery(formatLocation(rule.to, captures), req.getQuery() ?? '');
    recordResponse(rule.status, 0);
    res.writeStatus(REDIRECT_STATUS_TEXT[rule.status] + '\r\nLocation: ' + location).end(undefined, isClosingConnections);
    return true;
  }
  const targetKey = resolveTargetKey(rule.to, captures);
  const target = rule.status === 200 ? table.files.get(targetKey) : undefined;
  if (target !== undefined) serveEntry(res, req, target, isHead, table, streams);
  else sendFixed(res, rule.status === 404 ? table.getNotFoundPage(targetKey) : table.fixed.notFound, isHead);
  return true;
}

/** A path that names an app route rather than a file: no dot in its last segment. */
function isRouteLike(key: string): boolean {
  return key.indexOf('.', key.lastIndexOf('/')) === -1;
}
