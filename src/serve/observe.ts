/**
 * The observing handler: chosen once at start-up, and only when
 * --access-log or --admin is given; without them server.ts registers its
 * handlers unwrapped and the hot path pays nothing but the two stores of
 * outcome.ts. The wrapper reads the client address before the handler runs
 * (uWS forbids touching `res` after a response ends), the request's fields
 * after (`req` lives until the callback returns), and the status and bytes
 * the handler recorded in `lastResponse`.
 */
import { copyRecord, createCombinedFormatter, createRecord, createTimeText, formatJsonLine, formatRequestPart, formatAddressBytes, type AccessRecord } from '../log/format.js';
import type { LogWriter } from '../log/writer.js';
import type { ResponseCounters } from '../metrics/counters.js';
import { beginResponse, lastResponse } from './outcome.js';
import type { HttpRequest, HttpResponse } from '../setup/uws.js';

export type Handler = (res: HttpResponse, req: HttpRequest) => void;
/**
 * Wraps every handler server.ts registers. `route` is the pattern of a GET
 * route: uWS matched the URL against it byte for byte, so the method and
 * path are known without asking (two native calls fewer per request).
 */
export type HandlerWrapper = (handler: Handler, route?: string) => Handler;

export interface ObserverOptions {
  readonly log: { readonly writer: LogWriter; readonly format: 'combined' | 'json' } | null;
  readonly counters: ResponseCounters | null;
  readonly worker: number;
}

/** The wrapper for these options; null when there is nothing to observe. */
export function createObserver(options: ObserverOptions): HandlerWrapper | null {
  const { log, counters } = options;
  if (log !== null) return createLoggingWrapper(log.writer, log.format, counters, options.worker);
  if (counters !== null) return createCountingWrapper(counters);
  return null;
}

/** Metrics only: count statuses and bytes, nothing read from the request. */
function createCountingWrapper(counters: ResponseCounters): HandlerWrapper {
  const onEnd = (sent: number): void => {
    counters.bytes += sent;
    counters.transfers--;
  };
  return (handler) => (res, req) => {
    beginResponse();
    handler(res, req);
    const transfer = lastResponse.transfer;
    if (transfer === null) {
      counters.byStatus[lastResponse.status]++;
      counters.bytes += lastResponse.bytes;
      return;
    }
    counters.transfers++;
    if (transfer.status === undefined) {
      counters.byStatus[lastResponse.status]++;
      transfer.onEnd = onEnd;
      return;
    }
    // A function route's promise: its status is known at the end.
    transfer.onEnd = (sent) => {
      counters.byStatus[transfer.status!]++;
      onEnd(sent);
    };
  };
}

const REFERER = Buffer.from('referer');
const USER_AGENT = Buffer.from('user-agent');

function createLoggingWrapper(
  writer: LogWriter,
  format: 'combined' | 'json',
  counters: ResponseCounters | null,
  worker: number,
): HandlerWrapper {
  const formatLine: (r: AccessRecord, time: string, requestPart?: string) => string =
    format === 'json' ? formatJsonLine : createCombinedFormatter();
  const timeText = createTimeText(format);
  const isTimed = format === 'json';
  const record = createRecord(worker);
  const readClock = isTimed ? Date.now : createLoopClock();
  const finish = (r: AccessRecord, started: number, routePart: string | undefined): void => {
    if (isTimed) r.durationMs = performance.now() - started;
    writer.append(formatLine(r, timeText(readClock()), r.query === undefined ? routePart : undefined));
  };
  return (handler, route) => {
    // A GET route's request line, made once.
    const routePart = route === undefined ? undefined : formatRequestPart('GET', route, undefined);
    return (res, req) => {
      const remote = readRemoteAddress(res);
      const started = isTimed ? performance.now() : 0;
      beginResponse();
      handler(res, req);
      record.remote = remote;
      record.method = route === undefined ? toUpperMethod(req.getMethod()) : 'GET';
      record.path = route ?? req.getUrl();
      record.query = req.getQuery();
      record.referer = req.getHeader(REFERER);
      record.userAgent = req.getHeader(USER_AGENT);
      record.status = lastResponse.status;
      const transfer = lastResponse.transfer;
      const isStatusLate = transfer !== null && transfer.status !== undefined;
      if (counters !== null && !isStatusLate) counters.byStatus[record.status]++;
      if (transfer === null) {
        record.bytes = lastResponse.bytes;
        if (counters !== null) counters.bytes += record.bytes;
        finish(record, started, routePart);
        return;
      }
      // Rare (big or streamed bodies): this response's own record and callback.
      const pending = copyRecord(record);
      if (counters !== null) counters.transfers++;
      transfer.onEnd = (sent) => {
        pending.bytes = sent;
        if (isStatusLate) {
          pending.status = transfer.status!;
          if (counters !== null) counters.byStatus[pending.status]++;
        }
        if (counters !== null) {
          counters.bytes += sent;
          counters.transfers--;
        }
        finish(pending, started, routePart);
      };
    };
  };
}

/**
 * Date.now() once per event-loop turn, as nginx updates its cached time
 * once per loop: uWS runs a turn's requests from libuv's poll phase, and
 * the setImmediate that marks the time stale runs right after it.
 */
function createLoopClock(): () => number {
  let now = 0;
  let isFresh = false;
  const markStale = (): void => {
    isFresh = false;
  };
  return () => {
    if (!isFresh) {
      now = Date.now();
      isFresh = true;
      setImmediate(markStale);
    }
    return now;
  };
}

/**
 * The peer address is the log's dearest field: uWS.js asks the kernel
 * (getpeername) on every call and has no per-connection handle to remember
 * it by. getRemoteAddress() gives the bytes, which are read at once (the
 * ArrayBuffer is uWS's scratch memory, overwritten by the next call);
 * getRemoteAddressAsText() would also run snprintf per request (measured,
 * bench/NOTES.md). The last address is kept formatted, for runs of one
 * client.
 */
let lastKey = -1;
let lastAddress = '';

function readRemoteAddress(res: HttpResponse): string {
  const bytes = new Uint8Array(res.getRemoteAddress());
  if (!isIpv4(bytes)) return formatAddressBytes(bytes);
  const n = bytes.length;
  const key = ((bytes[n - 4] << 24) | (bytes[n - 3] << 16) | (bytes[n - 2] << 8) | bytes[n - 1]) >>> 0;
  if (key !== lastKey) {
    lastKey = key;
    lastAddress = formatAddressBytes(bytes);
  }
  return lastAddress;
}

/** IPv4, or IPv4-mapped IPv6 (::ffff:a.b.c.d, a client of a dual-stack listener). */
function isIpv4(bytes: Uint8Array): boolean {
  if (bytes.length === 4) return true;
  if (bytes.length !== 16 || bytes[10] !== 0xff || bytes[11] !== 0xff) return false;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** uWS gives the method in lower case (20.30 has no other); the log shows it as sent (upper case). */
function toUpperMethod(method: string): string {
  return method === 'get' ? 'GET' : method === 'head' ? 'HEAD' : method.toUpperCase();
}
