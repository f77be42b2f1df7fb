/**
 * Sending bodies with backpressure. Small bodies go out with one end(); big
 * ones with tryEnd/onWritable, so a slow client never makes uWS copy a whole
 * file into its send buffer (end() buffers whatever the socket cannot take).
 */
import { fstatSync, read } from 'node:fs';
import { encodeLatin1 } from '../cache/bytes.js';
import { isSameFile, releaseFile, type SharedFile } from './files.js';
import { recordResponse, recordTransfer, type Transfer } from './outcome.js';
import { startSlices } from './slices.js';
import { LARGE_CHUNK, returnChunk, shouldGrowChunk, SMALL_CHUNK, takeChunk } from './chunks.js';
import type { HttpResponse } from '../setup/uws.js';

/**
 * Set once a worker starts draining: responses carry `Connection: close`
 * (and end() closes the connection) so keep-alive clients reconnect to a
 * worker that stays.
 */
export let isClosingConnections = false;

export function closeConnectionsAfterResponses(): void {
  isClosingConnections = true;
}

/** A status line and header lines for writeStatus(): precomputed bytes, or text built per request. */
export type Head = ArrayBuffer | string;

const CONNECTION = encodeLatin1('Connection');
const CLOSE = encodeLatin1('close');

/**
 * End a response that has no body (HEAD, 304, 204, 416). uWS 20.30:
 * endWithoutBody(length) crashes and end() would add Content-Length: 0, so
 * heads carry their own Content-Length; while draining, Connection: close
 * is written by hand (endWithoutBody's own flag would add a length).
 */
export function endWithoutBody(res: HttpResponse, head: Head, status: number): void {
  recordResponse(status, 0);
  res.writeStatus(head);
  if (isClosingConnections) res.writeHeader(CONNECTION, CLOSE);
  res.endWithoutBody();
}

/** Bodies up to this size are sent with end() (one copy, no state). */
const INLINE_BODY_LIMIT = 64 * 1024;

/** Counts responses still sending, so shutdown can wait for them. */
export interface StreamTracker {
  active(): number;
  start(): void;
  finish(): void;
}

export function createStreamTracker(): StreamTracker {
  let active = 0;
  return {
    active: () => active,
    start: () => void active++,
    finish: () => void active--,
  };
}

/**
 * Write `block` then `body` (a `status` response), with backpressure when
 * the body is big. A small body is best given as an ArrayBuffer (see
 * cache/bytes.ts); a big one as a Buffer, which is sliced when the socket
 * takes only part of it.
 */
export function sendBody(res: HttpResponse, block: Head, body: Buffer | ArrayBuffer, tracker: StreamTracker, status: number): void {
  recordResponse(status, body.byteLength);
  res.writeStatus(block);
  if (body.byteLength <= INLINE_BODY_LIMIT) {
    res.end(body, isClosingConnections);
    return;
  }
  sendLargeBody(res, Buffer.isBuffer(body) ? body : Buffer.from(body), tracker, status);
}

function sendLargeBody(res: HttpResponse, body: Buffer, tracker: StreamTracker, status: number): void {
  if (isClosingConnections) res.writeHeader(CONNECTION, CLOSE);
  const writer = startSlices(res, body, tracker);
  if (writer !== null) recordTransfer(status, writer);
}

/** Part of a streamed response: bytes in memory, or an inclusive file range. */
export type Segment = Buffer | { readonly start: number; readonly end: number };

/**
 * Send `head`, then `segments` read from the shared descriptor, `total`
 * bytes in all, one chunk at a time: the next read starts only when uWS has
 * taken the previous chunk (tryEnd / onWritable), so a slow client holds one
 * chunk of memory, not the file. An aborted client releases the descriptor
 * at once (or when its one read in flight returns). A file truncated or
 * modified in place while being sent closes the connection: the client sees
 * a short body, never bytes of two versions under one ETag.
 */
