/** Send a corpus request to one server, with that server's own validators filled in. */
import { get, type Reply } from '../helpers/server.js';
import type { CorpusRequest } from './corpus.js';

const DAY_MS = 86_400_000;

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, width = 2, fill = '0'): string => String(n).padStart(width, fill);
const clock = (d: Date): string => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;

/** The obsolete RFC 850 form of an HTTP-date (RFC 9110 §5.6.7): `Sunday, 06-Nov-94 08:49:37 GMT`. */
export function formatRfc850Date(d: Date): string {
  return `${WEEKDAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${pad(d.getUTCFullYear() % 100)} ${clock(d)} GMT`;
}

/** The asctime form of an HTTP-date (RFC 9110 §5.6.7): `Sun Nov  6 08:49:37 1994`. */
export function formatAsctimeDate(d: Date): string {
  return `${WEEKDAYS[d.getUTCDay()].slice(0, 3)} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate(), 2, ' ')} ${clock(d)} ${d.getUTCFullYear()}`;
}

/** The headers of `request` with `{etag}`, `{last-modified}`… taken from a GET on `port`. */
export async function resolveHeaders(port: number, request: CorpusRequest): Promise<Record<string, string>> {
  const values = Object.values(request.headers);
  if (!values.some((v) => v.includes('{'))) return { ...request.headers };
  const probe = await get(port, request.validatorsOf ?? request.path);
  const etag = probe.headers.etag;
  const lastModified = probe.headers['last-modified'];
  if (probe.status !== 200 || etag === undefined || lastModified === undefined) {
    throw new Error(`no validators for ${request.name}: GET ${request.validatorsOf ?? request.path} → ${probe.status}`);
  }
  const time = Date.parse(lastModified);
  const placeholders: Record<string, string> = {
    '{etag}': etag,
    '{weak-etag}': 'W/' + etag,
    '{last-modified}': lastModified,
    '{older}': new Date(time - DAY_MS).toUTCString(),
    '{newer}': new Date(time + DAY_MS).toUTCString(),
    '{rfc850}': formatRfc850Date(new Date(time)),
    '{asctime}': formatAsctimeDate(new Date(time)),
  };
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    resolved[name] = value.replace(/\{[a-z-]+\}/g, (token) => {
      if (!(token in placeholders)) throw new Error(`unknown placeholder ${token} in ${request.name}`);
      return placeholders[token];
    });
  }
  return resolved;
}

/** What a server that never answers is recorded as: status 0, nothing else. */
export const NO_REPLY: Reply = Object.freeze({ status: 0, headers: {}, body: Buffer.alloc(0) });

/**
 * One corpus request on a fresh connection; NO_REPLY when no status line
 * arrives within `timeoutMs` (uWS closes a connection it cannot parse only
 * at its 10 s idle timeout).
 */
export async function sendRequest(port: number, request: CorpusRequest, timeoutMs = 2_000): Promise<Reply> {
  const reply = get(port, request.path, await resolveHeaders(port, request), request.method);
  reply.catch(() => {}); // a late error after the timeout won; the first failure still rejects below
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Reply>((resolve) => (timer = setTimeout(() => resolve(NO_REPLY), timeoutMs)));
  try {
    return await Promise.race([reply, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
