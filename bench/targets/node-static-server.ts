/**
 * The typical Node static server, in the style of serve-static/send or sirv's dev mode:
 * node:http + node:cluster, a stat and a read stream per request, a weak ETag from size
 * and mtime. Run: node dist/bench/targets/node-static-server.js <root> --host H --port P --workers N
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, normalize, sep } from 'node:path';
import {
  createBaselineServer, isNotModified, isRangeApplicable, lookupContentType, METHOD_NOT_ALLOWED, parseServerArgs, parseSingleRange, runCluster, toUrlPath,
  type ServerArgs,
} from './http-common.js';

function sendStatus(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}

function resolveFile(root: string, url: string): string | null {
  const path = toUrlPath(url);
  if (path === null || path.includes('\0')) return null;
  const abs = normalize(join(root, path));
  return abs.startsWith(root + sep) ? abs : null;
}

async function serveFile(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const abs = resolveFile(root, req.url ?? '/');
  const stats = abs === null ? null : await stat(abs).catch(() => null);
  if (abs === null || stats === null || !stats.isFile()) return sendStatus(res, 404, 'Not Found\n');
  const etag = `W/"${stats.size.toString(16)}-${stats.mtime.getTime().toString(16)}"`;
  const lastModified = stats.mtime.toUTCString();
  res.setHeader('ETag', etag);
  res.setHeader('Last-Modified', lastModified);
  res.setHeader('Accept-Ranges', 'bytes');
  if (isNotModified(req.headers['if-none-match'], req.headers['if-modified-since'], etag, stats.mtimeMs)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  const rangeHeader = isRangeApplicable(req.headers['if-range'], etag, lastModified) ? req.headers.range : undefined;
  const range = rangeHeader === undefined ? null : parseSingleRange(rangeHeader, stats.size);
  if (range === 'unsatisfiable') {
    res.setHeader('Content-Range', `bytes */${stats.size}`);
    return sendStatus(res, 416, 'Range Not Satisfiable\n');
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? stats.size - 1;
  res.statusCode = range ? 206 : 200;
  if (range) res.setHeader('Content-Range', `bytes ${start}-${end}/${stats.size}`);
  res.setHeader('Content-Type', lookupContentType(abs));
  res.setHeader('Content-Length', String(end - start + 1));
  if (req.method === 'HEAD' || stats.size === 0) {
    res.end();
    return;
  }
  const stream = createReadStream(abs, { start, end });
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

function startWorker(args: ServerArgs): void {
  const root = normalize(args.root).replace(/\/+$/, '');
  const server = createBaselineServer(args, (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(METHOD_NOT_ALLOWED.status, METHOD_NOT_ALLOWED.headers);
      res.end();
      return;
    }
    serveFile(root, req, res).catch(() => sendStatus(res, 500, 'Internal Server Error\n'));
  });
  server.listen(args.port, args.host);
}

const args = parseServerArgs(process.argv.slice(2));
runCluster(args, () => startWorker(args));
