/**
 * From what a route gives (a body, a response object, undefined) to the
 * parts of an HTTP response: status, headers, type, bytes. Pure; used when
 * fixed routes are compiled at start and for each function route result.
 */
import { STATUS_CODES } from 'node:http';
import { getContentType } from '../setup/mime.js';
import type { RouteResponse } from './types.js';

/** A route or a result that cannot be sent; the message names what is wrong. */
export class RouteError extends Error {}

export type HeaderPair = readonly [name: string, value: string];

export interface ResponseParts {
  readonly status: number;
  /** Validated; without Content-Type (see contentType). */
  readonly headers: readonly HeaderPair[];
  /** The type of `body`; null when there is no body. */
  readonly contentType: string | null;
  /** null: no body at all (204, 304). */
  readonly body: Buffer | null;
}

const TEXT = 'text/plain; charset=utf-8';
const BYTES = 'application/octet-stream';
const JSON_TYPE = 'application/json; charset=utf-8';
const RESPONSE_KEYS: ReadonlySet<string> = new Set(['status', 'headers', 'body']);

/** Headers a route cannot set: the server frames the message itself (RFC 9110 §6, RFC 9112 §6). */
export const FRAMING_HEADERS: ReadonlySet<string> = new Set([
  'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer',
  'date', 'content-encoding', 'content-range',
]);

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `{ status, headers?, body? }` and nothing else: a response, not JSON data. */
export function isRouteResponse(value: unknown): value is RouteResponse {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || isBytes(value)) return false;
  if (typeof (value as { status?: unknown }).status !== 'number') return false;
  for (const key of Object.keys(value)) if (!RESPONSE_KEYS.has(key)) return false;
  return true;
}

function isBytes(value: unknown): value is Uint8Array | ArrayBuffer {
  return value instanceof Uint8Array || value instanceof ArrayBuffer;
}

/**
 * The response parts of `value`; `typeByName` is the type of the route's
 * path by its extension (getTypeByName), which text and bytes take.
 */
export function toResponseParts(value: unknown, typeByName: string | null): ResponseParts {
  if (value === undefined) return { status: 204, headers: [], contentType: null, body: null };
  if (!isRouteResponse(value)) return { status: 200, headers: [], ...encodeBody(value, typeByName) };
  const status = checkStatus(value.status);
  const headers = checkHeaders(value.headers);
  const hasNoBody = status === 204 || status === 304;
  if (hasNoBody && value.body !== undefined) throw new RouteError(`a ${status} response has no body`);
  const typeHeader = headers.find(([name]) => name.toLowerCase() === 'content-type');
  const rest = typeHeader === undefined ? headers : headers.filter((h) => h !== typeHeader);
  if (hasNoBody) return { status, headers: rest, contentType: null, body: null };
  const encoded = value.body === undefined ? { contentType: null, body: EMPTY } : encodeBody(value.body, typeByName);
  return { status, headers: rest, contentType: typeHeader?.[1] ?? encoded.contentType, body: encoded.body };
}

const EMPTY = Buffer.alloc(0);

function encodeBody(value: unknown, typeByName: string | null): { contentType: string; body: Buffer } {
  if (typeof value === 'string') return { contentType: typeByName ?? TEXT, body: Buffer.from(value) };
  if (Buffer.isBuffer(value)) return { contentType: typeByName ?? BYTES, body: value };
  if (value instanceof Uint8Array) return { contentType: typeByName ?? BYTES, body: Buffer.from(value.buffer, value.byteOffset, value.byteLength) };
  if (value instanceof ArrayBuffer) return { contentType: typeByName ?? BYTES, body: Buffer.from(value) };
  if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
    throw new RouteError(`cannot send a ${typeof value} as a body (give a string, bytes, or a value JSON can encode)`);
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new RouteError(`cannot encode the body as JSON: ${(error as Error).message}`);
  }
  if (text === undefined) throw new RouteError('cannot encode the body as JSON');
  return { contentType: JSON_TYPE, body: Buffer.from(text) };
}

/** The type of a name with an extension (`/robots.txt`), or null for `/`, `/api/time`. */
export function getTypeByName(key: string): string | null {
  const slash = key.lastIndexOf('/');
  const dot = key.lastIndexOf('.');
  return dot > slash + 1 ? getContentType(key) : null;
}

function checkStatus(status: number): number {
  if (!Number.isInteger(status) || status < 200 || status > 599) {
    throw new RouteError(`status ${status} is not a final status code (an integer from 200 to 599)`);
  }
  return status;
}

/** Names are tokens, values one line of Latin-1; framing headers are the server's. */
function checkHeaders(headers: unknown): HeaderPair[] {
  if (headers === undefined) return [];
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    throw new RouteError('headers must be an object of "Name": "value" strings');
  }
  const pairs: HeaderPair[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name)) throw new RouteError(`invalid header name ${JSON.stringify(name)}`);
    if (typeof value !== 'string' || !/^[\t\x20-\x7e\x80-\xff]*$/.test(value)) {
      throw new RouteError(`header ${name} must be a one-line string`);
    }
    if (FRAMING_HEADERS.has(name.toLowerCase())) throw new RouteError(`header ${name} is set by the server`);
    pairs.push([name, value]);
  }
  return pairs;
}

/** `204 No Content`: the status line text uWS is given. */
export function formatStatusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? 'Unknown'}`;
}
