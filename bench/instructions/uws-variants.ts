/**
 * Alternatives of one 1 KiB response on uWebSockets.js, for counting
 * instructions (bench/instructions.ts --targets variant:NAME --scenarios 1k).
 * Each variant answers GET /index.html; bench/NOTES.md has the numbers.
 *
 *   node dist/bench/instructions/uws-variants.js ROOT --port PORT --variant NAME
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadEngine, type HttpRequest, type HttpResponse } from '../../src/setup/uws.js';

const { values, positionals } = parseArgs({
  options: { port: { type: 'string' }, variant: { type: 'string' } },
  allowPositionals: true,
});
const { uws } = loadEngine(false);

/** A standalone ArrayBuffer holding exactly `bytes`. */
function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const ab = new ArrayBuffer(bytes.length);
  new Uint8Array(ab).set(bytes);
  return ab;
}

const bodyBuffer = readFileSync(join(positionals[0]!, 'index.html'));
const bodyAb = toArrayBuffer(bodyBuffer);
const head =
  '200 OK\r\nContent-Type: text/html; charset=utf-8\r\nETag: "abcdefghijklmnop"\r\n' +
  'Last-Modified: Mon, 01 Jan 2024 00:00:00 GMT\r\nCache-Control: no-cache\r\nVary: Accept-Encoding\r\n' +
  'Accept-Ranges: bytes\r\nX-Content-Type-Options: nosniff';
const blockBuffer = Buffer.from(head, 'latin1');
const blockAb = toArrayBuffer(blockBuffer);
const NAMES = ['accept-encoding', 'if-match', 'if-none-match', 'if-unmodified-since', 'if-modified-since', 'range'];
const keyStrings = NAMES;
const keyBuffers = NAMES.map((n) => Buffer.from(n));
const keyAbs = NAMES.map((n) => toArrayBuffer(Buffer.from(n)));
let sink = 0;

function read(req: HttpRequest, keys: readonly (string | ArrayBuffer | Buffer)[], count: number): void {
  for (let i = 0; i < count; i++) sink += req.getHeader(keys[i]!).length;
}

type Handler = (res: HttpResponse, req: HttpRequest) => void;
const VARIANTS: Record<string, Handler> = {
  // The engine alone, Buffers / ArrayBuffers for block and body.
  bufNone: (res) => void res.writeStatus(blockBuffer).end(bodyBuffer),
  abNone: (res) => void res.writeStatus(blockAb).end(bodyAb),
  endOnly: (res) => void res.end(bodyAb),
  // Six header reads (what a GET of a compressible file needs), by key type.
  buf6: (res, req) => (read(req, keyBuffers, 6), void res.writeStatus(blockBuffer).end(bodyBuffer)),
  ab6: (res, req) => (read(req, keyAbs, 6), void res.writeStatus(blockAb).end(bodyAb)),
  str6: (res, req) => (read(req, keyStrings, 6), void res.writeStatus(blockAb).end(bodyAb)),
  ab5: (res, req) => (read(req, keyAbs, 5), void res.writeStatus(blockAb).end(bodyAb)),
  ab3: (res, req) => (read(req, keyAbs, 3), void res.writeStatus(blockAb).end(bodyAb)),
  ab1: (res, req) => (read(req, keyAbs, 1), void res.writeStatus(blockAb).end(bodyAb)),
  // end() with its closeConnection flag, as fastsrv passes it.
  abNoneFlag: (res) => void res.writeStatus(blockAb).end(bodyAb, false),
  // What a catch-all reads: the URL (and the method).
  url: (res, req) => ((sink += req.getUrl().length), void res.writeStatus(blockAb).end(bodyAb)),
  methodUrl: (res, req) => ((sink += req.getMethod().length + req.getUrl().length), void res.writeStatus(blockAb).end(bodyAb)),
  buf1: (res, req) => (read(req, keyBuffers, 1), void res.writeStatus(blockAb).end(bodyAb)),
  // One forEach over the request's headers instead of six reads.
  forEach: (res, req) => (req.forEach((k, v) => void (sink += k.length + v.length)), void res.writeStatus(blockAb).end(bodyAb)),
};
const handler = VARIANTS[values.variant ?? ''];
if (handler === undefined) throw new Error(`unknown variant ${values.variant} (known: ${Object.keys(VARIANTS).join(', ')})`);
const app = uws.App();
app.get('/index.html', handler);
app.any('/*', (res) => void res.writeStatus('404 Not Found').end('no'));
app.listen('127.0.0.1', Number(values.port), (token) => {
  if (token === false) process.exit(1);
});
process.on('exit', () => sink);
