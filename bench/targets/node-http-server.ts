/**
 * The best plain-Node baseline: node:http + node:cluster serving every file from an
 * in-memory Map with headers built at boot (files above 64 MiB are read from disk per
 * request). Correct enough to pass the gate: ETag and If-Modified-Since → 304, HEAD,
 * single ranges with If-Range, 405 for other methods.
 * Run: node dist/bench/targets/node-http-server.js <root> --host H --port P --workers N
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  createBaselineServer, isNotModified, isRangeApplicable, lookupContentType, METHOD_NOT_ALLOWED, parseServerArgs, parseSingleRange, runCluster, STREAM_ABOVE_BYTES,
  toUrlPath, walkFiles, type ServerArgs,
} from './http-common.js';

interface Entry {
  /** null: streamed from `path` per request. */
  body: Buffer | null;
  path: string;
  size: number;
  etag: string;
  lastModified: string;
  mtimeMs: number;
  headers: Record<string, string>;
  headers304: Record<string, string>;
}

const NOT_FOUND = Buffer.from('Not Found\n');
const NOT_FOUND_HEADERS = { 'Content-Type': 'text/plain', 'Content-Length': String(NOT_FOUND.length) };

function buildCache(root: string): Map<string, Entry> {
  const cache = new Map<string, Entry>();
  for (const [urlPath, abs] of walkFiles(root)) {
    const { size, mtimeMs, mtime } = statSync(abs);
    const body = size > STREAM_ABOVE_BYTES ? null : readFileSync(abs);
    const etag = `"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
    const lastModified = mtime.toUTCString();
    const headers304 = { ETag: etag, 'Last-Modified': lastModified };
    const headers = { ...headers304, 'Content-Type': lookupContentType(abs), 'Content-Length': String(size), 'Accept-Ranges': 'bytes' };
    cache.set(urlPath, { body, path: abs, size, etag, lastModified, mtimeMs, headers, headers304 });
  }
  return cache;
}

/** Bytes start..end (inclusive) of the entry, from memory or streamed from disk. */
function sendBytes(req: IncomingMessage, res: ServerResponse, entry: Entry, start: number, end: number): void {
  if (req.method === 'HEAD') res.end();
  else if (entry.body !== null) res.end(start === 0 && end === entry.size - 1 ? entry.body : entry.body.subarray(start, end + 1));
  else createReadStream(entry.path, { start, end }).on('error', () => res.destroy()).pipe(res);
}

function sendRange(req: IncomingMessage, res: ServerResponse, entry: Entry, header: string): void {
  const size = entry.size;
  const range = isRangeApplicable(req.headers['if-range'], entry.etag, entry.lastModified) ? parseSingleRange(header, size) : null;
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Content-Length': '0' });
    res.end();
    return;
  }
  if (range === null) {
    res.writeHead(200, entry.headers);
    sendBytes(req, res, entry, 0, size - 1);
    return;
  }
  res.writeHead(206, { ...entry.headers, 'Content-Length': String(range.end - range.start + 1), 'Content-Range': `bytes ${range.start}-${range.end}/${size}` });
  sendBytes(req, res, entry, range.start, range.end);
}

function startWorker(args: ServerArgs): void {
  const cache = buildCache(args.root);
  const server = createBaselineServer(args, (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(METHOD_NOT_ALLOWED.status, METHOD_NOT_ALLOWED.headers);
      res.end();
      return;
    }
    const path = toUrlPath(req.url ?? '/');
    const entry = path === null ? undefined : cache.get(path);
    if (entry === undefined) {
      res.writeHead(404, NOT_FOUND_HEADERS);
      res.end(req.method === 'HEAD' ? undefined : NOT_FOUND);
      return;
    }
    if (isNotModified(req.headers['if-none-match'], req.headers['if-modified-since'], entry.etag, entry.mtimeMs)) {
      res.writeHead(304, entry.headers304);
      res.end();
      return;
    }
    const range = req.headers.range;
    if (range !== undefined) return sendRange(req, res, entry, range);
    res.writeHead(200, entry.headers);
    if (entry.body !== null && req.method !== 'HEAD') res.end(entry.body);
    else sendBytes(req, res, entry, 0, entry.size - 1);
  });
  server.listen(args.port, args.host);
}

const args = parseServerArgs(process.argv.slice(2));
runCluster(args, () => startWorker(args));
