/**
 * Compare a fastsrv reply with an nginx reply to the same request, field by
 * field, and separate the differences a table allows from the rest.
 */
import { createHash } from 'node:crypto';
import type { Reply } from '../helpers/server.js';

/** Headers compared on 2xx, 3xx, 404, 412 and 416 replies (ETag: presence only). */
export const COMPARED_HEADERS = [
  'content-type',
  'content-length',
  'content-range',
  'content-encoding',
  'location',
  'last-modified',
  'etag',
  'vary',
  'cache-control',
  'accept-ranges',
  'x-content-type-options',
] as const;

export type Field = 'status' | 'body' | (typeof COMPARED_HEADERS)[number];
/** A field value: a header value, the status, the body as latin1 text; null when absent. */
export type Value = string | number | null;
/** What an allowed difference expects on one side: exact, a pattern, or null (absent). */
export type Expected = string | number | RegExp | null;

export interface AllowedDifference {
  /** Corpus request names, or '*' for every request. */
  readonly requests: readonly string[] | '*';
  /** Applies only when both servers answered this status. */
  readonly status?: number;
  /** Per field: [what fastsrv sends, what nginx sends]. */
  readonly fields: Readonly<Partial<Record<Field, readonly [fastsrv: Expected, nginx: Expected]>>>;
  readonly reason: string;
}

/** One field of one table entry, as matched by a difference. */
export interface AllowedUse {
  readonly allowed: AllowedDifference;
  readonly field: Field;
}

export interface Difference {
  readonly field: Field;
  readonly fastsrv: Value;
  readonly nginx: Value;
}

export interface Comparison {
  /** Differences no table entry allows: the test fails on any. */
  readonly unexpected: readonly Difference[];
  /** Table entries (and which of their fields) that matched a difference. */
  readonly used: readonly AllowedUse[];
}

const MULTIPART = /^multipart\/byteranges; boundary=(\S+)$/;

/**
 * The comparable view of a reply. Multipart bodies get their boundary (random
 * in both servers, of different lengths) replaced by `BOUNDARY`, and their
 * Content-Length recomputed when it was right for the raw body.
 */
export function normalizeReply(reply: Reply): Map<Field, Value> {
  const fields = new Map<Field, Value>([['status', reply.status]]);
  for (const name of COMPARED_HEADERS) {
    const value = reply.headers[name];
    fields.set(name, value === undefined ? null : name === 'etag' ? 'present' : String(value));
  }
  let body = reply.body.toString('latin1');
  const boundary = MULTIPART.exec(String(fields.get('content-type')))?.[1];
  if (boundary !== undefined) {
    body = body.split(boundary).join('BOUNDARY');
    fields.set('content-type', 'multipart/byteranges; boundary=BOUNDARY');
    if (fields.get('content-length') === String(reply.body.length)) fields.set('content-length', String(body.length));
  }
  fields.set('body', body);
  return fields;
}

/** Which fields are compared, given the (equal) status of both replies. */
function listComparedFields(status: number): Field[] {
  const fields: Field[] = [];
  const hasHeaders = (status >= 200 && status < 400) || status === 404 || status === 412 || status === 416;
  if (hasHeaders) fields.push(...COMPARED_HEADERS);
  // Error pages differ by design (their HTML); the root's 404.html is one file served by both.
  if (status < 400 || status === 404) fields.push('body');
  return fields;
}

function matches(expected: Expected, actual: Value): boolean {
  if (expected instanceof RegExp) return actual !== null && expected.test(String(actual));
  return expected === actual;
}

function appliesTo(allowed: AllowedDifference, name: string, status: number, difference: Difference): boolean {
  const expected = allowed.fields[difference.field];
  return (
    expected !== undefined &&
    (allowed.status === undefined || allowed.status === status) &&
    (allowed.requests === '*' || allowed.requests.includes(name)) &&
    matches(expected[0], difference.fastsrv) &&
    matches(expected[1], difference.nginx)
  );
}

/**
 * Compare two replies to request `name`. When the statuses differ only the
 * status is compared (the rest follows from it).
 */
export function compareResponses(
  name: string,
  fastsrv: Reply,
  nginx: Reply,
  allowedDifferences: readonly AllowedDifference[],
): Comparison {
  const a = normalizeReply(fastsrv);
  const b = normalizeReply(nginx);
  const fields: Field[] = fastsrv.status === nginx.status ? ['status', ...listComparedFields(fastsrv.status)] : ['status'];
  const status = fastsrv.status === nginx.status ? fastsrv.status : -1;
  const unexpected: Difference[] = [];
  const used: AllowedUse[] = [];
  for (const field of fields) {
    const difference: Difference = { field, fastsrv: a.get(field) ?? null, nginx: b.get(field) ?? null };
    if (difference.fastsrv === difference.nginx) continue;
    const allowed = allowedDifferences.find((d) => appliesTo(d, name, status, difference));
    if (allowed === undefined) unexpected.push(difference);
    else used.push({ allowed, field });
  }
  return { unexpected, used };
}

/** A short, printable form of a value: long bodies as length, hash and a prefix. */
export function describeValue(field: Field, value: Value): string {
  if (field !== 'body' || value === null || typeof value === 'number' || value.length <= 120) return JSON.stringify(value);
  const hash = createHash('sha1').update(value, 'latin1').digest('hex').slice(0, 12);
  return `${value.length} bytes, sha1 ${hash}, starts ${JSON.stringify(value.slice(0, 60))}`;
}

/** Both replies and the unexpected differences, for a failure message. */
export function formatFailure(request: string, fastsrv: Reply, nginx: Reply, unexpected: readonly Difference[]): string {
  const lines = [`${request}: ${unexpected.length} difference(s) not in ALLOWED_DIFFERENCES`];
  for (const d of unexpected) {
    lines.push(`  ${d.field}: fastsrv ${describeValue(d.field, d.fastsrv)} | nginx ${describeValue(d.field, d.nginx)}`);
  }
  for (const [label, reply] of [['fastsrv', fastsrv], ['nginx', nginx]] as const) {
    const fields = normalizeReply(reply);
    lines.push(`  --- ${label} ${reply.status}`);
    for (const name of COMPARED_HEADERS) {
      if (reply.headers[name] !== undefined) lines.push(`    ${name}: ${reply.headers[name]}`);
    }
    lines.push(`    body: ${describeValue('body', fields.get('body') ?? null)}`);
  }
  return lines.join('\n');
}
