/**
 * One site: build the cache, start the server, report to the primary,
 * precompress in the background, drain on shutdown. Runs in a cluster
 * worker (worker.ts, or a library program forked by the primary) or in the
 * calling process (the library's `workers: 0`); the WorkerLink is the
 * difference: IPC and process exit, or calls within the process.
 */
import { precompressBeforeListen, precompressTable, type PrecompressProgress } from '../cache/precompress.js';
import { describeSiteRules } from '../cache/site-rules.js';
import { openVariantStore, type VariantStore } from '../cache/store.js';
import { buildCacheTable, type BuildOptions } from '../cache/table.js';
import type { Config } from '../setup/config.js';
import { limitOpenFiles, readOpenFileLimit } from '../serve/files.js';
import type { PrimaryMessage, WorkerMessage } from './messages.js';
import type { AppRoutes } from '../app/compile.js';
import { createObservers } from './observers.js';
import { startServer, type RunningServer } from '../serve/server.js';
import { checkTls } from '../setup/tls.js';
import { loadEngine } from '../setup/uws.js';

/** How a site talks to its primary, and how it ends. */
export interface WorkerLink {
  send(message: WorkerMessage): void;
  onMessage(listener: (message: PrimaryMessage) => void): void;
  /** Drained (0) or failed: a cluster worker exits, an in-process site resolves its close(). */
  exit(code: number): void;
  /** A process of its own: SIGINT/SIGTERM and losing the primary shut it down. */
  readonly isProcess: boolean;
}

/** Headers --cors adds to every response, and to preflight (OPTIONS) answers. */
const CORS_HEADERS = [
  ['Access-Control-Allow-Origin', '*'],
  ['Access-Control-Expose-Headers', 'Content-Range, Accept-Ranges, Content-Encoding, ETag, Last-Modified'],
] as const;
const CORS_PREFLIGHT_HEADERS = [
  ['Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS'],
  ['Access-Control-Allow-Headers', '*'],
  ['Access-Control-Max-Age', '86400'],
] as const;

/** The cache build options a config implies (with the library's fixed routes, if any). */
export function getBuildOptions(config: Config, appRoutes: AppRoutes | null = null): BuildOptions {
  const userCacheControl = config.headers.find(([name]) => name.toLowerCase() === 'cache-control');
  const userHeaders = config.headers.filter(([name]) => name.toLowerCase() !== 'cache-control');
  return {
    includeDotfiles: config.dotfiles === 'allow',
    cleanUrls: config.cleanUrls,
    compress: config.compress,
    cacheSize: config.cacheSize,
    maxFileSize: config.maxFileSize,
    optionsHeaders: config.cors ? CORS_PREFLIGHT_HEADERS : [],
    listing: config.listing,
    app: appRoutes,
    policy: {
      maxAge: config.maxAge,
      immutable: config.immutable,
      cacheControl: userCacheControl?.[1] ?? null,
      extraHeaders: [...(config.cors ? CORS_HEADERS : []), ...userHeaders],
      isNosniff: true,
    },
  };
}

/**
 * Start serving `config` (with the library's `appRoutes`, or none) and say
 * `listening` on the link; resolves with the running server.
 */
export async function runSite(config: Config, index: number, appRoutes: AppRoutes | null, link: WorkerLink): Promise<RunningServer> {
  const setServer = installShutdown(config.drainTimeout * 1000, link);
  const { uws } = loadEngine(config.allowJsFallback);
  // Checked again here: the files may have changed since the primary did.
  const tls = config.tls === null ? null : checkTls(config.tls);
  const fileLimit = readOpenFileLimit();
  if (fileLimit !== null) limitOpenFiles(fileLimit);
  const options = getBuildOptions(config, appRoutes);
  const table = buildCacheTable(config.root, options);
  const compression: PrecompressProgress = { left: 0 };
  let current: RunningServer | null = null;
  const observers = await createObservers(config, index, () => current, compression, link);
  const store = config.compress ? openStore(config, index) : null;
  if (config.compress) precompressBeforeListen(table, options, store);
  const server = await startServer(uws, table, {
    host: config.host,
    port: config.port,
    observe: observers.observe,
    spa: config.spa,
    dotfiles: config.dotfiles,
    tls,
    httpPort: config.httpPort,
    functions: appRoutes !== null && appRoutes.functions.size > 0 ? appRoutes.functions : null,
  });
  current = server;
  setServer(server, observers.beforeExit);
  const compress = createCompressor(server, options, config, store, index, compression);
  link.onMessage(createChangeHandler(server, config.root, options, compress));
  link.onMessage((message) => {
    if (message?.type === 'started') compress();
  });
  link.send({
    type: 'listening',
    port: server.port,
    fileCount: table.fileCount,
    byteCount: table.byteCount,
    streamedCount: table.streamedCount,
    skipped: table.skipped,
    listingCount: table.listingCount,
    rules: describeSiteRules(table.rules),
  });
  return server;
}

