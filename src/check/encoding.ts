/** Content negotiation for compression (RFC 9110 §8.4, §12.5.3). */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { readHeader, sendRequest } from './http.js';
import { describeError, fail, pass, skip, type Check, type CheckContext, type Verdict } from './types.js';

const DECODERS = { gzip: gunzipSync, br: brotliDecompressSync } as const;
type Coding = keyof typeof DECODERS;

export const ENCODING_CHECKS: readonly Check[] = (Object.keys(DECODERS) as Coding[]).map((coding) => ({
  name: `Accept-Encoding: ${coding}`,
  run: (context: CheckContext) => checkCoding(context, coding),
}));

async function checkCoding(context: CheckContext, coding: Coding): Promise<Verdict> {
  const target = context.textTarget;
  if (target === undefined) return skip('no text resource (html, css, js, json, svg…) of 1 KiB to 1 MiB');
  const reply = await sendRequest(context, { path: target.path, headers: { 'accept-encoding': coding } });
  if (reply.status !== 200) return fail(`GET ${target.path} with Accept-Encoding: ${coding} → ${reply.status}`);
  const contentCoding = readHeader(reply.headers, 'content-encoding').toLowerCase();
  if (contentCoding === '' || contentCoding === 'identity') {
    return skip(`server did not compress ${target.path} (${target.body.length} bytes)`);
  }
  if (contentCoding !== coding) return fail(`Content-Encoding: ${contentCoding}, but the request accepted only ${coding}`);
  const problems: string[] = [];
  try {
    const decoded = DECODERS[coding](reply.body);
    if (!decoded.equals(target.body)) problems.push(`decodes to ${decoded.length} bytes that differ from the file (${target.body.length})`);
  } catch (error) {
    problems.push(`body does not decode as ${coding}: ${describeError(error)}`);
  }
  const vary = readHeader(reply.headers, 'vary');
  if (!/(^|,)\s*(accept-encoding|\*)\s*(,|$)/i.test(vary)) problems.push(`no Vary: Accept-Encoding (Vary: ${vary || 'absent'})`);
  const etag = readHeader(reply.headers, 'etag');
  const identityEtag = readHeader(target.headers, 'etag');
  // §8.8.3: a strong validator changes whenever the bytes do, and the
  // compressed bytes differ from the identity ones.
  if (etag !== '' && etag === identityEtag && !etag.startsWith('W/')) {
    problems.push(`strong ETag ${etag} shared with the identity response (RFC 9110 §8.8.3)`);
  }
  if (problems.length > 0) return fail(problems.join('; '));
  const ratio = ((reply.body.length / target.body.length) * 100).toFixed(0);
  return pass(`${target.path}: ${target.body.length} → ${reply.body.length} bytes (${ratio}%), decodes to the file, Vary ok, ETag ${etag || 'absent'}`);
}
