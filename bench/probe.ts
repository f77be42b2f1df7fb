/**
 * The harness's own minimal correctness probe, used by the gate when `fastsrv check`
 * (dist/src/check.js) is not available: status and bytes of every fixture, 404,
 * ETag → 304, HEAD length and `Range: bytes=0-99`. Over https:// with the
 * run's certificate as `ca` (it is verified).
 */
import { readFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { FIXTURES } from './fixtures.js';

export interface ProbeResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const MISSING_PATH = '/missing/nothing-here.html';
const DEEP_PATHS = ['/index.html', '/app.js'];

/** One HTTP/1.1 request on a fresh connection; rejects after `timeoutMs`. With `ca`, https:// URLs are verified against it. */
export function sendRequest(url: string, method = 'GET', headers: Record<string, string> = {}, timeoutMs = 5000, ca?: Buffer): Promise<ProbeResponse> {
  return new Promise((resolve, reject) => {
    const options = { method, headers, agent: false as const, timeout: timeoutMs };
    const onResponse = (res: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    };
    const req = url.startsWith('https:') ? httpsRequest(url, { ...options, ca, servername: 'localhost' }, onResponse) : request(url, options, onResponse);
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

type Send = (url: string, method?: string, headers?: Record<string, string>) => Promise<ProbeResponse>;

/** The ETag a target returns for a path, or null. */
export async function fetchEtag(baseUrl: string, urlPath: string, ca?: Buffer): Promise<string | null> {
  const res = await sendRequest(baseUrl + urlPath, 'GET', {}, 5000, ca);
  const etag = res.headers.etag;
  return typeof etag === 'string' ? etag : null;
}

async function checkBody(send: Send, baseUrl: string, urlPath: string, expected: Buffer): Promise<string[]> {
  const res = await send(baseUrl + urlPath);
  if (res.status !== 200) return [`GET ${urlPath}: status ${res.status}, want 200`];
  if (!res.body.equals(expected)) return [`GET ${urlPath}: body differs (${res.body.length} bytes, want ${expected.length})`];
  return [];
}

async function checkConditional(send: Send, baseUrl: string, urlPath: string): Promise<string[]> {
  const etag = (await send(baseUrl + urlPath)).headers.etag;
  if (typeof etag !== 'string') return [`GET ${urlPath}: no ETag`];
  const res = await send(baseUrl + urlPath, 'GET', { 'If-None-Match': etag });
  if (res.status !== 304) return [`If-None-Match ${urlPath}: status ${res.status}, want 304`];
  return res.body.length > 0 ? [`If-None-Match ${urlPath}: 304 with a ${res.body.length}-byte body`] : [];
}

async function checkHead(send: Send, baseUrl: string, urlPath: string, size: number): Promise<string[]> {
  const res = await send(baseUrl + urlPath, 'HEAD');
  const reasons: string[] = [];
  if (res.status !== 200) reasons.push(`HEAD ${urlPath}: status ${res.status}, want 200`);
  if (res.headers['content-length'] !== String(size)) reasons.push(`HEAD ${urlPath}: Content-Length ${res.headers['content-length'] ?? 'missing'}, want ${size}`);
  if (res.body.length > 0) reasons.push(`HEAD ${urlPath}: sent a body`);
  return reasons;
}

async function checkRange(send: Send, baseUrl: string, urlPath: string, expected: Buffer): Promise<string[]> {
  const res = await send(baseUrl + urlPath, 'GET', { Range: 'bytes=0-99' });
  if (res.status !== 206) return [`Range ${urlPath}: status ${res.status}, want 206`];
  const want = expected.subarray(0, 100);
  if (!res.body.equals(want)) return [`Range ${urlPath}: body differs (${res.body.length} bytes, want 100)`];
  const contentRange = res.headers['content-range'];
  return contentRange === `bytes 0-99/${expected.length}` ? [] : [`Range ${urlPath}: Content-Range "${contentRange ?? ''}"`];
}

async function collect(check: Promise<string[]>, label: string): Promise<string[]> {
  try {
    return await check;
  } catch (error) {
    return [`${label}: ${(error as Error).message}`];
  }
}

/** Every failed check as a short reason; an empty list means the target passed. */
export async function probeTarget(baseUrl: string, root: string, ca?: Buffer): Promise<string[]> {
  const send: Send = (url, method, headers) => sendRequest(url, method, headers, 5000, ca);
  const reasons: string[] = [];
  const bodies = new Map(FIXTURES.map((f) => [f.urlPath, readFileSync(join(root, f.urlPath))]));
  for (const [urlPath, body] of bodies) reasons.push(...(await collect(checkBody(send, baseUrl, urlPath, body), `GET ${urlPath}`)));
  const missing = await collect(send(baseUrl + MISSING_PATH).then((r) => (r.status === 404 ? [] : [`GET ${MISSING_PATH}: status ${r.status}, want 404`])), 'GET missing');
  reasons.push(...missing);
  for (const urlPath of DEEP_PATHS) {
    const body = bodies.get(urlPath)!;
    reasons.push(...(await collect(checkConditional(send, baseUrl, urlPath), `If-None-Match ${urlPath}`)));
    reasons.push(...(await collect(checkHead(send, baseUrl, urlPath, body.length), `HEAD ${urlPath}`)));
    reasons.push(...(await collect(checkRange(send, baseUrl, urlPath, body), `Range ${urlPath}`)));
  }
  return reasons;
}
