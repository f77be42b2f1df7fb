/**
 * A worker process: build the cache, start the server, report to the
 * primary, precompress in the background, drain on shutdown. Started by the
 * primary with cluster.fork().
 */
import { precompressBeforeListen, precompressTable, type PrecompressProgress } from '../cache/precompress.js';
import { describeSiteRules } from '../cache/site-rules.js';
import { openVariantStore, type VariantStore } from '../cache/store.js';
import { buildCacheTable, type BuildOptions } from '../cache/table.js';
import type { Config } from '../setup/config.js';
import { limitOpenFiles, readOpenFileLimit } from '../serve/files.js';
import { CONFIG_ENV, WORKER_INDEX_ENV, type PrimaryMessage, type WorkerMessage } from './messages.js';
import { openLogWriter } from '../log/writer.js';
import { ResponseCounters } from '../metrics/counters.js';
import { createObserver, type HandlerWrapper } from '../serve/observe.js';
import { startServer, type RunningServer } from '../serve/server.js';
import { checkTls } from '../setup/tls.js';
import { loadEngine } from '../setup/uws.js';

function send(message: WorkerMessage): void {
  if (process.send) process.send(message);
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

/** The cache build options a config implies. */
export function getBuildOptions(config: Config): BuildOptions {
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
    policy: {
      maxAge: config.maxAge,
      immutable: config.immutable,
      cacheControl: userCacheControl?.[1] ?? null,
      extraHeaders: [...(config.cors ? CORS_HEADERS : []), ...userHeaders],
      isNosniff: true,
    },
  };
}

async function runWorker(config: Config, index: number): Promise<void> {
  const setServer = installShutdown(config.drainTimeout * 1000);
  const { uws } = loadEngine(config.allowJsFallback);
  // Checked again here: the files may have changed since the primary did.
  const tls = config.tls === null ? null : checkTls(config.tls);
  const fileLimit = readOpenFileLimit();
  if (fileLimit !== null) limitOpenFiles(fileLimit);
  const options = getBuildOptions(config);
  const table = buildCacheTable(config.root, options);
  const compression: PrecompressProgress = { left: 0 };
  let current: RunningServer | null = null;
  const observers = await createObservers(config, index, () => current, compression);
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
  });
  current = server;
  setServer(server, observers.beforeExit);
  const compress = createCompressor(server, options, config, store, index, compression);
  process.on('message', createChangeHandler(server, config.root, options, compress));
  process.on('message', (message: PrimaryMessage) => {
    if (message?.type === 'started') compress();
  });
  send({
    type: 'listening',
    port: server.port,
    fileCount: table.fileCount,
    byteCount: table.byteCount,
    streamedCount: table.streamedCount,
    skipped: table.skipped,
    listingCount: table.listingCount,
    rules: describeSiteRules(table.rules),
  });
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

interface Observers {
  readonly observe: HandlerWrapper | null;
  /** After draining: hand the final counts to the primary. */
  beforeExit(): Promise<void>;
}

/**
 * The access log and the metrics counters, as the config asks; prom-client
 * is loaded only with --admin. The log is flushed on any exit (a crash
 * loses at most one batch) and reopened on the primary's `reopen`.
 */
async function createObservers(
  config: Config,
  index: number,
  getServer: () => RunningServer | null,
  compression: { left: number },
): Promise<Observers> {
  const report = (message: string): void => void process.stderr.write(`fastsrv worker ${process.pid}: ${message}\n`);
  const writer = config.accessLog === null ? null : openLogWriter(config.accessLog, report);
  if (writer !== null) {
    process.on('exit', () => writer.flush());
    process.on('message', (message: PrimaryMessage) => {
      if (message?.type === 'reopen') writer.reopen();
    });
  }
  const counters = config.admin === null ? null : new ResponseCounters();
  if (counters !== null) {
    const { createWorkerMetrics } = await import('../metrics/worker.js');
    const metrics = createWorkerMetrics({
      counters,
      table: () => getServer()?.table ?? null,
      compressionPending: () => compression.left,
    });
    process.on('message', (message: PrimaryMessage) => {
      if (message?.type !== 'metrics') return;
      void metrics.collect().then((json) => send({ type: 'metrics', id: message.id, metrics: json }));
    });
  }
  const log = writer === null ? null : { writer, format: config.logFormat };
  return {
    observe: createObserver({ log, counters, worker: index }),
    beforeExit: () => {
      writer?.flush();
      if (counters === null || !process.send || !process.connected) return Promise.resolve();
      const message: WorkerMessage = { type: 'counts', statuses: counters.listStatuses(), bytes: counters.bytes };
      return new Promise((resolve) => {
        process.send!(message, () => resolve());
        setTimeout(resolve, 1000).unref();
      });
    },
  };
}

/**
 * Rebuild the table when the primary reports changes: unchanged files keep
 * their entries, changed ones are read again, and the new table is swapped
 * in whole, so every request sees one consistent state of the tree. Bursts
 * are coalesced: at most one rebuild runs, then one more with whatever
 * arrived meanwhile.
 */
function createChangeHandler(server: RunningServer, root: string, options: BuildOptions, compress: () => void) {
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
 * Shutdown on the primary's message or on SIGINT/SIGTERM (a terminal's
 * Ctrl-C reaches every process of the group): stop accepting, let in-flight
 * responses finish, exit 0. A second signal exits at once. Losing the
 * primary (IPC disconnect) also shuts down, so no worker outlives it.
 * Installed before anything else, so a shutdown during start-up (a worker
 * replaced or stopped while it builds its cache) is not lost.
 */
function installShutdown(drainMs: number): (server: RunningServer, beforeExit: () => Promise<void>) => void {
  let server: RunningServer | null = null;
  let beforeExit: () => Promise<void> = () => Promise.resolve();
  let isDraining = false;
  let signals = 0;
  const shutdown = (): void => {
    if (isDraining) return;
    isDraining = true;
    if (server === null) process.exit(0); // still starting: nothing in flight
    server.close(drainMs).then(beforeExit).then(() => process.exit(0));
  };
  const onSignal = (): void => {
    if (++signals > 1) process.exit(1);
    shutdown();
  };
  process.on('message', (message: PrimaryMessage) => {
    if (message?.type === 'shutdown') shutdown();
  });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('disconnect', shutdown);
  return (started, onDrained) => {
    server = started;
    beforeExit = onDrained;
  };
}

function fail(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  send({ type: 'fatal', message });
  process.stderr.write(`fastsrv worker ${process.pid}: ${message}\n`);
  process.exit(1);
}

const raw = process.env[CONFIG_ENV];
if (raw !== undefined) {
  process.on('uncaughtException', fail);
  runWorker(JSON.parse(raw) as Config, Number(process.env[WORKER_INDEX_ENV] ?? 0)).catch(fail);
}
