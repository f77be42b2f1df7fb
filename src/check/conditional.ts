/** Validators and conditional GETs (RFC 9110 §8.8, §13). */
import { readHeader, sendRequest } from './http.js';
import { quoteBytes, type RawResponse } from './parse.js';
import { exchangeFollowed, formatRawRequest, type FollowedExchange } from './raw.js';
import { fail, pass, ProbeError, skip, warn, type Check, type CheckContext, type Target, type Verdict } from './types.js';

/** An entity-tag (RFC 9110 §8.8.3): optional `W/`, then a quoted string without `"`. */
const ETAG = /^(W\/)?"[\x21\x23-\x7e\x80-\xff]*"$/;
/** A tag no server can have produced. */
export const OTHER_ETAG = '"fastsrv-check-other"';
const NO_TARGET = skip('no 200 resource to probe');

/** Run `check` on the protocol target, or SKIP when there is none. */
export function onTarget(check: (context: CheckContext, target: Target) => Promise<Verdict>): Check['run'] {
  return async (context) => (context.target === undefined ? NO_TARGET : check(context, context.target));
}

export const CONDITIONAL_CHECKS: readonly Check[] = [
  { name: 'ETag present', run: onTarget(async (_, t) => judgeEtag(readHeader(t.headers, 'etag'))) },
  // Last-Modified is a SHOULD (RFC 9110 §8.8.2.1); Date a MUST for a server with a clock (§6.6.1).
  { name: 'Last-Modified present', run: onTarget(async (_, t) => judgeDate('Last-Modified', readHeader(t.headers, 'last-modified'), warn)) },
  { name: 'Date present', run: onTarget(async (_, t) => judgeDate('Date', readHeader(t.headers, 'date'), fail)) },
  {
    name: '304 on If-None-Match',
    run: onTarget(async (context, target) => {
      const etag = readHeader(target.headers, 'etag');
      if (etag === '') return skip('no ETag on the GET');
      return judgeNotModified(await sendConditional(context, target, `If-None-Match: ${etag}`), target);
    }),
  },
  {
    name: '200 on other If-None-Match',
    run: onTarget(async (context, target) => {
      const reply = await sendRequest(context, { path: target.path, headers: { 'if-none-match': OTHER_ETAG } });
      if (reply.status !== 200) return fail(`If-None-Match: ${OTHER_ETAG} → expected 200, got ${reply.status}`);
      if (!reply.body.equals(target.body)) return fail(`200 with ${reply.body.length} bytes, expected ${target.body.length}`);
      return pass(`If-None-Match: ${OTHER_ETAG} → 200 with the full body`);
    }),
  },
  {
    name: '304 on If-Modified-Since',
    run: onTarget(async (context, target) => {
      const lastModified = readHeader(target.headers, 'last-modified');
      if (lastModified === '') return skip('no Last-Modified on the GET');
      return judgeNotModified(await sendConditional(context, target, `If-Modified-Since: ${lastModified}`), target);
    }),
  },
  {
    // §13.1.3: a recipient MUST ignore If-Modified-Since when If-None-Match is present.
    name: 'If-None-Match overrides If-Modified-Since',
    run: onTarget(async (context, target) => {
      const lastModified = readHeader(target.headers, 'last-modified');
      if (lastModified === '') return skip('no Last-Modified on the GET');
      const headers = { 'if-none-match': OTHER_ETAG, 'if-modified-since': lastModified };
      const reply = await sendRequest(context, { path: target.path, headers });
      if (reply.status === 200) return pass('non-matching If-None-Match + current If-Modified-Since → 200');
      return fail(`non-matching If-None-Match + current If-Modified-Since → expected 200, got ${reply.status} (RFC 9110 §13.1.3)`);
    }),
  },
];

function judgeEtag(etag: string): Verdict {
  if (etag === '') return fail('no ETag header');
  if (!ETAG.test(etag)) return fail(`malformed ETag ${etag} (RFC 9110 §8.8.3 wants "…" or W/"…")`);
  return pass(`${etag.startsWith('W/') ? 'weak' : 'strong'} ETag ${etag}`);
}

function judgeDate(name: string, value: string, ifMissing: (detail: string) => Verdict): Verdict {
  if (value === '') return ifMissing(`no ${name} header`);
  if (Number.isNaN(Date.parse(value))) return fail(`${name}: ${value} is not an HTTP-date`);
  return pass(`${name}: ${value}`);
}

/** The conditional GET, then a plain GET on the same connection. */
export function sendConditional(context: CheckContext, target: Target, header: string): Promise<FollowedExchange> {
  const first = formatRawRequest('GET', target.path, context, [header]);
  return exchangeFollowed(context, first, 'GET', formatFollowUp(context, target));
}

/** The request sent after a HEAD or 304 to see whether the connection is still in sync. */
export function formatFollowUp(context: CheckContext, target: Target): string {
  return formatRawRequest('GET', target.path, context, ['Connection: close']);
}

function judgeNotModified(exchange: FollowedExchange, target: Target): Verdict {
  const { first } = exchange;
  if (first.status !== 304) return fail(`expected 304, got ${first.status}`);
  const problems: string[] = [];
  const etag = first.headers.get('etag');
  if (etag === undefined && readHeader(target.headers, 'etag') !== '') problems.push('no ETag in the 304 (RFC 9110 §15.4.5)');
  const length = first.headers.get('content-length');
  if (length !== undefined && length !== String(target.body.length)) {
    problems.push(`Content-Length: ${length} in the 304; the 200 has ${target.body.length} (RFC 9110 §8.6)`);
  }
  const wire = judgeFollowUp(exchange, target, 'the 304');
  if (wire.status === 'fail') problems.push(wire.detail);
  if (problems.length > 0) return fail(problems.join('; '));
  return pass(`304${etag === undefined ? '' : ` with ETag ${etag}`}, no body; ${wire.detail}`);
}

/**
 * Did the connection stay in sync after the first response? FAIL when bytes
 * followed it or the next response does not parse; PASS otherwise.
 */
export function judgeFollowUp(exchange: FollowedExchange, target: Target, what: string): Verdict {
  const { extra, second } = exchange;
  // The second request was sent only after the first response was read, so
  // any byte already waiting belongs to the first response: a leaked body.
  if (extra.length > 0) return fail(`${extra.length} bytes followed ${what} on the wire: ${quoteBytes(extra)}`);
  if (second instanceof ProbeError) {
    if (second.reason === 'closed') return pass(`server closed the connection after ${what}`);
    return fail(`next request on the connection after ${what}: ${second.message}`);
  }
  return judgeSecond(second, target, what);
}

function judgeSecond(second: RawResponse, target: Target, what: string): Verdict {
  if (second.status !== 200 || !second.body.equals(target.body)) {
    return fail(`next response after ${what} was ${second.status} with ${second.body.length} bytes, expected 200 with ${target.body.length}`);
  }
  return pass('next GET on the connection parsed cleanly');
}