export function streamFile(
  res: HttpResponse,
  head: Head,
  file: SharedFile,
  segments: readonly Segment[],
  total: number,
  tracker: StreamTracker,
  status: number,
): void {
  const stream = new FileStream(res, file, segments, total, tracker);
  recordTransfer(status, stream);
  stream.start(head);
}

class FileStream implements Transfer {
  /** Body bytes uWS has taken (the access log's count for an aborted download). */
  sent = 0;
  onEnd: ((sent: number) => void) | null = null;
  private segment = 0;
  private position = -1;
  private pending: Buffer | null = null;
  private pendingOffset = 0;
  private isReading = false;
  private isEnded = false;
  private isReleased = false;
  /** Read buffer: one per response in flight (chunks.ts); grows once the client keeps up. */
  private chunk = takeChunk(SMALL_CHUNK);

  constructor(
    private readonly res: HttpResponse,
    private readonly file: SharedFile,
    private readonly segments: readonly Segment[],
    private readonly total: number,
    private readonly tracker: StreamTracker,
  ) {}

  start(head: Head): void {
    this.tracker.start();
    this.res.onAborted(() => {
      this.isEnded = true;
      if (!this.isReading) this.release();
    });
    this.res.onWritable((offset) => this.resume(offset));
    this.res.writeStatus(head);
    if (isClosingConnections) this.res.writeHeader(CONNECTION, CLOSE);
    this.next();
  }

  /** Produce the next piece of the body and offer it to uWS. */
  private next(): void {
    while (this.segment < this.segments.length) {
      const segment = this.segments[this.segment];
      if (Buffer.isBuffer(segment)) {
        this.segment++;
        if (!this.offer(segment)) return;
        continue;
      }
      if (this.position === -1) this.position = segment.start;
      if (shouldGrowChunk(this.chunk, this.sent, this.total - this.sent)) {
        returnChunk(this.chunk);
        this.chunk = takeChunk(LARGE_CHUNK);
      }
      const length = Math.min(this.chunk.length, segment.end + 1 - this.position);
      this.read(length);
      return;
    }
  }

  private read(length: number): void {
    this.isReading = true;
    const position = this.position;
    read(this.file.fd, this.chunk, 0, length, position, (error, bytesRead) => {
      this.isReading = false;
      if (this.isEnded) return this.release();
      if (error !== null || bytesRead !== length || !isSameFile(this.file.source, fstatSync(this.file.fd))) {
        return this.abort(); // truncated, modified in place, or unreadable
      }
      this.position += length;
      const segment = this.segments[this.segment] as { end: number };
      if (this.position > segment.end) {
        this.segment++;
        this.position = -1;
      }
      this.res.cork(() => {
        if (this.offer(this.chunk.subarray(0, length))) this.next();
      });
    });
  }

  /** tryEnd a piece; true when uWS took all of it and more may follow. */
  private offer(data: Buffer): boolean {
    const offset = this.res.getWriteOffset();
    const [ok, done] = this.res.tryEnd(data, this.total);
    if (done) {
      this.sent = this.total;
      this.finish();
      return false;
    }
    if (!ok) {
      this.pending = data;
      this.pendingOffset = offset;
      this.sent = this.res.getWriteOffset();
    } else {
      this.sent = offset + data.length;
    }
    return ok;
  }

  private resume(offset: number): boolean {
    const pending = this.pending;
    if (pending === null) return true;
    const [ok, done] = this.res.tryEnd(pending.subarray(offset - this.pendingOffset), this.total);
    if (done) {
      this.sent = this.total;
      this.finish();
    } else if (ok) {
      this.sent = this.pendingOffset + pending.length;
      this.pending = null;
      this.next();
    } else {
      this.sent = this.res.getWriteOffset();
    }
    return ok;
  }

  private finish(): void {
    this.isEnded = true;
    this.release();
  }

  private abort(): void {
    this.isEnded = true;
    this.res.close(); // runs onAborted, which releases
  }

  private release(): void {
    if (this.isReleased) return;
    this.isReleased = true;
    releaseFile(this.file);
    returnChunk(this.chunk);
    this.tracker.finish();
    this.onEnd?.(this.sent);
  }
}
