/**
 * Compile the library's routes at start: fixed ones into the same
 * precomputed entries as files (a 200 body is a FileEntry: ETag, 304,
 * HEAD, ranges, compression) or fixed responses (other statuses); function
 * routes into a handler table with their 405 and OPTIONS answers. Setup
 * only; every mistake is a RouteError naming the route.
 */
import { hash } from 'node:crypto';
import { buildFileEntry, type FileEntry } from '../cache/entry.js';
import type { HeaderList } from '../cache/headers.js';
import { isCompressible, type HeaderPolicy } from '../cache/policy.js';
import { buildErrorPage, buildFixedResponse, type FixedResponse } from '../cache/responses.js';
import { resolveRequestPath } from '../http/path.js';
import { formatStatusLine, getTypeByName, isRouteResponse, RouteError, toResponseParts, type ResponseParts } from './result.js';
import type { RouteHandler, RouteMethod } from './types.js';

/** A route run per request. */
export class FunctionRoute {
  constructor(
    /** The decoded path it answers. */
    readonly key: string,
    /** The type of the path's extension (`/feed.xml`), which text and bytes results take; null: none. */
    readonly typeByName: string | null,
    /** Handlers by upper-case method; HEAD falls back to GET. */
    readonly handlers: ReadonlyMap<string, RouteHandler>,
    readonly methodNotAllowed: FixedResponse,
    /** The answer to OPTIONS when no handler takes it: 204 with Allow (and CORS preflight headers). */
    readonly options: FixedResponse,
  ) {}
}

export interface AppRoutes {
  /** Fixed 200 responses, served as entries under their key. */
  readonly entries: ReadonlyMap<string, FileEntry>;
  /** Fixed responses of any other status. */
  readonly responses: ReadonlyMap<string, FixedResponse>;
  readonly functions: ReadonlyMap<string, FunctionRoute>;
  /**
   * Every key, its kind and, for fixed routes, a hash of the bytes: a
   * cluster worker compiles its own routes and compares (they must match the
   * primary's, or workers would answer differently).
   */
  readonly signature: string;
}

export interface CompileOptions {
  /** The site's header policy: extra headers (--header, --cors), max-age, nosniff. */
  readonly policy: HeaderPolicy;
  /** Mark compressible bodies negotiable: compressed variants will be made. */
  readonly compress: boolean;
  /** Last-Modified of fixed routes (the same in every worker). */
  readonly mtimeMs: number;
  /** CORS preflight headers for OPTIONS answers, or none. */
  readonly optionsHeaders: HeaderList;
}

