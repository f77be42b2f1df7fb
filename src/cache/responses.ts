/**
 * Fixed responses (errors, OPTIONS, redirects), built once at start-up like
 * file entries, so the miss path never builds strings either.
 */
import { copyToArrayBuffer, decodeLatin1 } from './bytes.js';
import { buildHeaderBlock, type HeaderList } from './headers.js';
import type { HeaderPolicy } from './policy.js';

/** A complete response: head for GET, head for HEAD, body. */
export class FixedResponse {
  constructor(
    readonly block: ArrayBuffer,
    readonly headBlock: ArrayBuffer,
    readonly body: ArrayBuffer,
    /** The status code, for the access log and metrics. */
    readonly status: number,
  ) {}
}

/** A redirect with a fixed Location: a directory's canonical URL, a clean URL, a forced rule. */
export class Redirect {
  constructor(
    /** Location without query. */
    readonly location: string,
    readonly block: ArrayBuffer,
    /** The block as text, to append `?query` (the only per-request string). */
    readonly text: string,
    /** The status code, for the access log and metrics. */
    readonly status: number,
  ) {}
}

export const ALLOW = 'GET, HEAD, OPTIONS';

/** Build a response whose body is `body` (text/html unless given). */
export function buildFixedResponse(
  status: string,
  body: Buffer,
  headers: HeaderList = [],
  contentType = 'text/html; charset=utf-8',
): FixedResponse {
  const list: HeaderList = body.length > 0 ? [['Content-Type', contentType], ...headers] : headers;
  return new FixedResponse(
    buildHeaderBlock(status, list),
    buildHeaderBlock(status, [...list, ['Content-Length', String(body.length)]]),
    copyToArrayBuffer(body),
    Number(status.slice(0, 3)),
  );
}

/** The small HTML page nginx-style servers send with an error status. */
export function buildErrorPage(status: string): Buffer {
  return Buffer.from(`<!doctype html>\n<title>${status}</title>\n<h1>${status}</h1>\n`);
}

export function buildRedirect(location: string, status = '301 Moved Permanently'): Redirect {
  const block = buildHeaderBlock(status, [['Location', location]]);
  return new Redirect(location, block, decodeLatin1(block), Number(status.slice(0, 3)));
}

const NOSNIFF: HeaderList = [['X-Content-Type-Options', 'nosniff']];

/**
 * A 404 whose body is `body` (404.html, a `_redirects` 404 page, or the
 * default page) with the policy's extra headers. It stays `no-cache`
 * whatever Cache-Control a rule gives the page's own path: a missing URL
 * may exist a moment later.
 */
export function buildNotFoundResponse(body: Buffer | null, policy: HeaderPolicy): FixedResponse {
  return buildFixedResponse('404 Not Found', body ?? buildErrorPage('404 Not Found'), [
    ['Cache-Control', 'no-cache'],
    ...(policy.isNosniff ? NOSNIFF : []),
    ...policy.extraHeaders,
  ]);
}

/** The fixed responses every server needs; the 404 may carry 404.html. */
export interface FixedResponses {
  readonly badRequest: FixedResponse;
  readonly forbidden: FixedResponse;
  readonly notFound: FixedResponse;
  readonly notAcceptable: FixedResponse;
  readonly methodNotAllowed: FixedResponse;
  readonly preconditionFailed: FixedResponse;
  readonly unavailable: FixedResponse;
  readonly options: FixedResponse;
}

export function buildFixedResponses(notFound: FixedResponse, extra: HeaderList, optionsHeaders: HeaderList): FixedResponses {
  const nosniff: HeaderList = [...NOSNIFF, ...extra];
  const allow: HeaderList = [['Allow', ALLOW], ...nosniff];
  const error = (status: string): FixedResponse => buildFixedResponse(status, buildErrorPage(status), nosniff);
  return {
    badRequest: error('400 Bad Request'),
    forbidden: error('403 Forbidden'),
    notAcceptable: error('406 Not Acceptable'),
    notFound,
    methodNotAllowed: buildFixedResponse('405 Method Not Allowed', buildErrorPage('405 Method Not Allowed'), allow),
    preconditionFailed: error('412 Precondition Failed'),
    unavailable: buildFixedResponse('503 Service Unavailable', buildErrorPage('503 Service Unavailable'), [
      ['Retry-After', '1'],
      ...nosniff,
    ]),
    options: buildFixedResponse('204 No Content', Buffer.alloc(0), [...allow, ...optionsHeaders]),
  };
}
