/**
 * Sending bodies with backpressure. Small bodies go out with one end(); big
 * ones with tryEnd/onWritable, so a slow client never makes uWS copy a whole
 * file into its send buffer (end() buffers whatever the socket cannot take).
 */
import type { HttpResponse } from './uws.js';

/** Bodies up to this size are sent with end() (one copy, no state). */
export const INLINE_BODY_LIMIT = 64 * 1024;

/** Counts responses still sending, so shutdown can wait for them. */
export interface StreamTracker {
  readonly active: () => number;
  start(): void;
  finish(): void;
  /** Resolve when no response is sending, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void>;
}

export function createStreamTracker(): StreamTracker {
  let active = 0;
  let onIdle: (() => void) | null = null;
  return {
    active: () => active,
    start() {
      active++;
    },
    finish() {
      active--;
      if (active === 0 && onIdle !== null) onIdle();
    },
    drain(timeoutMs) {
      if (active === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        onIdle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    },
  };
}

/** Write `block` then `body`, with backpressure when the body is big. */
export function sendBody(res: HttpResponse, block: Buffer | string, body: Buffer, tracker: StreamTracker): void {
  res.writeStatus(block);
  if (body.length <= INLINE_BODY_LIMIT) {
    res.end(body);
    return;
  }
  const [, done] = res.tryEnd(body, body.length);
  if (done) return;
  tracker.start();
  res.onAborted(() => tracker.finish());
  res.onWritable((offset) => {
    const [ok, finished] = res.tryEnd(body.subarray(offset), body.length);
    if (finished) tracker.finish();
    return ok;
  });
}
