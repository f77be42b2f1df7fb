/**
 * Reference points, not HTTP servers: the C epoll floor (floor.c) and a
 * minimal uWebSockets.js handler (uws-minimal-server.ts). Both answer by
 * path alone and read no request header, so they are measured only where
 * such an answer is the same bytes a correct server sends, they skip the
 * correctness gate, and the report labels them. They show how far every
 * server is from the limit: the floor is what the kernel round trip costs,
 * uws-minimal what the engine under fastsrv costs before fastsrv runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from '../fixtures.js';
import type { Scenario } from '../types.js';
import type { TargetContext, TargetDefinition } from './common.js';

/** Why a reference target is left out of the scenarios it is not in. */
const PATH_ONLY = 'answers by path alone and reads no request header: its 304 would be a 200';

/**
 * The C floor's scenarios: its fixed responses are written with a plain
 * write() loop that gives up on EAGAIN, so only bodies that fit a loopback
 * socket buffer at once (≤ 16 KiB) are safe.
 */
export const FLOOR_SCENARIOS: readonly string[] = ['1k', '16k', '404'];
/** uws-minimal serves every fixture whole with end(body); conditional, variant and TLS scenarios need more. */
export const UWS_MINIMAL_SCENARIOS: readonly string[] = ['1k', '16k', '256k', '4m', '404', 'site'];

/**
 * True when a target with these reference scenarios (null/undefined: an
 * ordinary server, measured everywhere) is measured in `scenario`.
 */
export function isMeasuredIn(scenarios: readonly string[] | null | undefined, scenario: Pick<Scenario, 'name'>): boolean {
  return scenarios === null || scenarios === undefined || scenarios.includes(scenario.name);
}

/** Complete fixed responses of the C floor, keyed by path; the last one (404) answers anything else. */
export function buildFloorResponses(readFixture: (urlPath: string) => Buffer): { path: string; bytes: Buffer }[] {
  const head = (status: string, type: string | null, length: number | null): string =>
    `HTTP/1.1 ${status}\r\n` + (type === null ? '' : `Content-Type: ${type}\r\n`) +
    'ETag: "abcdefghijklmnop"\r\nLast-Modified: Mon, 01 Jan 2024 00:00:00 GMT\r\nCache-Control: no-cache\r\n' +
    (length === null ? '' : `Content-Length: ${length}\r\n`) + '\r\n';
  const list = FIXTURES.map((f) => {
    const body = readFixture(f.urlPath);
    return { path: f.urlPath, bytes: Buffer.concat([Buffer.from(head('200 OK', f.contentType, body.length), 'latin1'), body]) };
  });
  list.push({ path: '/not-modified', bytes: Buffer.from(head('304 Not Modified', null, null), 'latin1') });
  const notFound = Buffer.from('<!doctype html>\n<title>404 Not Found</title>\n<h1>404 Not Found</h1>\n');
  list.push({ path: '*', bytes: Buffer.concat([Buffer.from(head('404 Not Found', 'text/html', notFound.length), 'latin1'), notFound]) });
  return list;
}

/** Compile floor.c with `cc` into the work dir and write its responses there. */
function planFloor(ctx: TargetContext): ReturnType<TargetDefinition['plan']> {
  if (ctx.tls) return { skip: 'reference point without TLS' };
  const binary = join(ctx.workDir, 'floor');
  try {
    execFileSync('cc', ['-O2', '-o', binary, join(ctx.repoDir, 'bench/targets/floor.c')], { stdio: 'pipe' });
  } catch (error) {
    return { skip: `cc failed: ${(error as Error).message.split('\n')[0]}` };
  }
  const routes = buildFloorResponses((urlPath) => readFileSync(join(ctx.root, urlPath))).map((r, i) => {
    const file = join(ctx.workDir, `response-${i}`);
    writeFileSync(file, r.bytes);
    return `${r.path}=${file}`;
  });
  return { command: binary, args: [String(ctx.port), ...routes], files: [], workerNote: 'one process (reference point)' };
}

export const floor: TargetDefinition = {
  name: 'floor',
  describe: 'reference point, not an HTTP server: ~60-line C epoll loop writing a fixed response per path (bench/targets/floor.c)',
  reference: { scenarios: FLOOR_SCENARIOS, note: `${PATH_ONLY}; bodies over 16 KiB are not written safely` },
  plan: planFloor,
};

export const uwsMinimal: TargetDefinition = {
  name: 'uws-minimal',
  describe: 'reference point, not an HTTP server: uWebSockets.js writeStatus(block).end(body) per fixture, keep-alive, one process',
  reference: { scenarios: UWS_MINIMAL_SCENARIOS, note: `${PATH_ONLY}; serves the fixtures only (not the 1 GiB file)` },
  plan(ctx) {
    if (ctx.tls) return { skip: 'reference point without TLS' };
    const script = join(ctx.repoDir, 'dist/bench/targets/uws-minimal-server.js');
    if (!existsSync(script)) return { skip: 'dist/bench/targets/uws-minimal-server.js not found (run npm run build)' };
    return { command: process.execPath, args: [script, ctx.root, '--port', String(ctx.port)], files: [], workerNote: 'one process (reference point)' };
  },
};
