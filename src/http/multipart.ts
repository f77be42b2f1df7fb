/**
 * `multipart/byteranges` framing for multi-range responses (RFC 9110 §14.6).
 *
 * Only the framing is built here; the range bytes stay in the cached body
 * and are written as slices between the part heads, so nothing is copied.
 * The layout is nginx's (ngx_http_range_filter_module.c), byte for byte:
 *
 * ```
 * CRLF "--" boundary CRLF
 * "Content-Type: " type CRLF          (omitted when the type is '')
 * "Content-Range: bytes " a "-" b "/" size CRLF
 * CRLF
 * <bytes a..b>                         … repeated per range, then:
 * CRLF "--" boundary "--" CRLF
 * ```
 *
 * The leading CRLF is the delimiter's own (RFC 2046 §5.1.1), preceded by
 * an empty preamble. The boundary is the caller's: this module stays pure,
 * so randomness (e.g. 16 hex digits from `crypto.randomBytes`) lives there.
 */

import type { ByteRange } from './range.js';

/** Framing strings for a multipart/byteranges body. */
export interface MultipartParts {
  /** `heads[i]` is written immediately before the bytes of `ranges[i]`. */
  readonly heads: readonly string[];
  /** Closing delimiter, written after the last range's bytes. */
  readonly tail: string;
  /** Whole body length in bytes (UTF-8 for the strings), for Content-Length. */
  readonly length: number;
}

const DELIMITER = '\r\n--';
const CONTENT_TYPE = '\r\nContent-Type: ';
const CONTENT_RANGE = '\r\nContent-Range: bytes ';
const HEAD_END = '\r\n\r\n';
const CLOSE = '--\r\n';

/**
 * Builds the part heads and closing delimiter for `ranges` of a
 * representation of `size` bytes.
 * @param ranges two or more ranges, inclusive ends within `[0, size)`, in
 *   the order to send them (as `parseRange` returns them in `multi`)
 * @param size complete length, repeated in each part's Content-Range
 * @param contentType the representation's own Content-Type value, or ''
 * @param boundary 1 to 70 RFC 2046 bchars, not occurring in the body
 * @example
 * const parts = buildMultipartParts(r.ranges, body.length, 'text/plain', boundary);
 * // 206 with Content-Type: formatMultipartContentType(boundary) and
 * // Content-Length: parts.length, then for each i: parts.heads[i] and
 * // body.subarray(r.ranges[i].start, r.ranges[i].end + 1); then parts.tail.
 */
export function buildMultipartParts(
  ranges: readonly ByteRange[],
  size: number,
  contentType: string,
  boundary: string,
): MultipartParts {
  const prefix =
    contentType === ''
      ? `${DELIMITER}${boundary}${CONTENT_RANGE}`
      : `${DELIMITER}${boundary}${CONTENT_TYPE}${contentType}${CONTENT_RANGE}`;
  const suffix = `/${size}${HEAD_END}`;
  const heads: string[] = new Array<string>(ranges.length);
  const tail = `${DELIMITER}${boundary}${CLOSE}`;
  let length = Buffer.byteLength(tail);
  for (let i = 0; i < ranges.length; i++) {
    const { start, end } = ranges[i];
    const head = `${prefix}${start}-${end}${suffix}`;
    heads[i] = head;
    length += Buffer.byteLength(head) + (end - start + 1);
  }
  return { heads, tail, length };
}

/**
 * Body length {@link buildMultipartParts} would produce, computed without
 * building any string: for a HEAD response, or to size a buffer first.
 * @param ranges as for {@link buildMultipartParts}
 * @param size complete length of the representation
 * @param contentType the representation's Content-Type value, or ''
 * @param boundary the boundary that will be used
 * @example
 * computeMultipartLength([{ start: 0, end: 0 }, { start: 9, end: 9 }], 10, '', 'b')
 */
export function computeMultipartLength(
  ranges: readonly ByteRange[],
  size: number,
  contentType: string,
  boundary: string,
): number {
  const boundaryBytes = Buffer.byteLength(boundary);
  const typeBytes = contentType === '' ? 0 : CONTENT_TYPE.length + Buffer.byteLength(contentType);
  // per part: delimiter, boundary, type line, "Content-Range: bytes ", "-", "/size", blank line
  const fixed =
    DELIMITER.length + boundaryBytes + typeBytes + CONTENT_RANGE.length + 2 +
    countDigits(size) + HEAD_END.length;
  let length = DELIMITER.length + boundaryBytes + CLOSE.length;
  for (let i = 0; i < ranges.length; i++) {
    const { start, end } = ranges[i];
    length += fixed + countDigits(start) + countDigits(end) + (end - start + 1);
  }
  return length;
}

/**
 * The response's `Content-Type` value for a multipart body (RFC 9110 §14.6).
 * @param boundary the boundary passed to {@link buildMultipartParts}
 * @example formatMultipartContentType('00000000000000a1') // 'multipart/byteranges; boundary=00000000000000a1'
 */
export function formatMultipartContentType(boundary: string): string {
  return `multipart/byteranges; boundary=${boundary}`;
}

/** Number of decimal digits of a non-negative safe integer. */
function countDigits(n: number): number {
  let digits = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    digits++;
  }
  return digits;
}
