/**
 * Accept-Encoding negotiation (RFC 9110 §12.5.3) over the variants a cache
 * entry holds: identity always, gzip and br when precompressed.
 *
 * Leniency, decided once:
 * - An element we cannot parse is ignored, not the whole field: a bad
 *   `q` (`q=2`, `q=0.0001`, `q=.5`, `q = 1`) or anything after the coding
 *   other than one weight. The element then counts as unlisted. nginx
 *   refuses gzip on a bad q; for gzip and br that is the same answer unless
 *   `*` is also listed.
 * - qvalue follows §12.4.2 exactly: `0`, `0.` and up to 3 decimals, `1`,
 *   `1.` and up to 3 zeros. `q` may be upper case (§5.6.6: parameter names
 *   are case-insensitive). A bare `;` after a coding means q=1, as in nginx.
 * - A coding listed twice keeps its highest q, as the `negotiator` package
 *   (Express, Koa) does.
 * - Unlisted identity is acceptable with the lowest preference, so any
 *   listed coding with q > 0 wins over it; this is also negotiator's rule.
 */

/** Serve the uncompressed body. */
export const ENC_IDENTITY = 0;
/** Serve the gzip variant (`Content-Encoding: gzip`). */
export const ENC_GZIP = 1;
/** Serve the brotli variant (`Content-Encoding: br`). */
export const ENC_BR = 2;
/** No available variant is acceptable: answer 406 (RFC 9110 §15.5.7). */
export const ENC_NOT_ACCEPTABLE = -1;

/** Which variant to serve; identity, gzip and br double as array indexes. */
export type Encoding =
  | typeof ENC_IDENTITY
  | typeof ENC_GZIP
  | typeof ENC_BR
  | typeof ENC_NOT_ACCEPTABLE;

/** Bit in an entry's `available` mask: a gzip variant exists. */
export const HAS_GZIP = 1;
/** Bit in an entry's `available` mask: a br variant exists. */
export const HAS_BR = 2;

// Weights are kept in thousandths (§12.4.2 allows three decimals), so they
// stay small integers. -1 means "not listed".
const Q_MAX = 1000;
const UNLISTED = -1;
const IMPLICIT_IDENTITY = 1; // acceptable, but below any listed coding

const CODING_OTHER = 0;
const CODING_GZIP = 1;
const CODING_BR = 2;
const CODING_IDENTITY = 3;
const CODING_STAR = 4;

const SP = 0x20;
const HTAB = 0x09;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;

/**
 * Chooses the variant to serve for an `Accept-Encoding` value.
 *
 * Highest q wins; at equal q, br beats gzip beats identity. `*` stands for
 * every coding not listed, identity included; `x-gzip` is gzip (§8.4.1.3).
 * Identity is refused only by `identity;q=0`, or by `*;q=0` when identity
 * is not listed (§12.5.3); if then no available coding is acceptable the
 * result is {@link ENC_NOT_ACCEPTABLE}.
 *
 * An absent field allows any coding (§12.5.3) and an empty one asks for
 * none, but uWS returns '' for both, so both yield identity: the safe
 * reading, and what nginx does without the header.
 *
 * @param header the field value, '' when absent
 * @param available mask of {@link HAS_GZIP} | {@link HAS_BR}
 * @example
 * negotiateEncoding('gzip, deflate, br', HAS_GZIP | HAS_BR) // ENC_BR
 */
export function negotiateEncoding(header: string, available: number): Encoding {
  // Fast path: exact values that browsers, curl and HTTP libraries send,
  // each accepting its codings at q=1. bench/micro/encoding.bench.ts: 4–6×
  // cheaper than parsing them (fresh strings, so `===` compares contents).
  switch (header) {
    case 'gzip, deflate, br, zstd':
    case 'gzip, deflate, br':
    case 'deflate, gzip, br, zstd':
    case 'br, gzip':
    case 'gzip, br':
      return (available & HAS_BR) !== 0 ? ENC_BR : (available & HAS_GZIP) !== 0 ? ENC_GZIP : ENC_IDENTITY;
    case 'gzip, deflate':
    case 'deflate, gzip':
    case 'gzip':
      return (available & HAS_GZIP) !== 0 ? ENC_GZIP : ENC_IDENTITY;
    case 'br':
      return (available & HAS_BR) !== 0 ? ENC_BR : ENC_IDENTITY;
    case '':
    case 'identity':
      return ENC_IDENTITY;
  }
  return parseAndNegotiateEncoding(header, available);
}

/**
 * {@link negotiateEncoding} without the fast path: always parses the field.
 * Exported so tests can check both agree and the benchmark can compare them.
 * @param header the field value, '' when absent
 * @param available mask of {@link HAS_GZIP} | {@link HAS_BR}
 * @example
 * parseAndNegotiateEncoding('br;q=0, gzip', HAS_GZIP | HAS_BR) // ENC_GZIP
 */
