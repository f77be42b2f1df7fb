/**
 * Function routes of the library API, per request: pick the handler by
 * method, give it a request view read before it runs (uWS's HttpRequest
 * lives only during the callback), write what it returns, synchronously or
 * when its promise settles (corked, and never after the client went away).
 * A handler that throws or rejects gets a fixed 500; the error is logged
 * once per route and message, never sent to the client.
 */
import { formatStatusLine, RouteError, toResponseParts, type ResponseParts } from '../app/result.js';
import { decodeLatin1 } from '../cache/bytes.js';
import type { FunctionRoute } from '../app/compile.js';
import type { FixedResponse } from '../cache/responses.js';
import type { RequestHeaders, RouteHandler, RouteRequest, RouteResult } from '../app/types.js';
import { sendFixed } from './content.js';
import { beginResponse, lastResponse, recordResponse, recordTransfer, type Transfer } from './outcome.js';
import { endWithoutBody, sendBody, type StreamTracker } from './stream.js';
import type { HttpRequest, HttpResponse } from '../setup/uws.js';

/** Request bodies above this are answered 413 and not read further. */
export const MAX_REQUEST_BODY = 1024 * 1024;

/** What every function route shares in one server. */
export interface FunctionContext {
  /** The site's extra header lines ("\r\nName: value"), nosniff included. */
  readonly extraHeaderText: string;
  readonly streams: StreamTracker;
  readonly internalError: FixedResponse;
  readonly payloadTooLarge: FixedResponse;
  /** The head of a 200 with only this Content-Type (the usual result), as bytes: built once per type. */
  getPlainHead(contentType: string): ArrayBuffer;
  /** Said once per route and message (stderr). */
  report(route: string, error: unknown): void;
}

/** Answer `route` for a request whose method uWS matched as GET/HEAD (isHead) or reads from `req` (null). */
export function serveFunction(res: HttpResponse, req: HttpRequest, route: FunctionRoute, isHead: boolean | null, ctx: FunctionContext): void {
  const method = isHead === true ? 'HEAD' : isHead === false ? 'GET' : req.getMethod().toUpperCase();
  const handler = route.handlers.get(method) ?? (method === 'HEAD' ? route.handlers.get('GET') : undefined);
  if (handler === undefined) return sendFixed(res, method === 'OPTIONS' ? route.options : route.methodNotAllowed, method === 'HEAD');
  const request = new RequestView(method, route.key, req.getQuery() ?? '', req);
  if (!hasBody(request)) return runHandler(res, handler, request, method === 'HEAD', route, ctx, null);
  request.detach();
  readBody(res, request, route, ctx, (pending) => runHandler(res, handler, request, false, route, ctx, pending));
}

/** GET and HEAD bodies are ignored; others have one when they say so (RFC 9112 §6.3). */
function hasBody(request: RequestView): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') return false;
  const length = request.headers.get('content-length');
  return request.headers.get('transfer-encoding') !== null || (length !== null && length !== '0');
}

/**
 * Run the handler. Without `pending` (the uWS callback is still running) a
 * plain value is written at once and a promise starts a pending response;
 * with it (the body was read first), everything is written as pending.
 */
function runHandler(
  res: HttpResponse,
  handler: RouteHandler,
  request: RequestView,
  isHead: boolean,
  route: FunctionRoute,
  ctx: FunctionContext,
  pending: Pending | null,
): void {
  let result: unknown;
  try {
    result = handler(request);
  } catch (error) {
    ctx.report(route.key, error);
    result = FAILED;
  }
  if (!isPromiseLike(result)) {
    request.close();
    if (pending === null) return writeResult(res, result, isHead, route, ctx);
    return finishPending(res, pending, result, isHead, route, ctx);
  }
  // The handler goes on after this uWS callback: keep what it may still read.
  request.detach();
  const waiting = pending ?? startPending(res);
  Promise.resolve(result).then(
    (value) => finishPending(res, waiting, value, isHead, route, ctx),
    (error: unknown) => {
      ctx.report(route.key, error);
      finishPending(res, waiting, FAILED, isHead, route, ctx);
    },
  );
}

/** What a handler that threw or rejected is answered with: the fixed 500. */
const FAILED = Symbol('failed');

/** A response written after the uWS callback returned: the observer sees a transfer whose status comes at the end. */
interface Pending {
  readonly transfer: Transfer;
  isAborted: boolean;
}

function startPending(res: HttpResponse): Pending {
  const pending: Pending = { transfer: { sent: 0, onEnd: null, status: 0 }, isAborted: false };
  res.onAborted(() => {
    pending.isAborted = true;
    pending.transfer.status = 499; // nginx's "client closed request"
    pending.transfer.onEnd?.(0);
  });
  recordTransfer(0, pending.transfer);
  return pending;
}

