/** What bench/instructions.ts asks every server (the floor servers' answers: bench/targets/reference.ts). */

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