export function parseAndNegotiateEncoding(header: string, available: number): Encoding {
  let qGzip = UNLISTED;
  let qBr = UNLISTED;
  let qIdentity = UNLISTED;
  let qStar = UNLISTED;
  const len = header.length;
  for (let i = 0; i < len; i++) {
    const from = skipOws(header, i, len);
    let to = from;
    while (to < len && !isTokenEnd(header.charCodeAt(to))) to++;
    i = to;
    while (i < len && header.charCodeAt(i) !== COMMA) i++; // i: this element's end
    const q = to > from ? readWeight(header, to, i) : UNLISTED;
    if (q === UNLISTED) continue;
    switch (identifyCoding(header, from, to)) {
      case CODING_GZIP: if (q > qGzip) qGzip = q; break;
      case CODING_BR: if (q > qBr) qBr = q; break;
      case CODING_IDENTITY: if (q > qIdentity) qIdentity = q; break;
      case CODING_STAR: if (q > qStar) qStar = q; break;
    }
  }
  return chooseEncoding(available, qGzip, qBr, qIdentity, qStar);
}

/** Picks the best variant from per-coding weights (thousandths, -1 unlisted). */
function chooseEncoding(
  available: number,
  qGzip: number,
  qBr: number,
  qIdentity: number,
  qStar: number,
): Encoding {
  const star = qStar === UNLISTED ? 0 : qStar; // §12.5.3: unlisted → not acceptable
  const br = (available & HAS_BR) === 0 ? 0 : qBr === UNLISTED ? star : qBr;
  const gzip = (available & HAS_GZIP) === 0 ? 0 : qGzip === UNLISTED ? star : qGzip;
  const identity = qIdentity !== UNLISTED ? qIdentity : qStar !== UNLISTED ? qStar : IMPLICIT_IDENTITY;
  if (br > 0 && br >= gzip && br >= identity) return ENC_BR;
  if (gzip > 0 && gzip >= identity) return ENC_GZIP;
  if (identity > 0) return ENC_IDENTITY;
  return ENC_NOT_ACCEPTABLE;
}

/**
 * Reads what follows a coding, `s[i, end)` up to its comma: nothing, or
 * `OWS ";" OWS "q=" qvalue OWS` (§12.4.2).
 * @returns the weight in thousandths, or -1 when malformed
 */
function readWeight(s: string, i: number, end: number): number {
  i = skipOws(s, i, end);
  if (i === end) return Q_MAX;
  if (s.charCodeAt(i) !== SEMICOLON) return UNLISTED;
  i = skipOws(s, i + 1, end);
  if (i === end) return Q_MAX; // bare `;`, tolerated as nginx does
  if (end - i < 3 || (s.charCodeAt(i) | 0x20) !== 0x71 || s.charCodeAt(i + 1) !== 0x3d) {
    return UNLISTED; // not `q=` and a digit
  }
  const lead = s.charCodeAt(i + 2) - 0x30;
  if (lead !== 0 && lead !== 1) return UNLISTED;
  let q = lead * Q_MAX;
  i += 3;
  if (i < end && s.charCodeAt(i) === 0x2e) {
    // "." then up to three digits, which must all be 0 after a leading 1
    i++;
    for (let scale = 100; scale >= 1 && i < end; scale /= 10, i++) {
      const d = s.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) break;
      if (lead === 1 && d !== 0) return UNLISTED;
      q += d * scale;
    }
  }
  return skipOws(s, i, end) === end ? q : UNLISTED;
}

/** Classifies the coding token `s[from, to)`, case-insensitively (§8.4.1). */
function identifyCoding(s: string, from: number, to: number): number {
  switch (to - from) {
    case 1: return s.charCodeAt(from) === 0x2a ? CODING_STAR : CODING_OTHER;
    case 2: return matchesLowercase(s, from, 'br') ? CODING_BR : CODING_OTHER;
    case 4: return matchesLowercase(s, from, 'gzip') ? CODING_GZIP : CODING_OTHER;
    case 6: return matchesLowercase(s, from, 'x-gzip') ? CODING_GZIP : CODING_OTHER;
    case 8: return matchesLowercase(s, from, 'identity') ? CODING_IDENTITY : CODING_OTHER;
    default: return CODING_OTHER;
  }
}

/** True when `s` at `from` spells `lower`, letters compared case-insensitively. */
function matchesLowercase(s: string, from: number, lower: string): boolean {
  for (let k = 0; k < lower.length; k++) {
    const l = lower.charCodeAt(k);
    const c = s.charCodeAt(from + k);
    if (c !== l && !(l >= 0x61 && l <= 0x7a && (c | 0x20) === l)) return false;
  }
  return true;
}

/** True for the characters that end a coding token: OWS, `;` or `,`. */
function isTokenEnd(c: number): boolean {
  return c === SP || c === HTAB || c === SEMICOLON || c === COMMA;
}

/** Index of the first non-OWS (SP / HTAB, §5.6.3) in `[i, end)`, or `end`. */
function skipOws(s: string, i: number, end: number): number {
  // Bounded: charCodeAt past the end returns NaN through a slow path.
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c !== SP && c !== HTAB) break;
    i++;
  }
  return i;
}
