/** HEAD, persistent connections and HTTP/1.0: how responses sit on the wire. */
import { formatFollowUp, judgeFollowUp, onTarget } from './conditional.js';
import { createKeepAliveAgent, readHeader, sendRequest } from './http.js';
import type { RawResponse } from './parse.js';
import { exchangeFollowed, formatRawRequest, RawConnection, type FollowedExchange } from './raw.js';
import { fail, pass, ProbeError, skip, type Check, type CheckContext, type Target, type Verdict } from './types.js';

const KEEP_ALIVE_REQUESTS = 20;
/** Longest wait for an HTTP/1.0 answer; silence is common and not a failure. */
const HTTP10_WAIT_MS = 2000;

/** One HEAD-then-GET exchange shared by both HEAD checks. */
function exchangeHead(context: CheckContext, target: Target): Promise<FollowedExchange> {
  return context.memo('head', () =>
    exchangeFollowed(context, formatRawRequest('HEAD', target.path, context), 'HEAD', formatFollowUp(context, target)),
  );
}

export const HEAD_CHECKS: readonly Check[] = [
  {
    name: 'HEAD: same headers as GET',
    run: onTarget(async (context, target) => judgeHeadHeaders((await exchangeHead(context, target)).first, target)),
  },
  {
    name: 'HEAD: no body on the wire',
    run: onTarget(async (context, target) => {
      const exchange = await exchangeHead(context, target);
      if (exchange.first.status !== 200) return fail(`HEAD → ${exchange.first.status}, expected 200`);
      return judgeFollowUp(exchange, target, 'the HEAD response');
    }),
  },
];

export const CONNECTION_CHECKS: readonly Check[] = [
  { name: `keep-alive: ${KEEP_ALIVE_REQUESTS} requests on one connection`, run: checkKeepAlive },
  { name: 'HTTP/1.0 request', run: checkHttp10 },
];

function judgeHeadHeaders(response: RawResponse, target: Target): Verdict {
  if (response.status !== 200) return fail(`HEAD → ${response.status}, GET → 200`);
  const head = response.headers;
  const problems: string[] = [];
  const length = head.get('content-length');
  const size = String(target.body.length);
  if (length !== size) problems.push(length === undefined ? `no Content-Length (GET body is ${size} bytes)` : `Content-Length: ${length}, GET body is ${size} bytes`);
  const type = readHeader(target.headers, 'content-type');
  const headType = head.get('content-type') ?? '';
  if (headType !== type) problems.push(`Content-Type: ${headType || '(none)'}, GET had ${type || '(none)'}`);
  if (problems.length > 0) return fail(problems.join('; '));
  return pass(`Content-Length: ${size}, Content-Type: ${type || '(none)'}`);
}

/** Sequential GETs through an agent with one socket: every answer must arrive intact. */
async function checkKeepAlive(context: CheckContext): Promise<Verdict> {
  const path = context.target?.path ?? context.basePath;
  const agent = createKeepAliveAgent(context);
  const sockets = new Set<object>();
  const statuses = new Set<number>();
  try {
    for (let i = 0; i < KEEP_ALIVE_REQUESTS; i++) {
      let reply;
      try {
        reply = await sendRequest(context, { path, agent, onSocket: (socket) => sockets.add(socket) });
      } catch (error) {
        if (error instanceof ProbeError) return fail(`request ${i + 1} of ${KEEP_ALIVE_REQUESTS}: ${error.message}`);
        throw error;
      }
      statuses.add(reply.status);
      if (reply.status >= 500) return fail(`request ${i + 1} → ${reply.status}`);
      if (context.target && (reply.status !== 200 || !reply.body.equals(context.target.body))) {
        return fail(`request ${i + 1} → ${reply.status} with ${reply.body.length} bytes, expected 200 with ${context.target.body.length}`);
      }
    }
  } finally {
    agent.destroy();
  }
  const connections = sockets.size === 1 ? 'one connection' : `${sockets.size} connections (the server closed some)`;
  return pass(`${KEEP_ALIVE_REQUESTS}/${KEEP_ALIVE_REQUESTS} → ${[...statuses].join('/')} over ${connections}`);
}

/**
 * Informative only, never FAIL: servers built for HTTP/1.1 alone may not
 * answer (uWebSockets.js keeps the connection open, silent), so the wait
 * is short.
 */
async function checkHttp10(context: CheckContext): Promise<Verdict> {
  const endpoint = { ...context, timeoutMs: Math.min(context.timeoutMs, HTTP10_WAIT_MS) };
  let connection: RawConnection;
  try {
    connection = await RawConnection.open(endpoint);
  } catch (error) {
    return skip(`HTTP/1.0: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    // With Host, as HTTP/1.0 clients still in use (ab, curl --http1.0) send it.
    connection.send(`GET ${context.basePath} HTTP/1.0\r\nHost: ${context.authority}\r\n\r\n`);
    const response = await connection.readResponse('GET');
    const chunked = response.isChunked ? '; chunked to an HTTP/1.0 client (RFC 9112 §7.1 forbids)' : '';
    const verdict = response.isChunked ? skip : pass;
    return verdict(`GET ${context.basePath} HTTP/1.0 → HTTP/${response.version} ${response.status}${chunked}`);
  } catch (error) {
    if (!(error instanceof ProbeError)) throw error;
    if (error.reason === 'closed') return skip('HTTP/1.0: connection closed, no response (server speaks HTTP/1.1 only)');
    if (error.reason === 'timeout' && connection.pending.length === 0) {
      return skip(`HTTP/1.0: no response within ${endpoint.timeoutMs} ms (server speaks HTTP/1.1 only)`);
    }
    return skip(`HTTP/1.0: ${error.message}`);
  } finally {
    connection.close();
  }
}
