/**
 * Pieces shared by the two plain-Node baselines (node-http, node-static): cluster
 * start-up, argv, path mapping, ETag matching and single-range parsing.
 * Kept deliberately plain: these are baselines, not fastsrv.
 */
import cluster from 'node:cluster';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { extname, join, relative, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { MIME_TYPES } from './common.js';

export interface ServerArgs {
  root: string;
  host: string;
  port: number;
  workers: number;
  /** PEM files: serve HTTPS. */
  cert: string | null;
  key: string | null;
}

/** `<root> --host H --port P --workers N [--cert FILE --key FILE]` */
export function parseServerArgs(argv: string[]): ServerArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { host: { type: 'string' }, port: { type: 'string' }, workers: { type: 'string' }, cert: { type: 'string' }, key: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new Error('usage: <root> --host H --port P --workers N [--cert FILE --key FILE]');
  return {
    root: positionals[0]!,
    host: values.host ?? '127.0.0.1',
    port: Number(values.port ?? 8080),
    workers: Number(values.workers ?? 1),
    cert: values.cert ?? null,
    key: values.key ?? null,
  };
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** node:http, or node:https with --cert/--key (HTTP/1.1 only, as node:https is; OpenSSL's default suites). */
export function createBaselineServer(args: ServerArgs, handler: Handler): Server {
  const options = { keepAliveTimeout: 60_000 };
  if (args.cert === null || args.key === null) return createHttpServer(options, handler);
  return createHttpsServer({ ...options, cert: readFileSync(args.cert), key: readFileSync(args.key) }, handler);
}

/** Primary: fork N workers and stop them on SIGTERM/SIGINT. Worker: run `startWorker`. */
export function runCluster(args: ServerArgs, startWorker: () => void): void {
  if (!cluster.isPrimary) {
    startWorker();
    return;
  }
  for (let i = 0; i < args.workers; i++) cluster.fork();
  let listening = 0;
  cluster.on('listening', () => {
    if (++listening === args.workers) process.stdout.write(`listening on http://${args.host}:${args.port}\n`);
  });
  const stop = (): void => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    setTimeout(() => process.exit(0), 200).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/**
 * The in-memory baselines (node-http, bun) serve files above this size from disk, as a
 * careful operator would: only the 1 GiB file of the `1g` scenario is that big.
 */
export const STREAM_ABOVE_BYTES = 64 * 1024 * 1024;

/** Content-Type of a file name. */
export function lookupContentType(name: string): string {
  return MIME_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/** URL path (query dropped, %-decoded, '/' → '/index.html'), or null when undecodable. */
export function toUrlPath(url: string): string | null {
  const q = url.indexOf('?');
  let path = q < 0 ? url : url.slice(0, q);
  if (path.includes('%')) {
    try {
      path = decodeURIComponent(path);
    } catch {
      return null;
    }
  }
  return path.endsWith('/') ? `${path}index.html` : path;
}

/** Every regular file under root as [urlPath, absolutePath]. */
export function walkFiles(root: string): [string, string][] {
  const out: [string, string][] = [];
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const abs = join(entry.parentPath, entry.name);
    out.push(['/' + relative(root, abs).split(sep).join('/'), abs]);
  }
  return out;
}

/** RFC 9110 §13.1.2: weak comparison against a list of entity tags or '*'. */
export function isEtagMatch(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const bare = etag.startsWith('W/') ? etag.slice(2) : etag;
  for (const raw of header.split(',')) {
    const tag = raw.trim();
    if ((tag.startsWith('W/') ? tag.slice(2) : tag) === bare) return true;
  }
  return false;
}

/**
 * RFC 9110 §13.2.2: If-None-Match decides when present; otherwise If-Modified-Since
 * (one-second resolution) compared with the file's mtime.
 */
export function isNotModified(ifNoneMatch: string | undefined, ifModifiedSince: string | undefined, etag: string, mtimeMs: number): boolean {
  if (ifNoneMatch !== undefined) return isEtagMatch(ifNoneMatch, etag);
  if (ifModifiedSince === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  return Number.isFinite(since) && Math.floor(mtimeMs / 1000) * 1000 <= since;
}

/** RFC 9110 §13.1.5: a Range applies only when If-Range is absent or matches (strong ETag or exact date). */
export function isRangeApplicable(ifRange: string | string[] | undefined, etag: string, lastModified: string): boolean {
  if (ifRange === undefined) return true;
  if (Array.isArray(ifRange)) return false;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return !etag.startsWith('W/') && value === etag;
  return value === lastModified;
}

/** Status and headers for a method other than GET and HEAD. */
export const METHOD_NOT_ALLOWED = { status: 405, headers: { Allow: 'GET, HEAD', 'Content-Length': '0' } };

/** A single `bytes=a-b` / `bytes=a-` / `bytes=-n` range; null = ignore the header; 'unsatisfiable' → 416. */
export function parseSingleRange(header: string, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}
