/**
 * Requests through node:http: exact bytes (no transparent decompression,
 * unlike fetch) and every header as sent. Each call has a deadline; errors
 * reject with a message fit for a report line.
 */
import { createHash } from 'node:crypto';
import { Agent as HttpAgent, request, type Agent, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as requestTls } from 'node:https';
import { describeTlsClient } from './raw.js';
import { describeError, ProbeError, type Endpoint } from './types.js';

export interface RequestSpec {
  readonly method?: string;
  /** Percent-encoded request-target. */
  readonly path: string;
  readonly headers?: OutgoingHttpHeaders;
  readonly body?: string;
  /** `false` (default) opens a fresh connection that closes after the response. */
  readonly agent?: Agent | false;
  /** Overrides the endpoint's timeout, e.g. for large files. */
  readonly timeoutMs?: number;
  /** Called with each socket the request uses; lets callers count connections. */
  readonly onSocket?: (socket: object) => void;
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface HashedReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly length: number;
  readonly sha256: string;
}

/** Send one request and buffer the whole body. */
export async function sendRequest(endpoint: Endpoint, spec: RequestSpec): Promise<Reply> {
  const chunks: Buffer[] = [];
  const head = await exchange(endpoint, spec, (chunk) => chunks.push(chunk));
  return { ...head, body: Buffer.concat(chunks) };
}

/** Send one request and hash the body as it streams, for files of any size. */
export async function hashRequest(endpoint: Endpoint, spec: RequestSpec): Promise<HashedReply> {
  const hash = createHash('sha256');
  let length = 0;
  const head = await exchange(endpoint, spec, (chunk) => {
    hash.update(chunk);
    length += chunk.length;
  });
  return { ...head, length, sha256: hash.digest('hex') };
}

interface Head {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
}

function exchange(endpoint: Endpoint, spec: RequestSpec, onChunk: (chunk: Buffer) => void): Promise<Head> {
  const timeoutMs = spec.timeoutMs ?? endpoint.timeoutMs;
  const method = spec.method ?? 'GET';
  return new Promise((resolve, reject) => {
    const options = {
      host: endpoint.host,
      port: endpoint.port,
      method,
      path: spec.path,
      headers: { host: endpoint.authority, ...spec.headers },
      agent: spec.agent ?? false,
    };
    const req = endpoint.isTls ? requestTls({ ...options, ...describeTlsClient(endpoint) }) : request(options);
    const timer = setTimeout(() => {
      req.destroy(new ProbeError(`no complete response to ${method} ${spec.path} within ${timeoutMs} ms`, 'timeout'));
    }, timeoutMs);
    const settle = (error: Error | undefined, head?: Head): void => {
      clearTimeout(timer);
      if (error) reject(error instanceof ProbeError ? error : new ProbeError(describeError(error), 'network'));
      else resolve(head!);
    };
    if (spec.onSocket) req.on('socket', spec.onSocket);
    req.on('error', (error) => settle(error));
    req.on('response', (res) => {
      res.on('data', onChunk);
      res.on('end', () => settle(undefined, { status: res.statusCode ?? 0, headers: res.headers }));
      res.on('aborted', () => settle(new Error('response aborted before its end')));
      res.on('error', (error) => settle(error));
    });
    req.end(spec.body);
  });
}

/** An agent keeping one connection open, over TLS for https:// endpoints. */
export function createKeepAliveAgent(endpoint: Endpoint): Agent {
  const options = { keepAlive: true, maxSockets: 1 };
  return endpoint.isTls ? new HttpsAgent({ ...options, ...describeTlsClient(endpoint) }) : new HttpAgent(options);
}

/** One header as a string: '' when absent, repeats joined with `, `. */
export function readHeader(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join(', ') : value;
}
