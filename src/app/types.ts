/**
 * Routes of the library API: what a program gives `serve({ routes })`.
 * Types only.
 */

/** A body: text (UTF-8), bytes, or a value sent as JSON. */
export type RouteBody = string | Uint8Array | ArrayBuffer | JsonValue;

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue | undefined };

/**
 * A response written out. An object is read this way only when it has a
 * numeric `status` and no keys but `status`, `headers` and `body`; any other
 * object is JSON. To send JSON that looks like this, put it in `body`.
 */
export interface RouteResponse {
  /** 200 unless given; 200–599. 204 and 304 carry no body. */
  readonly status: number;
  /** Header names as sent; Content-Type replaces the one fastsrv would pick. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: RouteBody;
}

/** What a handler may return: a body, a response, or undefined (204 No Content). */
export type RouteResult = RouteBody | RouteResponse | undefined | void;

/**
 * The request a handler sees. It stays valid across the handler's awaits;
 * a handler that answers synchronously must read it before returning.
 */
export interface RouteRequest {
  /** Upper case, as sent: `GET`, `POST`… (HEAD requests run the GET handler). */
  readonly method: string;
  /** The decoded path, e.g. `/api/a b`. */
  readonly path: string;
  /** The query string after `?`, parsed (empty when there is none). */
  readonly query: URLSearchParams;
  readonly headers: RequestHeaders;
  /** The request body (empty for GET and HEAD), at most 1 MiB: larger ones are answered 413. */
  readonly body: Buffer;
}

export interface RequestHeaders {
  /**
   * A header's value, or null when it is absent or empty; names in any
   * case. A repeated header reads as its first value (as uWebSockets.js
   * gives it).
   */
  get(name: string): string | null;
}

export type RouteHandler = (request: RouteRequest) => RouteResult | Promise<RouteResult>;

/** HTTP methods a route can take handlers for. */
export type RouteMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** Handlers by method: other methods get 405 with Allow. GET also answers HEAD. */
export type MethodHandlers = { readonly [M in RouteMethod]?: RouteHandler };

/**
 * A route: a fixed body or response (built once, served like a cached file:
 * ETag, 304, HEAD, ranges, compression), a function run per request, or
 * functions by method.
 */
export type RouteValue = RouteBody | RouteResponse | RouteHandler | MethodHandlers;

/** Decoded paths (`/`, `/api/time`) to routes. */
export type Routes = Readonly<Record<string, RouteValue>>;
