/** Range requests (RFC 9110 §14) and If-Range (§13.1.5). */
import { onTarget, OTHER_ETAG } from './conditional.js';
import { readHeader, sendRequest, type Reply } from './http.js';
import { fail, pass, skip, type Check, type CheckContext, type Target, type Verdict } from './types.js';

const EMPTY = skip('target is empty: no byte ranges to ask for');

export const RANGE_CHECKS: readonly Check[] = [
  {
    name: 'Range: bytes=0-99 → 206',
    run: onTarget(async (context, target) => {
      const size = target.body.length;
      if (size === 0) return EMPTY;
      const end = Math.min(99, size - 1);
      return judgeRange(await sendRange(context, target, `bytes=0-${end}`), target, 0, end);
    }),
  },
  {
    name: 'Range: bytes=-10 (last 10 bytes)',
    run: onTarget(async (context, target) => {
      const size = target.body.length;
      if (size === 0) return EMPTY;
      return judgeRange(await sendRange(context, target, 'bytes=-10'), target, Math.max(0, size - 10), size - 1);
    }),
  },
  {
    name: 'Range past the end → 416',
    run: onTarget(async (context, target) => {
      const size = target.body.length;
      if (size === 0) return EMPTY;
      const reply = await sendRange(context, target, `bytes=${size}-`);
      if (reply.status === 200) return judgeIgnoredRange(reply, target);
      if (reply.status !== 416) return fail(`Range: bytes=${size}- → expected 416, got ${reply.status}`);
      const contentRange = readHeader(reply.headers, 'content-range');
      const want = `bytes */${size}`;
      // §15.5.17: the server SHOULD send Content-Range; a wrong one misleads clients, a missing one does not.
      if (contentRange === '') return pass(`Range: bytes=${size}- → 416 (without Content-Range: ${want}, a SHOULD of RFC 9110 §15.5.17)`);
      if (contentRange !== want) return fail(`416 with Content-Range: ${contentRange}, expected ${want} (RFC 9110 §14.4)`);
      return pass(`Range: bytes=${size}- → 416, Content-Range: ${want}`);
    }),
  },
  {
    name: 'If-Range: current ETag → 206',
    run: onTarget(async (context, target) => {
      const etag = readHeader(target.headers, 'etag');
      if (etag === '') return skip('no ETag on the GET');
      if (etag.startsWith('W/')) return skip('ETag is weak; If-Range needs a strong validator (RFC 9110 §13.1.5)');
      const size = target.body.length;
      if (size === 0) return EMPTY;
      const end = Math.min(99, size - 1);
      return judgeRange(await sendRange(context, target, `bytes=0-${end}`, etag), target, 0, end);
    }),
  },
  {
    name: 'If-Range: stale ETag → 200',
    run: onTarget(async (context, target) => {
      if (target.body.length === 0) return EMPTY;
      const reply = await sendRange(context, target, 'bytes=0-9', OTHER_ETAG);
      if (reply.status === 206) return fail(`206: the range was served although If-Range: ${OTHER_ETAG} does not match (RFC 9110 §13.1.5)`);
      if (reply.status !== 200) return fail(`expected 200, got ${reply.status}`);
      if (!reply.body.equals(target.body)) return fail(`200 with ${reply.body.length} bytes, expected the full ${target.body.length}`);
      return pass(`If-Range: ${OTHER_ETAG} + Range → 200 with the full body`);
    }),
  },
];

function sendRange(context: CheckContext, target: Target, range: string, ifRange?: string): Promise<Reply> {
  const headers: Record<string, string> = { range };
  if (ifRange !== undefined) headers['if-range'] = ifRange;
  return sendRequest(context, { path: target.path, headers });
}

/** A 206 with exactly bytes `start`..`end` (inclusive) and a matching Content-Range. */
function judgeRange(reply: Reply, target: Target, start: number, end: number): Verdict {
  if (reply.status === 200) return judgeIgnoredRange(reply, target);
  if (reply.status !== 206) return fail(`expected 206, got ${reply.status}`);
  const size = target.body.length;
  const want = `bytes ${start}-${end}/${size}`;
  const contentRange = readHeader(reply.headers, 'content-range');
  if (contentRange !== want) return fail(`Content-Range: ${contentRange || '(none)'}, expected ${want}`);
  const expected = target.body.subarray(start, end + 1);
  if (!reply.body.equals(expected)) {
    return fail(`body: ${reply.body.length} bytes that differ from bytes ${start}-${end} of the file (${expected.length} bytes)`);
  }
  return pass(`206, Content-Range: ${want}, ${expected.length} bytes match`);
}

/**
 * A server MAY ignore Range (§14.2) and send 200; that is only wrong when
 * it advertised `Accept-Ranges: bytes` or the 200 is not the whole body.
 */
function judgeIgnoredRange(reply: Reply, target: Target): Verdict {
  if (!reply.body.equals(target.body)) return fail(`200 with ${reply.body.length} bytes, expected the full ${target.body.length}`);
  const acceptRanges = readHeader(target.headers, 'accept-ranges');
  if (/\bbytes\b/i.test(acceptRanges)) return fail('200: Range ignored although the GET sent Accept-Ranges: bytes');
  return skip(`server ignores Range (allowed by RFC 9110 §14.2; Accept-Ranges: ${acceptRanges || 'absent'})`);
}
