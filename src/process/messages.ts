/** IPC messages between the primary and its workers. Types only. */

/** Worker → primary. */
export type WorkerMessage =
  | {
      readonly type: 'listening';
      readonly port: number;
      readonly fileCount: number;
      readonly byteCount: number;
      readonly streamedCount: number;
      readonly skipped: number;
      /** Directories answered by a listing page. */
      readonly listingCount: number;
      /** describeSiteRules(): the rule files in force, or null. */
      readonly rules: string | null;
    }
  | { readonly type: 'fatal'; readonly message: string }
  /** Answer to `metrics`: the worker registry's getMetricsAsJSON(). */
  | { readonly type: 'metrics'; readonly id: number; readonly metrics: readonly object[] }
  /** Sent once, after draining and before exiting: the totals the primary keeps counting. */
  | { readonly type: 'counts'; readonly statuses: ReadonlyArray<readonly [number, number]>; readonly bytes: number };

/** Primary → worker. `changed` lists URL keys of changed paths ('/' = anything). */
export type PrimaryMessage =
  | { readonly type: 'shutdown' }
  /** Every worker listens: background work (compression) may start. */
  | { readonly type: 'started' }
  | { readonly type: 'changed'; readonly keys: readonly string[] }
  /** SIGUSR1: reopen the access log (after logrotate moved it). */
  | { readonly type: 'reopen' }
  /** A scrape of /metrics: reply with a `metrics` message carrying the same id. */
  | { readonly type: 'metrics'; readonly id: number };

/** Environment variable that carries the JSON Config to a worker. */
export const CONFIG_ENV = 'FASTSRV_CONFIG';

/** Environment variable with the worker's slot, 0..workers-1 (stable across restarts). */
export const WORKER_INDEX_ENV = 'FASTSRV_WORKER_INDEX';
