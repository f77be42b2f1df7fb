/**
 * Conditional requests, RFC 9110 §13. Pure functions over header strings.
 * uWS returns '' for an absent header, so '' means "not sent" throughout.
 *
 * Each check is tri-state like Go's net/http: the header is absent or not
 * evaluable (COND_NONE), its condition holds (COND_TRUE) or fails
 * (COND_FALSE).
 */

export const COND_NONE = 0;
export const COND_TRUE = 1;
export const COND_FALSE = 2;
export type Cond = typeof COND_NONE | typeof COND_TRUE | typeof COND_FALSE;

/** What to answer after evaluating preconditions (§13.2.2). */
export const PRECONDITION_PASS = 0;
export const PRECONDITION_NOT_MODIFIED = 304;
export const PRECONDITION_FAILED = 412;
export type Precondition =
  | typeof PRECONDITION_PASS
  | typeof PRECONDITION_NOT_MODIFIED
  | typeof PRECONDITION_FAILED;

const COMMA = 44;
const SPACE = 32;
const TAB = 9;
const QUOTE = 34;

/**
 * Does an If-None-Match / If-Match list contain `etag`? `etag` is the full
 * quoted strong tag of the representation (`"abc"`). With `isWeak`, a `W/`
 * prefix on a list member is ignored (weak comparison, §8.8.3.2); otherwise
 * weak members never match (strong comparison).
 * `*` matches any current representation. A malformed list yields false for
 * the members it cannot read.
 */
export function matchesEtagList(header: string, etag: string, isWeak: boolean): boolean {
  if (header === etag) return true;
  const n = header.length;
  let i = 0;
  while (i < n) {
    let c = header.charCodeAt(i);
    if (c === SPACE || c === TAB || c === COMMA) {
      i++;
      continue;
    }
    if (c === 42 /* * */) return true;
    let weak = false;
    if (c === 87 /* W */ && header.charCodeAt(i + 1) === 47 /* / */) {
      weak = true;
      i += 2;
      c = header.charCodeAt(i);
    }
    if (c !== QUOTE) {
      // Not an entity-tag: skip to the next comma.
      const next = header.indexOf(',', i);
      if (next === -1) return false;
      i = next + 1;
      continue;
    }
    const close = header.indexOf('"', i + 1);
    if (close === -1) return false;
    if ((isWeak || !weak) && close + 1 - i === etag.length && header.startsWith(etag, i)) {
      return true;
    }
    i = close + 1;
  }
  return false;
}

/** §13.1.1 If-Match: strong comparison. */
export function checkIfMatch(header: string, etag: string): Cond {
  if (header === '') return COND_NONE;
  return matchesEtagList(header, etag, false) ? COND_TRUE : COND_FALSE;
}

/** §13.1.2 If-None-Match: weak comparison; TRUE means "none matched". */
export function checkIfNoneMatch(header: string, etag: string): Cond {
  if (header === '') return COND_NONE;
  return matchesEtagList(header, etag, true) ? COND_FALSE : COND_TRUE;
}

/**
 * Parse an HTTP-date (§5.6.7) to whole seconds since the epoch, or NaN.
 * Accepts IMF-fixdate and the two obsolete forms recipients must read
 * (RFC 850 and asctime); anything else is NaN, because `Date.parse` alone
 * would read strings like "0" or "2024" as dates.
 */
export function parseHttpDate(value: string): number {
  const n = value.length;
  let ms: number;
  if (n === 29 && value.charCodeAt(3) === COMMA && value.endsWith(' GMT')) {
    ms = Date.parse(value); // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
  } else if (n === 24 && value.charCodeAt(3) === SPACE) {
    ms = Date.parse(value + ' GMT'); // asctime: Sun Nov  6 08:49:37 1994
  } else if (n >= 30 && n <= 33 && value.endsWith(' GMT') && value.indexOf(', ') > 5) {
    ms = Date.parse(value); // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
  } else {
    return NaN;
  }
  return Math.floor(ms / 1000);
}

/**
 * §13.1.3 If-Modified-Since: TRUE when the representation was modified after
 * the given date. `lastModified` is the exact header value we send, so the
 * usual echo of it is answered without parsing a date.
 */
export function checkIfModifiedSince(header: string, lastModified: string, mtimeSec: number): Cond {
  if (header === '') return COND_NONE;
  if (header === lastModified) return COND_FALSE;
  const since = parseHttpDate(header);
  if (Number.isNaN(since)) return COND_NONE;
  return mtimeSec > since ? COND_TRUE : COND_FALSE;
}

/** §13.1.4 If-Unmodified-Since: TRUE when not modified after the date. */
export function checkIfUnmodifiedSince(header: string, lastModified: string, mtimeSec: number): Cond {
  if (header === '') return COND_NONE;
  if (header === lastModified) return COND_TRUE;
  const since = parseHttpDate(header);
  if (Number.isNaN(since)) return COND_NONE;
  return mtimeSec <= since ? COND_TRUE : COND_FALSE;
}

/**
 * §13.1.5 If-Range: TRUE when the range may be applied. An entity-tag must
 * match strongly (a weak tag never does); a date must equal Last-Modified
 * exactly (we only send strong validators, so equality is the test Go and
 * nginx use).
 */
export function checkIfRange(header: string, etag: string, lastModified: string, mtimeSec: number): Cond {
  if (header === '') return COND_NONE;
  const c = header.charCodeAt(0);
  if (c === QUOTE) return header === etag ? COND_TRUE : COND_FALSE;
  if (c === 87 /* W */ && header.charCodeAt(1) === 47 /* / */) return COND_FALSE;
  if (header === lastModified) return COND_TRUE;
  const date = parseHttpDate(header);
  if (Number.isNaN(date)) return COND_FALSE;
  return date === mtimeSec ? COND_TRUE : COND_FALSE;
}

/**
 * The precondition order of RFC 9110 §13.2.2 for GET and HEAD:
 * 1. If-Match, or If-Unmodified-Since when If-Match is absent → 412;
 * 2. If-None-Match, or If-Modified-Since when If-None-Match is absent → 304.
 * (Step 5, If-Range, belongs to range handling: see checkIfRange.)
 */
export function evaluatePreconditions(
  ifMatch: string,
  ifUnmodifiedSince: string,
  ifNoneMatch: string,
  ifModifiedSince: string,
  etag: string,
  lastModified: string,
  mtimeSec: number,
): Precondition {
  if (ifMatch !== '') {
    if (checkIfMatch(ifMatch, etag) === COND_FALSE) return PRECONDITION_FAILED;
  } else if (checkIfUnmodifiedSince(ifUnmodifiedSince, lastModified, mtimeSec) === COND_FALSE) {
    return PRECONDITION_FAILED;
  }
  if (ifNoneMatch !== '') {
    if (checkIfNoneMatch(ifNoneMatch, etag) === COND_FALSE) return PRECONDITION_NOT_MODIFIED;
  } else if (checkIfModifiedSince(ifModifiedSince, lastModified, mtimeSec) === COND_FALSE) {
    return PRECONDITION_NOT_MODIFIED;
  }
  return PRECONDITION_PASS;
}
