/**
 * Range request parsing (RFC 9110 §14).
 *
 * Policy, chosen to keep the hot path cheap and the response never wrong:
 * - Anything we would have to guess about (no `bytes=` unit, bad syntax,
 *   `last-pos < first-pos`) is ignored: the caller serves 200 with the full
 *   body, which §14.2 allows ("A server MAY ignore or reject a Range header
 *   field that contains an invalid ranges-specifier"). Go and nginx reject
 *   with 416; we ignore, since 416 means "the file cannot supply this" and a
 *   malformed value never said what it wanted.
 * - Amplification: like nginx and Go we ignore the header (200 full) when
 *   the kept ranges' lengths add up to more than the representation, which
 *   is what overlapping or repeated ranges do; §14.2 names overlapping and
 *   many small unordered ranges as signs of a broken client or an attack.
 *   We also cap the count at {@link MAX_RANGES}.
 * - No coalescing: parts are served in the order asked, as Go and nginx do.
 *   §14.6 permits coalescing but does not require it, and the sum bound
 *   already limits the cost of overlaps to at most one copy of the file.
 */

/** A byte range with an inclusive `end`, both within `[0, size)`. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * What to do with a Range header:
 * - `none`: serve 200 with the full body. Covers an absent, empty, malformed
 *   or non-`bytes` header and the amplification bound (too many ranges, or
 *   lengths summing past the size).
 * - `unsatisfiable`: answer 416 with `Content-Range: bytes *\/size`
 *   ({@link formatUnsatisfiedRange}).
 * - `single`: answer 206 with one range; `end` is inclusive.
 * - `multi`: answer 206 `multipart/byteranges` with 2..MAX_RANGES ranges in
 *   request order (see `multipart.ts`).
 */
export type RangeResult =
  | { readonly kind: 'none' }
  | { readonly kind: 'unsatisfiable' }
  | { readonly kind: 'single'; readonly start: number; readonly end: number }
  | { readonly kind: 'multi'; readonly ranges: readonly ByteRange[] };

/**
 * Most satisfiable ranges served as multipart; more → 200 full body.
 *
 * Real clients send one range (media players, resumable downloads) or a
 * handful (PDF viewers fetching objects by offset). Each part costs a
 * formatted header and a separate write, so the cap bounds CPU and part
 * header overhead per request; a client asking for more still gets a correct
 * (200) answer. For comparison: Apache's MaxRanges defaults to 200; nginx's
 * max_ranges and Go have no count limit and rely on the sum-of-lengths
 * bound alone, which we apply as well.
 */
export const MAX_RANGES = 16;

// Immutable, so one instance can be shared by every request.
const NONE: RangeResult = Object.freeze({ kind: 'none' });
const UNSATISFIABLE: RangeResult = Object.freeze({ kind: 'unsatisfiable' });

const SP = 0x20;
const HTAB = 0x09;
const COMMA = 0x2c;
const DASH = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/**
 * Parses a `Range` header value against a representation of `size` bytes
 * (RFC 9110 §14.1.1 byte-range-set, §14.2 Range).
 *
 * Accepts `bytes=a-b`, `bytes=a-`, `bytes=-n`, comma lists with OWS (space or
 * tab) around elements, commas and the dash (Apache's and Go's laxity), empty
 * list elements (§5.6.1), and a case-insensitive unit (§14.1). Numbers beyond
 * 2^53 are "larger than any file" (§14.1.2: recipients MUST anticipate large
 * numerals), never an overflow error: as a first-pos → unsatisfiable, as a
 * last-pos or suffix-length → clamped to the file, as any oversized value.
 *
 * Zero-length representations: §14.1.2 says the only satisfiable form is a
 * suffix-range with a non-zero length, but no `Content-Range` (§14.4) can
 * describe an empty range (Go emits `bytes 0--1/0`), so that case yields
 * `none`: 200 with the empty body, which §14.2 allows ("MAY ignore a Range
 * header field when the selected representation has no content"). Every
 * other range-spec is unsatisfiable, as in Go.
 *
 * @param header the field value; '' when absent (uWS returns '' for both)
 * @param size representation length in bytes, a non-negative safe integer
 * @returns a fresh `single`/`multi` object, or a shared frozen `none` /
 *   `unsatisfiable` constant; nothing returned is mutated afterwards
 * @example
 * parseRange('bytes=-8', 100); // { kind: 'single', start: 92, end: 99 }
 */
