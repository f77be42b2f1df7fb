/** What the supervisor knows of each worker it forked, and the per-worker metrics scrape. */
import type { Worker } from 'node:cluster';
import type { PrimaryMessage } from './messages.js';

/** A scrape leaves out a worker that has not answered within this. */
const SCRAPE_TIMEOUT_MS = 2_000;

export interface WorkerState {
  readonly worker: Worker;
  /** Slot 0..workers-1; a replacement takes the slot of the worker it replaces. */
  readonly slot: number;
  isListening: boolean;
  /** Being replaced by a reload: its exit is expected. */
  isRetiring: boolean;
  lastError: string | null;
  /** Change batches relayed before this worker listened (it may have missed them). */
  readonly changesAtFork: number;
  /** Resolves when the worker listens (true) or exits first (false). */
  readonly started: Promise<boolean>;
  readonly exited: Promise<void>;
  /** SIGUSR1 reopens before this worker listened (it may have missed them). */
  readonly reopensAtFork: number;
  /** Scrapes waiting for this worker's registry, by id. */
  readonly scrapes: Map<number, (metrics: readonly object[] | null) => void>;
  /** It sent its final counts (now in the primary's sums, not its own). */
  hasSentCounts: boolean;
}

/** The state of a worker just forked; `onStarted` settles `started` (it is false if the worker exits first). */
export function createWorkerState(
  worker: Worker,
  slot: number,
  changeBatches: number,
  reopens: number,
): { state: WorkerState; onStarted: (isListening: boolean) => void } {
  let onStarted: (isListening: boolean) => void = () => {};
  const state: WorkerState = {
    worker,
    slot,
    isListening: false,
    isRetiring: false,
    lastError: null,
    changesAtFork: changeBatches,
    started: new Promise((resolve) => (onStarted = resolve)),
    // Exited, and its IPC channel read to the end (its final counts are in).
    exited: Promise.all([
      new Promise<void>((resolve) => worker.once('exit', () => resolve())),
      new Promise<void>((resolve) => (worker.isConnected() ? worker.once('disconnect', () => resolve()) : resolve())),
    ]).then(() => undefined),
    reopensAtFork: reopens,
    scrapes: new Map(),
    hasSentCounts: false,
  };
  worker.once('exit', () => {
    onStarted(false);
    for (const settle of state.scrapes.values()) settle(null);
  });
  return { state, onStarted };
}

/**
 * Every listening worker's registry as JSON. A worker that exits or does
 * not answer in SCRAPE_TIMEOUT_MS is left out; one that sent its final
 * counts meanwhile is left out too (they are in `departed` now).
 */
export async function scrapeWorkers(states: Iterable<WorkerState>, id: number): Promise<object[][]> {
  const asked = [...states].filter((s) => s.isListening && !s.hasSentCounts && s.worker.isConnected());
  const replies = await Promise.all(
    asked.map(
      (state) =>
        new Promise<{ state: WorkerState; metrics: readonly object[] | null }>((resolve) => {
          const settle = (metrics: readonly object[] | null): void => {
            state.scrapes.delete(id);
            clearTimeout(timer);
            resolve({ state, metrics });
          };
          const timer = setTimeout(() => settle(null), SCRAPE_TIMEOUT_MS);
          state.scrapes.set(id, settle);
          state.worker.send({ type: 'metrics', id } satisfies PrimaryMessage);
        }),
    ),
  );
  return replies.filter((r) => r.metrics !== null && !r.state.hasSentCounts).map((r) => [...r.metrics!]);
}