/** Run precompression (fast, then best) over the served table; one run at a time. */
function createCompressor(
  server: RunningServer,
  options: BuildOptions,
  config: Config,
  store: VariantStore | null,
  index: number,
  progress: PrecompressProgress,
): () => void {
  if (!config.compress) return () => {};
  let isRunning = false;
  let isRequested = false;
  const run = async (): Promise<void> => {
    isRunning = true;
    do {
      isRequested = false;
      await precompressTable(() => server.table, options, store, index, config.workers, progress);
      if (store !== null && store.writtenSincePrune > 0) await store.prune().catch(() => 0);
    } while (isRequested);
    isRunning = false;
  };
  return () => {
    isRequested = true;
    if (!isRunning) void run();
  };
}

/** The compressed-variant store, or null (said once, by the first worker) when it cannot be used. */
function openStore(config: Config, index: number): VariantStore | null {
  try {
    return openVariantStore(config.compressStore, config.compressStoreSize);
  } catch (error) {
    if (index === 0) {
      process.stderr.write(`fastsrv: compression store not used, every worker compresses on its own: ${(error as Error).message}\n`);
    }
    return null;
  }
}

/**
 * Rebuild the table when the primary reports changes: unchanged files keep
 * their entries, changed ones are read again, and the new table is swapped
 * in whole, so every request sees one consistent state of the tree. Bursts
 * are coalesced: at most one rebuild runs, then one more with whatever
 * arrived meanwhile.
 */
function createChangeHandler(server: RunningServer, root: string | null, options: BuildOptions, compress: () => void) {
  const pending = new Set<string>();
  let isScheduled = false;
  let lastRulesError = '';
  const rebuild = (): void => {
    isScheduled = false;
    const changed = new Set(pending);
    pending.clear();
    try {
      const table = buildCacheTable(root, options, server.table, changed);
      server.setTable(table);
      // Said once per malformed state, not on every later rebuild.
      const rulesError = table.rulesError?.message ?? '';
      if (rulesError !== '' && rulesError !== lastRulesError) {
        process.stderr.write(`fastsrv worker ${process.pid}: ${rulesError}; still serving the previous rules\n`);
      }
      lastRulesError = rulesError;
      compress();
    } catch (error) {
      process.stderr.write(`fastsrv worker ${process.pid}: rescan failed, still serving the previous state: ${(error as Error).message}\n`);
    }
  };
  return (message: PrimaryMessage): void => {
    if (message?.type !== 'changed') return;
    for (const key of message.keys) pending.add(key);
    if (!isScheduled) {
      isScheduled = true;
      setImmediate(rebuild);
    }
  };
}

/**
 * Shutdown on the primary's message or, in a process of its own, on
 * SIGINT/SIGTERM (a terminal's Ctrl-C reaches every process of the group):
 * stop accepting, let in-flight responses finish, exit 0. A second signal
 * exits at once. Losing the primary (IPC disconnect) also shuts down, so no
 * worker outlives it. Installed before anything else, so a shutdown during
 * start-up (a worker replaced or stopped while it builds its cache) is not
 * lost.
 */
function installShutdown(drainMs: number, link: WorkerLink): (server: RunningServer, beforeExit: () => Promise<void>) => void {
  let server: RunningServer | null = null;
  let beforeExit: () => Promise<void> = () => Promise.resolve();
  let isDraining = false;
  let signals = 0;
  const shutdown = (): void => {
    if (isDraining) return;
    isDraining = true;
    if (server === null) return link.exit(0); // still starting: nothing in flight
    server.close(drainMs).then(beforeExit).then(() => link.exit(0));
  };
  link.onMessage((message) => {
    if (message?.type === 'shutdown') shutdown();
  });
  if (link.isProcess) {
    const onSignal = (): void => {
      if (++signals > 1) process.exit(1);
      shutdown();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('disconnect', shutdown);
  }
  return (started, onDrained) => {
    server = started;
    beforeExit = onDrained;
  };
}

/** A cluster worker's link: IPC to the primary, process.exit at the end. */
export const PROCESS_LINK: WorkerLink = {
  send(message) {
    if (process.send) process.send(message);
  },
  onMessage(listener) {
    process.on('message', listener);
  },
  exit: (code) => process.exit(code),
  isProcess: true,
};

/** A cluster worker's fatal error: told to the primary (which says why it failed), then exit 1. */
export function failWorker(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  PROCESS_LINK.send({ type: 'fatal', message });
  process.stderr.write(`fastsrv worker ${process.pid}: ${message}\n`);
  process.exit(1);
}
