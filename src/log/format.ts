/**
 * Access log lines: nginx's `combined` format and JSON lines. Pure
 * functions; the clock text is cached per second by the caller
 * (createTimeText), so a line costs its concatenations and, rarely, an
 * escape.
 */

/** One response, as the access log sees it. Observers reuse one object per worker. */
export interface AccessRecord {
  /** Client address, normalised by formatRemoteAddress. */
  remote: string;
  /** Upper-case method. */
  method: string;
  /** Request path as received (still percent-encoded), without the query. */
  path: string;
  /** Query without `?`; undefined when the request had no `?`. */
  query: string | undefined;
  status: number;
  /** Body bytes sent: 0 for HEAD and 304, what was written for an aborted download. */
  bytes: number;
  /** Header values; '' when absent. */
  referer: string;
  userAgent: string;
  /** Handler start to last byte taken by uWS (json only). */
  durationMs: number;
  /** Worker slot. */
  worker: number;
}

/** A blank record to fill. */
export function createRecord(worker: number): AccessRecord {
  return { remote: '', method: '', path: '', query: undefined, status: 0, bytes: 0, referer: '', userAgent: '', durationMs: 0, worker };
}

/** A copy, for a response that finishes later than its handler. */
export function copyRecord(record: AccessRecord): AccessRecord {
  return { ...record };
}

/**
 * nginx's combined format:
 * `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`.
 * There is no authentication, so $remote_user is always `-`. uWS answers
 * HTTP/1.1 requests only, hence the fixed protocol in `$request`.
 */
export function formatCombinedLine(record: AccessRecord, timeText: string): string {
  const target = record.query === undefined ? record.path : record.path + '?' + record.query;
  return (
    record.remote + ' - - [' + timeText + '] "' + record.method + ' ' + escapeLogText(target) + ' HTTP/1.1" ' +
    record.status + ' ' + record.bytes + ' "' + escapeOrDash(record.referer) + '" "' + escapeOrDash(record.userAgent) + '"\n'
  );
}

/** One JSON object per line; strings escaped by JSON.stringify (RFC 8259, lone surrogates as \udXXX). */
export function formatJsonLine(record: AccessRecord, timeText: string): string {
  return (
    '{"time":"' + timeText + '","remote":"' + record.remote + '","method":"' + record.method +
    '","path":' + JSON.stringify(record.path) + ',"query":' + JSON.stringify(record.query ?? '') +
    ',"status":' + record.status + ',"bytes":' + record.bytes +
    ',"referer":' + JSON.stringify(record.referer) + ',"user_agent":' + JSON.stringify(record.userAgent) +
    ',"duration_ms":' + formatDuration(record.durationMs) + ',"worker":' + record.worker + '}\n'
  );
}

/** Milliseconds with microsecond digits, never exponent notation. */
export function formatDuration(ms: number): string {
  return ms > 0 ? ms.toFixed(3) : '0';
}

function escapeOrDash(text: string): string {
  return text === '' ? '-' : escapeLogText(text);
}

const HEX = '0123456789ABCDEF';

/**
 * Escape as nginx's ngx_http_log_escape does: `"`, `\`, control bytes,
 * DEL and every byte of a non-ASCII character become `\xHH` (upper-case),
 * so a line is printable ASCII and a value cannot end its quotes. uWS hands
 * over header and URL bytes decoded as UTF-8 (an invalid byte arrives as
 * U+FFFD and is logged as its bytes, \xEF\xBF\xBD).
 */
export function escapeLogText(text: string): string {
  let i = 0;
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e || code === 0x22 || code === 0x5c) break;
  }
  if (i === text.length) return text;
  let out = text.slice(0, i);
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code <= 0x7e && code !== 0x22 && code !== 0x5c) {
      out += text[i];
    } else if (code < 0x80) {
      out += escapeByte(code);
    } else {
      const isPair = code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
      const char = isPair ? text.slice(i, i + 2) : text[i];
      if (isPair) i++;
      for (const byte of Buffer.from(char, 'utf8')) out += escapeByte(byte);
    }
  }
  return out;
}

function escapeByte(byte: number): string {
  return '\\x' + HEX[byte >> 4] + HEX[byte & 15];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/**
 * `$time_local`: `25/Nov/2026:10:11:12 +0100` for `epochMs` in a zone
 * `offsetMinutes` east of UTC (the negated Date#getTimezoneOffset()).
 */
export function formatLocalTime(epochMs: number, offsetMinutes: number): string {
  const d = new Date(epochMs + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    pad2(d.getUTCDate()) + '/' + MONTHS[d.getUTCMonth()] + '/' + d.getUTCFullYear() + ':' +
    pad2(d.getUTCHours()) + ':' + pad2(d.getUTCMinutes()) + ':' + pad2(d.getUTCSeconds()) + ' ' +
    sign + pad2(Math.floor(abs / 60)) + pad2(abs % 60)
  );
}

/**
 * The time text of a line, cached per second: `combined` gives
 * formatLocalTime in the process's zone, `json` ISO 8601 UTC with
 * milliseconds (2026-11-25T10:11:12.345Z).
 */
export function createTimeText(format: 'combined' | 'json'): (epochMs: number) => string {
  let second = -1;
  let text = '';
  if (format === 'combined') {
    return (epochMs) => {
      const s = Math.floor(epochMs / 1000);
      if (s !== second) {
        second = s;
        text = formatLocalTime(epochMs, -new Date(epochMs).getTimezoneOffset());
      }
      return text;
    };
  }
  return (epochMs) => {
    const s = Math.floor(epochMs / 1000);
    if (s !== second) {
      second = s;
      text = new Date(s * 1000).toISOString().slice(0, 20); // "2026-11-25T10:11:12."
    }
    const ms = epochMs - s * 1000;
    return text + (ms < 10 ? '00' : ms < 100 ? '0' : '') + Math.floor(ms) + 'Z';
  };
}

/**
 * uWS's text of the peer address → what nginx's $remote_addr shows:
 * IPv4 as is; an IPv4-mapped IPv6 address (a dual-stack listener on `::`)
 * as its IPv4; other IPv6 addresses in RFC 5952 form (uWS 20.30 writes all
 * eight groups in full: 0000:0000:…:0001).
 */
export function formatRemoteAddress(text: string): string {
  if (text.indexOf(':') === -1) return text;
  const groups = parseIpv6Groups(text);
  if (groups === null) return text.replace(/[^0-9A-Za-z.:%_-]/g, '?'); // never seen; kept log- and JSON-safe
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `${groups[6] >> 8}.${groups[6] & 255}.${groups[7] >> 8}.${groups[7] & 255}`;
  }
  return compressIpv6(groups);
}

/** Eight 16-bit groups of an IPv6 text (with `::` and a dotted IPv4 tail), or null. */
function parseIpv6Groups(text: string): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      if (i === pieces.length - 1 && piece.includes('.')) {
        const octets = piece.split('.').map(Number);
        if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return null;
        out.push((octets[0] << 8) | octets[1], (octets[2] << 8) | octets[3]);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(piece)) {
        out.push(parseInt(piece, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/** RFC 5952 §4: lower-case, no leading zeros, the longest run (≥ 2) of zero groups as `::`, the first if tied. */
function compressIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return hex.slice(0, bestStart).join(':') + '::' + hex.slice(bestStart + bestLength).join(':');
}