/** Write `value` corked, unless the client went away; report the outcome through the pending transfer. */
function finishPending(res: HttpResponse, pending: Pending, value: unknown, isHead: boolean, route: FunctionRoute, ctx: FunctionContext): void {
  if (pending.isAborted) return;
  res.cork(() => {
    beginResponse();
    writeResult(res, value, isHead, route, ctx);
    const outer = pending.transfer;
    const inner = lastResponse.transfer;
    outer.status = lastResponse.status;
    if (inner === null) outer.onEnd?.(lastResponse.bytes);
    else inner.onEnd = (sent) => outer.onEnd?.(sent);
  });
}

function writeResult(res: HttpResponse, value: unknown, isHead: boolean, route: FunctionRoute, ctx: FunctionContext): void {
  if (value === FAILED) return sendFixed(res, ctx.internalError, isHead);
  if (value === TOO_LARGE) {
    recordResponse(413, ctx.payloadTooLarge.body.byteLength);
    res.writeStatus(ctx.payloadTooLarge.block).end(ctx.payloadTooLarge.body, true);
    return;
  }
  let parts;
  try {
    parts = toResponseParts(value, route.typeByName);
  } catch (error) {
    ctx.report(route.key, error instanceof RouteError ? new RouteError(`returned what cannot be sent: ${error.message}`) : error);
    return sendFixed(res, ctx.internalError, isHead);
  }
  const isPlain = parts.status === 200 && parts.headers.length === 0 && parts.contentType !== null;
  const head = isPlain ? ctx.getPlainHead(parts.contentType!) : formatHead(parts, ctx.extraHeaderText);
  if (parts.body === null) return endWithoutBody(res, head, parts.status);
  if (isHead) return endWithoutBody(res, decodeHead(head) + '\r\nContent-Length: ' + parts.body.length, parts.status);
  sendBody(res, head, parts.body, ctx.streams, parts.status);
}

/** Status line, Content-Type, the route's and the site's headers: everything but the framing. */
export function formatHead(parts: ResponseParts, extraHeaderText: string): string {
  let head = formatStatusLine(parts.status);
  if (parts.contentType !== null) head += '\r\nContent-Type: ' + parts.contentType;
  for (const [name, text] of parts.headers) head += '\r\n' + name + ': ' + text;
  return head + extraHeaderText;
}

function decodeHead(head: string | ArrayBuffer): string {
  return typeof head === 'string' ? head : decodeLatin1(head);
}

/** Read the request body (at most MAX_REQUEST_BODY), then `run`; 413 beyond it, nothing after an abort. */
function readBody(res: HttpResponse, request: RequestView, route: FunctionRoute, ctx: FunctionContext, run: (pending: Pending) => void): void {
  const pending = startPending(res);
  const chunks: Buffer[] = [];
  let size = 0;
  res.onData((chunk, isLast) => {
    if (pending.isAborted || size > MAX_REQUEST_BODY) return;
    size += chunk.byteLength;
    if (size > MAX_REQUEST_BODY) {
      finishPending(res, pending, TOO_LARGE, false, route, ctx);
      return;
    }
    // The chunk is uWS's memory, valid only during this call.
    chunks.push(Buffer.from(chunk.slice(0)));
    if (!isLast) return;
    request.body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    run(pending);
  });
}

/** A request body over the limit: 413, and the connection closes (the rest is not read). */
const TOO_LARGE = Symbol('too large');

function isPromiseLike(value: unknown): value is PromiseLike<RouteResult> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * The request a handler sees. While the uWS callback runs, headers are
 * read from `req` as asked (one native call each); a handler that goes on
 * after it (a promise, or a body to read first) gets every header copied
 * before the callback returns. Repeated headers read as the first; empty
 * ones as null, in both cases.
 */
class RequestView implements RouteRequest {
  body: Buffer = EMPTY;
  readonly headers: RequestHeaders = this;
  private parsedQuery: URLSearchParams | null = null;
  private copied: Map<string, string> | null = null;
  private isClosed = false;

  constructor(
    readonly method: string,
    readonly path: string,
    private readonly queryText: string,
    private req: HttpRequest | null,
  ) {}

  get query(): URLSearchParams {
    return (this.parsedQuery ??= new URLSearchParams(this.queryText));
  }

  get(name: string): string | null {
    const lower = name.toLowerCase();
    if (this.req !== null) {
      const value = this.req.getHeader(lower);
      return value === '' ? null : value;
    }
    if (this.isClosed) throw new Error(`request header ${name} read after the handler returned its response: read it before returning`);
    return this.copied?.get(lower) ?? null;
  }

  /** Copy every header: the handler runs on after the uWS callback. */
  detach(): void {
    if (this.req === null) return;
    const copied = new Map<string, string>();
    this.req.forEach((name, value) => {
      if (value !== '' && !copied.has(name)) copied.set(name, value);
    });
    this.copied = copied;
    this.req = null;
  }

  /** The handler answered synchronously: `req` is about to go away. */
  close(): void {
    if (this.req === null) return;
    this.req = null;
    this.isClosed = true;
  }
}

const EMPTY: Buffer = Buffer.alloc(0);
