/**
 * Fixed responses (errors, OPTIONS, redirects), built once at start-up like
 * file entries, so the miss path never builds strings either.
 */
import { copyToArrayBuffer, decodeLatin1 } from './bytes.js';
import { buildHeaderBlock, type HeaderList } from './headers.js';

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

/** A 301 to the canonical (re-encoded) location of a directory. */
export class Redirect {
  constructor(
    /** Location without query. */
    readonly location: string,
    readonly block: ArrayBuffer,
    /** The block as text, to append `?query` (the only per-request string). */
    readonly text: string,
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

export function buildRedirect(location: string): Redirect {
  const block = buildHeaderBlock('301 Moved Permanently', [['Location', location]]);
  return new Redirect(location, block, decodeLatin1(block));
}

/** The fixed responses every server needs; `notFoundBody` may be 404.html. */
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

export function buildFixedResponses(
  notFoundBody: Buffer | null,
  extra: HeaderList,
  optionsHeaders: HeaderList,
): FixedResponses {
  const nosniff: HeaderList = [['X-Content-Type-Options', 'nosniff'], ...extra];
  const allow: HeaderList = [['Allow', ALLOW], ...nosniff];
  const error = (status: string): FixedResponse => buildFixedResponse(status, buildErrorPage(status), nosniff);
  return {
    badRequest: error('400 Bad Request'),
    forbidden: error('403 Forbidden'),
    notAcceptable: error('406 Not Acceptable'),
    notFound: buildFixedResponse('404 Not Found', notFoundBody ?? buildErrorPage('404 Not Found'), [
      ['Cache-Control', 'no-cache'],
      ...nosniff,
    ]),
    methodNotAllowed: buildFixedResponse('405 Method Not Allowed', buildErrorPage('405 Method Not Allowed'), allow),
    preconditionFailed: error('412 Precondition Failed'),
    unavailable: buildFixedResponse('503 Service Unavailable', buildErrorPage('503 Service Unavailable'), [
      ['Retry-After', '1'],
      ...nosniff,
    ]),
    options: buildFixedResponse('204 No Content', Buffer.alloc(0), [...allow, ...optionsHeaders]),
  };
}
