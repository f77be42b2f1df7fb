/**
 * A small HTTP/1.x response parser for bytes read from a raw socket. Pure:
 * a buffer in, one response (and how many bytes it used) out. It exists so
 * the checker can see what node:http would hide: bytes a server leaks after
 * a HEAD or 304 show up as a malformed next response.
 */

/** One parsed response. Header names are lower-case; repeats are joined with `, `. */
export interface RawResponse {
  readonly version: string;
  readonly status: number;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
  readonly isChunked: boolean;
}

export type ParseOutcome =
  | { readonly kind: 'complete'; readonly response: RawResponse; readonly consumed: number }
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'malformed'; readonly reason: string };

const MAX_HEADER_BYTES = 64 * 1024;
const INCOMPLETE = { kind: 'incomplete' } as const;
const STATUS_LINE = /^HTTP\/(\d\.\d) (\d{3})(?: .*)?$/;

/**
 * Parse the response at the start of `buf`. `method` decides whether a body
 * may follow (HEAD never has one, RFC 9110 §9.3.2); `isClosed` says the peer
 * closed, so a body without framing ends here (RFC 9112 §6.3, rule 8).
 */
export function parseResponse(buf: Buffer, method: string, isClosed: boolean): ParseOutcome {
  const prefix = buf.subarray(0, 5).toString('latin1');
  if (!'HTTP/'.startsWith(prefix)) return malformed(`expected "HTTP/", got ${quoteBytes(buf)}`);
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) {
    if (buf.length > MAX_HEADER_BYTES) return malformed('header block over 64 KiB');
    return isClosed ? malformed(`connection closed inside the header block: ${quoteBytes(buf)}`) : INCOMPLETE;
  }
  const lines = buf.subarray(0, headEnd).toString('latin1').split('\r\n');
  const statusMatch = STATUS_LINE.exec(lines[0]);
  if (!statusMatch) return malformed(`bad status line ${JSON.stringify(lines[0].slice(0, 60))}`);
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    if (colon <= 0) return malformed(`bad header line ${JSON.stringify(lines[i].slice(0, 60))}`);
    const name = lines[i].slice(0, colon).trim().toLowerCase();
    const value = lines[i].slice(colon + 1).trim();
    const previous = headers.get(name);
    headers.set(name, previous === undefined ? value : `${previous}, ${value}`);
  }
  const status = Number(statusMatch[2]);
  const bodyStart = headEnd + 4;
  const framed = readBody(buf, bodyStart, headers, hasNoBody(method, status), isClosed);
  if (framed.kind !== 'complete') return framed;
  const response: RawResponse = {
    version: statusMatch[1],
    status,
    headers,
    body: framed.body,
    isChunked: isChunkedTransfer(headers),
  };
  return { kind: 'complete', response, consumed: framed.end };
}

type BodyOutcome =
  | { readonly kind: 'complete'; readonly body: Buffer; readonly end: number }
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'malformed'; readonly reason: string };

/** Message body length rules of RFC 9112 §6.3, in order. */
function readBody(
  buf: Buffer,
  start: number,
  headers: ReadonlyMap<string, string>,
  isBodyless: boolean,
  isClosed: boolean,
): BodyOutcome {
  if (isBodyless) return { kind: 'complete', body: Buffer.alloc(0), end: start };
  if (isChunkedTransfer(headers)) return readChunked(buf, start);
  const lengthHeader = headers.get('content-length');
  if (lengthHeader !== undefined) {
    if (!/^\d+$/.test(lengthHeader)) return malformed(`bad Content-Length ${JSON.stringify(lengthHeader)}`);
    const end = start + Number(lengthHeader);
    if (buf.length < end) {
      return isClosed ? malformed(`connection closed after ${buf.length - start} of ${lengthHeader} body bytes`) : INCOMPLETE;
    }
    return { kind: 'complete', body: buf.subarray(start, end), end };
  }
  return isClosed ? { kind: 'complete', body: buf.subarray(start), end: buf.length } : INCOMPLETE;
}

/** Decode a chunked body (RFC 9112 §7.1); trailers are read and dropped. */
function readChunked(buf: Buffer, start: number): BodyOutcome {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', at);
    if (lineEnd < 0) return INCOMPLETE;
    const sizeText = buf.subarray(at, lineEnd).toString('latin1').split(';')[0].trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) return malformed(`bad chunk size ${JSON.stringify(sizeText.slice(0, 20))}`);
    const size = parseInt(sizeText, 16);
    at = lineEnd + 2;
    if (size === 0) break;
    if (buf.length < at + size + 2) return INCOMPLETE;
    parts.push(buf.subarray(at, at + size));
    if (buf[at + size] !== 13 || buf[at + size + 1] !== 10) return malformed('chunk not followed by CRLF');
    at += size + 2;
  }
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', at);
    if (lineEnd < 0) return INCOMPLETE;
    const isLast = lineEnd === at;
    at = lineEnd + 2;
    if (isLast) return { kind: 'complete', body: Buffer.concat(parts), end: at };
  }
}

/** HEAD, 1xx, 204 and 304 responses end at the header block (RFC 9112 §6.3, rule 1). */
function hasNoBody(method: string, status: number): boolean {
  return method === 'HEAD' || status < 200 || status === 204 || status === 304;
}

function isChunkedTransfer(headers: ReadonlyMap<string, string>): boolean {
  const coding = headers.get('transfer-encoding');
  return coding !== undefined && /(^|,)\s*chunked\s*$/i.test(coding);
}

function malformed(reason: string): { readonly kind: 'malformed'; readonly reason: string } {
  return { kind: 'malformed', reason };
}

/** The first bytes of `buf`, printable, for error messages. */
export function quoteBytes(buf: Buffer, max = 40): string {
  const text = buf.subarray(0, max).toString('latin1').replace(/[^\x20-\x7e]/g, (c) => {
    const code = c.charCodeAt(0);
    return code === 13 ? '\\r' : code === 10 ? '\\n' : `\\x${code.toString(16).padStart(2, '0')}`;
  });
  return `"${text}"${buf.length > max ? '…' : ''}`;
}
