// One uWebSockets.js server with one way of answering GET /1k.html.
// Started by bench/experiments/handlers.ts; see bench/NOTES.md.
// Usage: node uws-handlers.cjs VARIANT PORT FILE
const uws = require(process.env.FASTSRV_UWS_MODULE || 'uws-legacy');
const { readFileSync } = require('node:fs');

const [variant, portText, file] = process.argv.slice(2);
const body = readFileSync(file);
const head =
  '200 OK\r\nContent-Type: text/html; charset=utf-8\r\nETag: "abcdefghijklmnop"\r\n' +
  'Last-Modified: Wed, 25 Nov 2026 19:02:16 GMT\r\nCache-Control: no-cache\r\n' +
  'Accept-Ranges: bytes\r\nX-Content-Type-Options: nosniff';
const block = Buffer.from(head, 'latin1');
const names = ['if-match', 'if-none-match', 'if-unmodified-since', 'if-modified-since', 'range'];
const nameBytes = names.map((n) => Buffer.from(n));
const headerList = head.split('\r\n').slice(1).map((line) => line.split(': '));
const files = new Map([['/1k.html', { body, block }]]);
let sink = 0;

/** Read the five headers a GET needs (If-*, Range) with the given keys. */
function readHeaders(req, keys) {
  for (let i = 0; i < keys.length; i++) sink += req.getHeader(keys[i]).length;
}

const VARIANTS = {
  // A catch-all: method and URL strings, a Map lookup, string header names.
  catchall: (app) =>
    app.any('/*', (res, req) => {
      sink += req.getMethod().length;
      const entry = files.get(req.getUrl());
      readHeaders(req, names);
      res.writeStatus(entry.block).end(entry.body);
    }),
  // One route per file (uWS's C++ router finds it), string header names.
  route: (app) => app.get('/1k.html', (res, req) => (readHeaders(req, names), res.writeStatus(block).end(body))),
  // The same with header names as bytes (what fastsrv does).
  routeBytes: (app) => app.get('/1k.html', (res, req) => (readHeaders(req, nameBytes), res.writeStatus(block).end(body))),
  // The same with the head block passed as a string.
  routeStringHead: (app) => app.get('/1k.html', (res, req) => (readHeaders(req, nameBytes), res.writeStatus(head).end(body))),
  // Six writeHeader calls instead of one precomputed block.
  writeHeaders: (app) =>
    app.get('/1k.html', (res, req) => {
      readHeaders(req, nameBytes);
      res.writeStatus('200 OK');
      for (const [name, value] of headerList) res.writeHeader(name, value);
      res.end(body);
    }),
  // The floor: no header reads at all (not correct HTTP: no conditionals).
  floor: (app) => app.get('/1k.html', (res) => res.writeStatus(block).end(body)),
};

const app = uws.App();
VARIANTS[variant](app);
app.listen('127.0.0.1', Number(portText), (token) => {
  if (!token) process.exit(1);
  process.send?.('ready');
});
process.on('exit', () => sink);
