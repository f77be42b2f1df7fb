/**
 * Access log lines: nginx's `combined` format and JSON lines. Pure
 * functions; the clock text is cached per second by the caller
 * (createTimeText), so a line costs its concatenations and, rarely, an
 * escape.
 */

/** One response, as the access log sees it. Observers reuse one object per worker. */
export interface AccessRecord {
  /** Client address, as formatAddressBytes writes it. */
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

/**
 * formatCombinedLine with memory: the parts that repeat from one request
 * to the next (address and second, request line, status and size,
 * referer and user agent) are kept, so a line is a few concatenations of
 * ready strings rather than a dozen. Its output is formatCombinedLine's.
 */
export function createCombinedFormatter(): (record: AccessRecord, timeText: string, requestPart?: string) => string {
  let remote = '';
  let time = '';
  let prefix = '';
  let method = '';
  let path = '';
  let query: string | undefined;
  let request = '';
  let status = -1;
  let bytes = -1;
  let counts = '';
  let referer = '';
  let userAgent = '';
  let agents = '"-" "-"\n';
  return (record, timeText, requestPart) => {
    if (record.remote !== remote || timeText !== time) {
      remote = record.remote;
      time = timeText;
      prefix = remote + ' - - [' + time + '] "';
    }
    if (requestPart === undefined && (record.path !== path || record.query !== query || record.method !== method)) {
      method = record.method;
      path = record.path;
      query = record.query;
      request = formatRequestPart(method, path, query);
    }
    if (record.status !== status || record.bytes !== bytes) {
      status = record.status;
      bytes = record.bytes;
      counts = status + ' ' + bytes + ' ';
    }
    if (record.referer !== referer || record.userAgent !== userAgent) {
      referer = record.referer;
      userAgent = record.userAgent;
      agents = '"' + escapeOrDash(referer) + '" "' + escapeOrDash(userAgent) + '"\n';
    }
    return prefix + (requestPart ?? request) + counts + agents;
  };
}

/**
 * `GET /path?query HTTP/1.1" `: the part of a combined line after its
 * opening quote (a GET route's, without a query, is made once).
 */
export function formatRequestPart(method: string, path: string, query: string | undefined): string {
  return method + ' ' + escapeLogText(query === undefined ? path : path + '?' + query) + ' HTTP/1.1" ';
}

/** One JSON object per line; strings escaped by JSON.stringify (RFC 8259, lone surrogates as \udXXX). */
export function formatJsonLine(record: AccessRecord, timeText: string): string {
  return (
    '{"time":"' + timeText + '","remote":"' + record.remote + '","method":"' + record.method +
    '","path":' + quoteJson(record.path) + ',"query":' + quoteJson(record.query ?? '') +
    ',"status":' + record.status + ',"bytes":' + record.bytes +
    ',"referer":' + quoteJson(record.referer) + ',"user_agent":' + quoteJson(record.userAgent) +
    ',"duration_ms":' + formatDuration(record.durationMs) + ',"worker":' + record.worker + '}\n'
  );
}

/** A JSON string literal: printable ASCII without `"` or `\` as is, anything else by JSON.stringify. */
function quoteJson(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e || code === 0x22 || code === 0x5c) return JSON.stringify(text);
  }
  return '"' + text + '"';
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
 * The peer address uWS gives as bytes (getRemoteAddress: 4 for IPv4, 16
 * for IPv6) → what nginx's $remote_addr shows: dotted IPv4; an IPv4-mapped
 * IPv6 address (a client of a dual-stack `::` listener) as its IPv4; other
 * IPv6 addresses in RFC 5952 form.
 */
export function formatAddressBytes(bytes: Uint8Array): string {
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  if (bytes.length !== 16) return '-';
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  }
  return compressIpv6(groups);
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
