/** What bench/instructions.ts asks every server, and the floor servers' fixed answers. */
import { FIXTURES } from '../fixtures.js';

/** One kind of request, repeated over keep-alive connections. */
export interface InstructionScenario {
  readonly name: string;
  readonly describe: string;
  /** Path asked of real servers. */
  readonly path: string;
  /** Path asked of the floor servers, which answer by path alone. */
  readonly floorPath: string;
  /** The status every response must have. */
  readonly status: number;
  /** Send If-None-Match with the ETag a first GET of `path` returned. */
  readonly isConditional: boolean;
}

export const INSTRUCTION_SCENARIOS: readonly InstructionScenario[] = [
  { name: '1k', describe: '1 KiB 200', path: '/index.html', floorPath: '/index.html', status: 200, isConditional: false },
  { name: '304', describe: '1 KiB 304 (If-None-Match matches)', path: '/index.html', floorPath: '/not-modified', status: 304, isConditional: true },
  { name: '404', describe: '404 (no such file)', path: '/missing.html', floorPath: '/missing.html', status: 404, isConditional: false },
  { name: '16k', describe: '16 KiB 200', path: '/style.css', floorPath: '/style.css', status: 200, isConditional: false },
];

/** The request bytes: what wrk sends (request line and Host), plus If-None-Match. */
export function buildRequest(path: string, etag: string | null): string {
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n` + (etag === null ? '' : `If-None-Match: ${etag}\r\n`) + '\r\n';
}

/** The ETag header of a response head, or null. */
export function findEtag(head: string): string | null {
  const match = /\r\netag:[ \t]*([^\r\n]*)/i.exec(head);
  return match ? match[1]!.trim() : null;
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
