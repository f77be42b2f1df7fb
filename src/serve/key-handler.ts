/**
 * The key handler: what a decoded path answers, through a per-file route
 * or the catch-all: the file, a function or fixed route of the library,
 * the dotfile policy, redirects, `_redirects` rules, the SPA index, 404.
 */
import type { FunctionRoute } from '../app/compile.js';
import type { CacheTable } from '../cache/table.js';
import { hasDotSegment } from '../http/path.js';
import { isRedirectStatus, REDIRECT_STATUS_TEXT } from '../rules/redirects-file.js';
import { findRule } from '../rules/route.js';
import { appendQuery, formatLocation, resolveTargetKey } from '../rules/target.js';
import type { DotfilePolicy } from '../setup/config.js';
import type { HttpRequest, HttpResponse } from '../setup/uws.js';
import { sendFixed, serveEntry } from './content.js';
import { serveFunction, type FunctionContext } from './functions.js';
import { recordResponse } from './outcome.js';
import { isClosingConnections, type StreamTracker } from './stream.js';

export type KeyHandler = (res: HttpResponse, req: HttpRequest, key: string, isHead: boolean) => void;

/** The function routes and what they share. */
export interface Functions {
  readonly routes: ReadonlyMap<string, FunctionRoute>;
  readonly context: FunctionContext;
}

/**
 * Serve a decoded key: the file; else the dotfile policy, a fixed redirect,
 * a fixed 404 (rule files, forced 404s), the first matching `_redirects`
 * rule, the SPA index, 404. A path with a file never looks at a rule.
 */
export function createKeyHandler(
  state: { table: CacheTable; requests: number },
  options: { readonly spa: boolean; readonly dotfiles: DotfilePolicy },
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