const METHODS: ReadonlySet<string> = new Set<RouteMethod>(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const NOSNIFF: HeaderList = [['X-Content-Type-Options', 'nosniff']];

/** Check and build `routes` (the object given to serve()). */
export function compileRoutes(routes: unknown, options: CompileOptions): AppRoutes {
  if (typeof routes !== 'object' || routes === null || Array.isArray(routes)) {
    throw new RouteError('routes must be an object of paths, e.g. { "/": "Hello, World!" }');
  }
  const entries = new Map<string, FileEntry>();
  const responses = new Map<string, FixedResponse>();
  const functions = new Map<string, FunctionRoute>();
  const signature: string[] = [];
  const seen = new Map<string, string>();
  for (const [given, value] of Object.entries(routes)) {
    const key = resolveRouteKey(given);
    const other = seen.get(key);
    if (other !== undefined) throw new RouteError(`routes "${other}" and "${given}" are the same path`);
    seen.set(key, given);
    try {
      const handlers = readHandlers(value);
      if (handlers !== null) {
        functions.set(key, buildFunctionRoute(key, handlers, options));
        signature.push(`${key} ${[...handlers.keys()].join(',')}`);
        continue;
      }
      const parts = toResponseParts(value, getTypeByName(key));
      if (parts.status === 200) entries.set(key, buildFixedEntry(key, parts, options));
      else responses.set(key, buildAppResponse(parts, options.policy));
      signature.push(`${key} ${parts.status} ${hash('sha1', parts.body ?? '', 'base64url')} ${JSON.stringify(parts.headers)}`);
    } catch (error) {
      if (!(error instanceof RouteError)) throw error;
      throw new RouteError(`route "${given}": ${error.message}`);
    }
  }
  return { entries, responses, functions, signature: signature.join('\n') };
}

/**
 * A route's path, given decoded (`/a b`) or percent-encoded (`/a%20b`): it
 * must start with `/` and have no `.` or `..` segments, no `//`, no query
 * or fragment.
 */
export function resolveRouteKey(given: string): string {
  if (!given.startsWith('/')) throw new RouteError(`route "${given}" must start with "/"`);
  if (given.includes('?') || given.includes('#')) throw new RouteError(`route "${given}": a path only, without "?" or "#"`);
  const key = resolveRequestPath(given);
  if (key === null) throw new RouteError(`route "${given}" is not a valid path (bad %-escape, NUL, backslash or ".." above the root)`);
  const segments = decodeURIComponent(given).split('/');
  if (segments.some((s, i) => s === '.' || s === '..' || (s === '' && i > 0 && i < segments.length - 1))) {
    throw new RouteError(`route "${given}" has "." or ".." segments or "//": give the path as clients ask for it`);
  }
  return key;
}

/** The handlers of a function route, by method; null for a fixed route. */
function readHandlers(value: unknown): Map<string, RouteHandler> | null {
  if (typeof value === 'function') return new Map([['GET', value as RouteHandler]]);
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return null;
  if (isRouteResponse(value)) return null;
  const entries = Object.entries(value);
  if (entries.length === 0 || !entries.some(([, v]) => typeof v === 'function')) return null;
  const handlers = new Map<string, RouteHandler>();
  for (const [method, handler] of entries) {
    if (!METHODS.has(method)) throw new RouteError(`"${method}" is not a method handlers can be given for (${[...METHODS].join(', ')})`);
    if (typeof handler !== 'function') throw new RouteError(`the ${method} handler is not a function`);
    handlers.set(method, handler as RouteHandler);
  }
  return handlers;
}

function buildFunctionRoute(key: string, handlers: ReadonlyMap<string, RouteHandler>, options: CompileOptions): FunctionRoute {
  const methods = new Set(handlers.keys());
  if (methods.has('GET')) methods.add('HEAD');
  methods.add('OPTIONS');
  const allow = [...METHODS].filter((m) => methods.has(m)).join(', ');
  const headers: HeaderList = [['Allow', allow], ...(options.policy.isNosniff ? NOSNIFF : []), ...options.policy.extraHeaders];
  return new FunctionRoute(
    key,
    getTypeByName(key),
    handlers,
    buildFixedResponse('405 Method Not Allowed', buildErrorPage('405 Method Not Allowed'), headers),
    buildFixedResponse('204 No Content', Buffer.alloc(0), [...headers, ...options.optionsHeaders]),
  );
}

/** A fixed 200: an entry like a file's, with the route's headers on top of the site's. */
function buildFixedEntry(key: string, parts: ResponseParts, options: CompileOptions): FileEntry {
  const cacheControl = parts.headers.find(([name]) => name.toLowerCase() === 'cache-control');
  for (const [name] of parts.headers) {
    if (ENTRY_HEADERS.has(name.toLowerCase())) throw new RouteError(`header ${name} is computed for fixed routes`);
  }
  const policy: HeaderPolicy = {
    ...options.policy,
    cacheControl: cacheControl?.[1] ?? options.policy.cacheControl,
    extraHeaders: [...options.policy.extraHeaders, ...parts.headers.filter((h) => h !== cacheControl)],
  };
  const body = parts.body!;
  const contentType = parts.contentType ?? 'application/octet-stream';
  const isNegotiable = options.compress && isCompressible(contentType, body.length);
  return buildFileEntry({ key, contentType, mtimeMs: options.mtimeMs }, body, { gzip: null, br: null }, isNegotiable, policy);
}

/** Headers a fixed 200 computes from its bytes. */
const ENTRY_HEADERS: ReadonlySet<string> = new Set(['etag', 'last-modified', 'vary', 'accept-ranges']);

function buildAppResponse(parts: ResponseParts, policy: HeaderPolicy): FixedResponse {
  const headers: HeaderList = [...parts.headers, ...(policy.isNosniff ? NOSNIFF : []), ...policy.extraHeaders];
  return buildFixedResponse(formatStatusLine(parts.status), parts.body ?? Buffer.alloc(0), headers, parts.contentType ?? undefined);
}
