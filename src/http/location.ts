/**
 * The Location of the plain-HTTP listener's redirect to https:// (--http-port).
 * Pure: strings and numbers in, a string (or null for a 400) out.
 */

/** The default port of https, left out of URLs. */
const HTTPS_DEFAULT_PORT = 443;

/**
 * `https://HOST[:PORT]/path?query` for a request with Host header `host`
 * (its port dropped), request path `path` and query `query` (without `?`,
 * '' for none), on an HTTPS listener at `httpsPort`. null when the Host is
 * missing or not a host name, IPv4 or [IPv6] address (RFC 9110 §7.2, RFC
 * 3986 §3.2.2): answer 400, never reflect what a client sent as a Host.
 * Bytes outside visible ASCII in the path or query are percent-encoded, so
 * no CR, LF or control character can reach the response header.
 */
export function buildHttpsLocation(host: string, path: string, query: string, httpsPort: number): string | null {
  const hostname = parseHostname(host);
  if (hostname === null || path.charCodeAt(0) !== 47 /* '/' */) return null;
  const port = httpsPort === HTTPS_DEFAULT_PORT ? '' : `:${httpsPort}`;
  const target = encodeUnsafe(path) + (query === '' ? '' : '?' + encodeUnsafe(query));
  return `https://${hostname}${port}${target}`;
}

const REG_NAME = /^[A-Za-z0-9]([A-Za-z0-9._~-]*[A-Za-z0-9])?$/;
const IP_LITERAL = /^\[[0-9A-Fa-f:.]+\]$/;
const PORT = /^\d{0,5}$/;

/** "Example.com:8080" → "Example.com", "[::1]:80" → "[::1]"; null when malformed. */
export function parseHostname(host: string): string | null {
  const text = host.trim();
  const close = text.lastIndexOf(']');
  const colon = text.indexOf(':', close === -1 ? 0 : close);
  const name = colon === -1 ? text : text.slice(0, colon);
  if (colon !== -1 && !PORT.test(text.slice(colon + 1))) return null;
  if (name.length === 0 || name.length > 255) return null;
  return REG_NAME.test(name) || IP_LITERAL.test(name) ? name : null;
}

/** Percent-encode (as UTF-8) every character outside visible ASCII; escapes already there stay. */
function encodeUnsafe(text: string): string {
  let isSafe = true;
  for (let i = 0; i < text.length && isSafe; i++) isSafe = isVisibleAscii(text.charCodeAt(i));
  if (isSafe) return text;
  let out = '';
  for (const ch of text) out += isVisibleAscii(ch.charCodeAt(0)) ? ch : encodeCharacter(ch);
  return out;
}

function isVisibleAscii(c: number): boolean {
  return c > 0x20 && c < 0x7f;
}

function encodeCharacter(ch: string): string {
  try {
    return encodeURIComponent(ch);
  } catch {
    return '%EF%BF%BD'; // a lone surrogate: U+FFFD, as a UTF-8 decoder would
  }
}