export function parseRange(header: string, size: number): RangeResult {
  if (!hasBytesUnit(header)) return NONE;
  const len = header.length;
  let count = 0; // satisfiable ranges kept
  let isEmptySet = true; // no range-spec yet, as in `bytes=` or `bytes= , ,`
  let firstStart = 0;
  let firstEnd = 0;
  let total = 0;
  let ranges: ByteRange[] | null = null;
  // Each pass consumes one list element and leaves `i` on its comma (or end).
  for (let i = 6; i < len; i++) {
    i = skipOws(header, i, len);
    if (i === len) break;
    if (header.charCodeAt(i) === COMMA) continue; // empty element, §5.6.1
    const from = i;
    // range-spec = [ first-pos ] "-" [ last-pos ], OWS tolerated around "-"
    const firstTo = skipDigits(header, from, len);
    const dash = skipOws(header, firstTo, len);
    if (dash === len || header.charCodeAt(dash) !== DASH) return NONE;
    const lastFrom = skipOws(header, dash + 1, len);
    const lastTo = skipDigits(header, lastFrom, len);
    i = skipOws(header, lastTo, len);
    if (i !== len && header.charCodeAt(i) !== COMMA) return NONE;
    isEmptySet = false;
    let start: number;
    let end = size - 1;
    if (firstTo === from) {
      // suffix-range = "-" suffix-length
      if (lastTo === lastFrom) return NONE;
      const suffix = readInt(header, lastFrom, lastTo);
      if (suffix === 0) continue; // §14.1.2: a zero suffix is unsatisfiable
      if (size === 0) return NONE; // satisfiable, yet nothing to cut out
      start = suffix >= size ? 0 : size - suffix;
    } else {
      start = readInt(header, from, firstTo);
      const last = lastTo === lastFrom ? Infinity : readInt(header, lastFrom, lastTo);
      if (last < start) return NONE; // §14.1.1: such a range-spec is invalid
      if (start >= size) continue; // §14.1.2: unsatisfiable, dropped
      if (last < end) end = last;
    }
    if (++count > MAX_RANGES) return NONE;
    total += end - start + 1;
    if (count === 1) {
      firstStart = start;
      firstEnd = end;
    } else if (ranges === null) {
      ranges = [{ start: firstStart, end: firstEnd }, { start, end }];
    } else {
      ranges.push({ start, end });
    }
  }
  if (count === 0) return isEmptySet ? NONE : UNSATISFIABLE;
  if (total > size) return NONE; // overlap/repeat amplification, see top
  if (ranges === null) return { kind: 'single', start: firstStart, end: firstEnd };
  return { kind: 'multi', ranges };
}

/**
 * Formats a satisfied `Content-Range` value (RFC 9110 §14.4).
 * @param start first byte, inclusive
 * @param end last byte, inclusive
 * @param size complete length of the representation
 * @example formatContentRange(0, 0, 10) // 'bytes 0-0/10'
 */
export function formatContentRange(start: number, end: number, size: number): string {
  return `bytes ${start}-${end}/${size}`;
}

/**
 * Formats the `Content-Range` value a 416 response carries (RFC 9110 §14.4,
 * §15.5.17).
 * @param size complete length of the representation
 * @example formatUnsatisfiedRange(10) // 'bytes *\/10'
 */
export function formatUnsatisfiedRange(size: number): string {
  return `bytes */${size}`;
}

/** True when the value starts with `bytes=`, unit compared case-insensitively (§14.1). */
function hasBytesUnit(s: string): boolean {
  return (
    s.length >= 6 &&
    (s.charCodeAt(0) | 0x20) === 0x62 && // b
    (s.charCodeAt(1) | 0x20) === 0x79 && // y
    (s.charCodeAt(2) | 0x20) === 0x74 && // t
    (s.charCodeAt(3) | 0x20) === 0x65 && // e
    (s.charCodeAt(4) | 0x20) === 0x73 && // s
    s.charCodeAt(5) === 0x3d // =
  );
}

// Both scanners are bounded: charCodeAt past the end returns NaN through a
// slow path that measurably slows the whole function once V8 has seen it.

/** Index of the first non-OWS (SP / HTAB, RFC 9110 §5.6.3) in `[i, end)`, or `end`. */
function skipOws(s: string, i: number, end: number): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c !== SP && c !== HTAB) break;
    i++;
  }
  return i;
}

/** Index of the first non-digit in `[i, end)`, or `end`. */
function skipDigits(s: string, i: number, end: number): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c < DIGIT_0 || c > DIGIT_9) break;
    i++;
  }
  return i;
}

/**
 * Value of the digits in `s[from, to)`. Past 2^53 the value is rounded, but
 * rounding is monotonic and every such value still exceeds any `size`, so
 * the comparisons made with it keep their meaning (and 400 digits → Infinity).
 */
function readInt(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (s.charCodeAt(i) - DIGIT_0);
  return n;
}
