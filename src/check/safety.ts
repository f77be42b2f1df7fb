/** Requests a static server must refuse: missing paths, traversal, other methods. */
import { randomBytes } from 'node:crypto';
import { readHeader, sendRequest } from './http.js';
import { quoteBytes } from './parse.js';
import { exchangeRaw, formatRawRequest } from './raw.js';
import { fail, pass, ProbeError, warn, type Check, type CheckContext, type Verdict } from './types.js';

/** Deep enough to climb out of any realistic document root. */
const UP = 8;
const TRAVERSALS: readonly (readonly [label: string, path: string])[] = [
  ['../', `${'../'.repeat(UP)}etc/passwd`],
  ['%2e%2e/', `${'%2e%2e/'.repeat(UP)}etc/passwd`],
  ['..%2f', `${'..%2f'.repeat(UP)}etc/passwd`],
  ['%2e%2e%5c', `${'%2e%2e%5c'.repeat(UP)}etc/passwd`],
];
/** The start of every /etc/passwd; its presence in a body means the file leaked. */
const PASSWD_MARK = 'root:';

export const SAFETY_CHECKS: readonly Check[] = [
  { name: 'missing path → 404', run: checkMissing },
  ...TRAVERSALS.map(([label, path]): Check => ({
    name: `traversal: ${label}`,
    run: (context) => checkTraversal(context, context.basePath + path),
  })),
  { name: 'POST → 405', run: checkPost },
  { name: 'OPTIONS', run: checkOptions },
];

async function checkMissing(context: CheckContext): Promise<Verdict> {
  const path = `${context.basePath}__fastsrv_check_missing__${randomBytes(6).toString('hex')}`;
  const reply = await sendRequest(context, { path });
  if (reply.status === 404) return pass(`GET ${path} → 404`);
  return fail(`GET ${path} → expected 404, got ${reply.status}`);
}

/** Sent over a raw socket so that no client library normalises the `..` away. */
async function checkTraversal(context: CheckContext, path: string): Promise<Verdict> {
  const request = formatRawRequest('GET', path, context, ['Connection: close']);
  let response;
  try {
    response = await exchangeRaw(context, request, 'GET');
  } catch (error) {
    if (error instanceof ProbeError && error.reason === 'closed') return pass(`${path}: connection closed without a response (refused)`);
    throw error;
  }
  const { status, body } = response;
  if (body.includes(PASSWD_MARK)) {
    return fail(`SECURITY: ${path} → ${status} and the body looks like /etc/passwd: ${quoteBytes(body, 60)}`);
  }
  if (status >= 400 && status < 500) return pass(`${path} → ${status}`);
  if (status >= 300 && status < 400) return pass(`${path} → ${status} to ${response.headers.get('location') ?? '(no Location)'}, not served`);
  return fail(`${path} → expected a 4xx, got ${status} with ${body.length} bytes`);
}

async function checkPost(context: CheckContext): Promise<Verdict> {
  const path = context.target?.path ?? context.basePath;
  const reply = await sendRequest(context, {
    method: 'POST',
    path,
    headers: { 'content-type': 'text/plain' },
    body: 'fastsrv check',
  });
  const allow = readHeader(reply.headers, 'allow');
  const allowNote = allow === '' ? '' : `, Allow: ${allow}`;
  if (reply.status === 405) return pass(`POST ${path} → 405${allowNote}`);
  if (reply.status === 403 || reply.status === 404 || reply.status === 501) {
    return pass(`POST ${path} → ${reply.status} (405 is the precise answer, RFC 9110 §15.5.6; refusing is what matters)`);
  }
  if (reply.status >= 200 && reply.status < 300) {
    return warn(`POST ${path} → ${reply.status}: served like a GET (405 is the usual answer for a static file, RFC 9110 §15.5.6)`);
  }
  return fail(`POST ${path} → expected 405, got ${reply.status}`);
}

/** Informative: report what came back; only a server error fails. */
async function checkOptions(context: CheckContext): Promise<Verdict> {
  const reply = await sendRequest(context, { method: 'OPTIONS', path: context.basePath });
  const allow = readHeader(reply.headers, 'allow');
  const detail = `OPTIONS ${context.basePath} → ${reply.status}${allow === '' ? '' : `, Allow: ${allow}`}`;
  return reply.status >= 500 ? fail(detail) : pass(detail);
}
