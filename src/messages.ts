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
  | { readonly type: 'fatal'; readonly message: string };

/** Primary → worker. `changed` lists URL keys of changed paths ('/' = anything). */
export type PrimaryMessage =
  | { readonly type: 'shutdown' }
  /** Every worker listens: background work (compression) may start. */
  | { readonly type: 'started' }
  | { readonly type: 'changed'; readonly keys: readonly string[] };

/** Environment variable that carries the JSON Config to a worker. */
export const CONFIG_ENV = 'FASTSRV_CONFIG';

/** Environment variable with the worker's slot, 0..workers-1 (stable across restarts). */
export const WORKER_INDEX_ENV = 'FASTSRV_WORKER_INDEX';
