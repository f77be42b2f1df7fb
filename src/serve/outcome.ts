/**
 * What the response just written was: every write function (stream.ts,
 * content.ts, server.ts) records its status and body bytes here, so the
 * access log and the metrics can read them right after a handler returns,
 * without the handlers returning anything or knowing who listens. Two
 * number stores per request is all it costs when nobody does.
 */

/** A response still sending after its handler returned (backpressure, a file read from disk). */
export interface Transfer {
  /** Body bytes uWS has taken so far. */
  sent: number;
  /** Called once, when the body is done or the client went away; set by an observer. */
  onEnd: ((sent: number) => void) | null;
  /**
   * Set on a response whose status is known only when it ends (a function
   * route's promise): the observer takes the status from here at onEnd.
   */
  status?: number;
}

export interface Outcome {
  /** HTTP status of the last response. */
  status: number;
  /** Body bytes sent synchronously (0 for HEAD, 304, 204, and transfers, which count their own). */
  bytes: number;
  /** Set by a response that outlives its handler; observers reset it to null before each request. */
  transfer: Transfer | null;
}

export const lastResponse: Outcome = { status: 0, bytes: 0, transfer: null };

/** An observer calls this before each handler: no transfer until one starts. */
export function beginResponse(): void {
  lastResponse.transfer = null;
}

/** Record a response sent whole. */
export function recordResponse(status: number, bytes: number): void {
  lastResponse.status = status;
  lastResponse.bytes = bytes;
}

/** Record a response whose body goes on after the handler returns. */
export function recordTransfer(status: number, transfer: Transfer): void {
  lastResponse.status = status;
  lastResponse.bytes = 0;
  lastResponse.transfer = transfer;
}
