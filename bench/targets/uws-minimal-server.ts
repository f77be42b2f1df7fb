/**
 * The uWebSockets.js reference point (target `uws-minimal`) of
 * bench/instructions.ts and bench/run.ts: one route per fixture answered
 * with writeStatus(block).end(body) from Buffers, keep-alive, /not-modified
 * with a 304 head, everything else with a fixed 404. No request header is
 * read, so it is not correct HTTP; it shows what the engine itself costs.
 *
 *   node dist/bench/targets/uws-minimal-server.js ROOT --port PORT
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FIXTURES } from '../fixtures.js';
import { loadEngine } from '../../src/setup/uws.js';

const { values, positionals } = parseArgs({ options: { port: { type: 'string' } }, allowPositionals: true, strict: false });
const root = positionals[0]!;
const { uws } = loadEngine(false);
const app = uws.App();
const validators = '\r\nETag: "abcdefghijklmnop"\r\nLast-Modified: Mon, 01 Jan 2024 00:00:00 GMT\r\nCache-Control: no-cache';
for (const fixture of FIXTURES) {
  const body = readFileSync(join(root, fixture.urlPath));
  const block = Buffer.from(`200 OK\r\nContent-Type: ${fixture.contentType}${validators}\r\nAccept-Ranges: bytes`, 'latin1');
  app.get(fixture.urlPath, (res) => void res.writeStatus(block).end(body));
}
const notModified = Buffer.from('304 Not Modified' + validators, 'latin1');
app.get('/not-modified', (res) => void res.writeStatus(notModified).endWithoutBody());
const notFound = Buffer.from('404 Not Found\r\nContent-Type: text/html', 'latin1');
const notFoundBody = Buffer.from('<!doctype html>\n<title>404 Not Found</title>\n<h1>404 Not Found</h1>\n');
app.any('/*', (res) => void res.writeStatus(notFound).end(notFoundBody));
app.listen('127.0.0.1', Number(values.port), (token) => {
  if (token === false) process.exit(1);
});
