/**
 * Big in-memory bodies (cached files over 64 KiB, multi-range bodies) are
 * written in slices, round-robin across connections: at most one slice
 * per connection per event-loop turn, TURN_BYTES shared among the bodies
 * in flight (never under MIN_SLICE_BYTES each). One tryEnd of a whole
 * 4 MiB body lets the kernel copy megabytes into one socket while every other
 * connection, small requests included, waits for that send() to return
 * (p99 1.8 s vs nginx's 0.3 s with 64 connections; bench/NOTES.md "Big
 * bodies and tail latency").
 *
 * A slice the socket took whole is followed by the next one on the next
 * turn (setImmediate runs after libuv's poll phase, so new requests are
 * read in between); a slice it took in part waits for onWritable, which
 * writes at most one more slice. uWS keeps nothing the kernel did not take
 * (tryEnd never buffers), so memory stays the cached body itself.
 */
import type { Transfer } from './outcome.js';
import type { StreamTracker } from './stream.js';
import type { HttpResponse } from '../setup/uws.js';

/**
 * Bytes all sliced bodies together write per turn: ~1 ms of copying on the
 * reference VM, the most a small request waits behind them. With 64
 * downloads each gets MIN_SLICE_BYTES; one alone goes out in one slice.
 */
export const TURN_BYTES = 4 * 1024 * 1024;
/**
 * Smallest slice, measured (bench/NOTES.md "Big bodies and tail latency"):
 * 256 KiB slices × 64 downloads kept a 1 KiB request waiting 3.6 ms at the
 * median, 64 KiB 1.2 ms, 16 KiB cost twice the CPU per MiB.
 */
export const MIN_SLICE_BYTES = 64 * 1024;

/** Bodies being sliced now (each counted from start to finish). */
let activeWriters = 0;

/** Slice size with `active` bodies in flight: an equal share of TURN_BYTES, at least MIN_SLICE_BYTES. */
export function chooseSliceBytes(active: number): number {
  return Math.max(MIN_SLICE_BYTES, Math.floor(TURN_BYTES / Math.max(1, active)));
}

/** The part of `body` a connection writes next: from `offset`, at most `limit` bytes. */
export function pickSlice(body: Buffer, offset: number, limit: number): Buffer {
  return body.subarray(offset, Math.min(body.length, offset + limit));
}

/** One big body in flight on one connection. */
export class SliceWriter implements Transfer {
  sent = 0;
  onEnd: ((sent: number) => void) | null = null;
  isEnded = false;
  /** The writer's own cork callback, made once: a turn allocates nothing per slice. */
  readonly writeCorked = (): void => this.writeTurn();

  /** Counted in `tracker` from construction until finish(), so shutdown waits for it. */
  constructor(
    private readonly res: HttpResponse,
    private readonly body: Buffer,
    private readonly tracker: StreamTracker,
  ) {
    tracker.start();
    activeWriters++;
  }

  /** Write one slice; true when the socket took all of it (more may follow next turn). */
  writeSlice(): boolean {
    const offset = this.res.getWriteOffset();
    const [ok, done] = this.res.tryEnd(pickSlice(this.body, offset, chooseSliceBytes(activeWriters)), this.body.length);
    this.sent = done ? this.body.length : this.res.getWriteOffset();
    if (done) this.finish();
    return ok;
  }

  /** onWritable: one slice; a whole one taken means the next waits for the next turn. */
  resume(): boolean {
    const ok = this.writeSlice();
    if (ok && !this.isEnded) scheduleTurn(this);
    return ok;
  }

  finish(): void {
    if (this.isEnded) return;
    this.isEnded = true;
    activeWriters--;
    this.tracker.finish();
    this.onEnd?.(this.sent);
  }

  private writeTurn(): void {
    if (this.writeSlice() && !this.isEnded) scheduleTurn(this);
  }

  /** A turn's write, corked as uWS requires outside a handler. */
  writeNextTurn(): void {
    if (!this.isEnded) this.res.cork(this.writeCorked);
  }
}

// Two lists swapped each turn: writers scheduled during a turn wait for the next.
let waiting: SliceWriter[] = [];
let running: SliceWriter[] = [];
let isTurnScheduled = false;

function scheduleTurn(writer: SliceWriter): void {
  waiting.push(writer);
  if (isTurnScheduled) return;
  isTurnScheduled = true;
  setImmediate(runTurn);
}

function runTurn(): void {
  isTurnScheduled = false;
  const batch = waiting;
  waiting = running;
  running = batch;
  for (let i = 0; i < batch.length; i++) batch[i]!.writeNextTurn();
  batch.length = 0;
}

/**
 * Start sending `body` (the head is written already): the first slice now,
 * in the handler's cork; the rest over the next turns. Null when the body
 * went out whole at once (nothing to track or observe).
 */
export function startSlices(res: HttpResponse, body: Buffer, tracker: StreamTracker): SliceWriter | null {
  const writer = new SliceWriter(res, body, tracker);
  res.onAborted(() => writer.finish());
  res.onWritable(() => writer.resume());
  if (writer.writeSlice()) {
    if (writer.isEnded) return null;
    scheduleTurn(writer);
  }
  return writer.isEnded ? null : writer;
}
