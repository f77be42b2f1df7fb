/**
 * Request-target path → cache key. Pure: no file system, no uWS.
 *
 * Safety does not rest on this function alone: keys are only ever looked up
 * in the in-memory table built from a walk of the root, so no key can name a
 * file outside it. This function makes lookups canonical and rejects input
 * that no well-behaved client sends.
 */

const SLASH = 47; // '/'
const DOT = 46; // '.'
const PERCENT = 37; // '%'
const BACKSLASH = 92; // '\'

/**
 * Turn the path part of a request-target (no query string) into the decoded,
 * normalised key used by the cache table, or `null` when the request is bad
 * (→ 400).
 *
 * Rules, in the spirit of nginx's ngx_http_parse_complex_uri:
 * - percent-decoding is done once (`%252e` stays the literal `%2e`);
 *   invalid escapes or invalid UTF-8 → null;
 * - NUL and backslashes, raw or encoded, → null (never a file name we serve);
 * - `//` collapses to `/` (nginx `merge_slashes on`);
 * - `.` and `..` segments are removed (RFC 3986 §5.2.4); `..` above the root
 *   → null, as nginx answers 400.
 * A trailing slash is kept: `/dir/` and `/dir` are different keys.
 */
export function resolveRequestPath(rawPath: string): string | null {
  if (rawPath.length === 0 || rawPath.charCodeAt(0) !== SLASH) return null;
  if (isPlainPath(rawPath)) return rawPath;
  let decoded = rawPath;
  if (rawPath.indexOf('%') !== -1) {
    try {
      decoded = decodeURIComponent(rawPath);
    } catch {
      return null;
    }
  }
  if (decoded.indexOf('\0') !== -1 || decoded.indexOf('\\') !== -1) return null;
  return removeDotSegments(decoded);
}

/**
 * True when `path` needs no decoding and no normalisation: no `%`, no
 * backslash, no empty segment and no segment that starts with a dot followed
 * by nothing, `/` or another dot. The common case for real traffic.
 */
export function isPlainPath(path: string): boolean {
  let previous = SLASH;
  for (let i = 1; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === PERCENT || c === BACKSLASH || c === 0) return false;
    if (previous === SLASH && (c === SLASH || c === DOT)) return false;
    previous = c;
  }
  return true;
}

function removeDotSegments(path: string): string | null {
  const segments = path.split('/');
  const out: string[] = [];
  const last = segments.length - 1;
  for (let i = 1; i <= last; i++) {
    const s = segments[i];
    if (s === '..') {
      if (out.length === 0) return null;
      out.pop();
      if (i === last) out.push('');
    } else if (s === '.' || (s === '' && i !== last)) {
      if (i === last) out.push('');
    } else {
      out.push(s);
    }
  }
  return '/' + out.join('/');
}

/**
 * True when any segment of a decoded key starts with a dot (`/.env`,
 * `/.git/config`, `/a/.hidden/b`). Used by the dotfile policy.
 */
export function hasDotSegment(key: string): boolean {
  for (let i = 0; i < key.length - 1; i++) {
    if (key.charCodeAt(i) === SLASH && key.charCodeAt(i + 1) === DOT) return true;
  }
  return false;
}

/**
 * Percent-encode a decoded key for a `Location` header or a uWS route
 * pattern, the way browsers encode a path: `encodeURI`'s set plus `?` and
 * `#`, which would otherwise end the path.
 */
export function encodePath(key: string): string {
  return encodeURI(key).replace(/[?#]/g, (c) => (c === '?' ? '%3F' : '%23'));
}
