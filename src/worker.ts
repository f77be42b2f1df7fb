/**
 * A worker process: build the cache, start the server, report to the
 * primary, drain on shutdown. Started by the primary with cluster.fork().
 */
import { buildCacheTable, type CacheTable } from './cache/table.js';
import type { Config } from './config.js';
import { CONFIG_ENV, type PrimaryMessage, type WorkerMessage } from './messages.js';
import { startServer, type RunningServer } from './server.js';
import { isNative, loadUws } from './uws.js';

function send(message: WorkerMessage): void {
  if (process.send) process.send(message);
}

/** Build the cache table for a config (also used by tests and benches). */
export function buildTableForConfig(config: Config): CacheTable {
  return buildCacheTable(config.root, {
    includeDotfiles: false,
    policy: { maxAge: 0, extraHeaders: [] },
  });
}

async function runWorker(config: Config): Promise<void> {
  const uws = loadUws(config.allowJsFallback);
  const table = buildTableForConfig(config);
  const server = await startServer(uws, table, { host: config.host, port: config.port });
  installShutdown(server, config.drainTimeout * 1000);
  send({
    type: 'listening',
    port: server.port,
    fileCount: table.fileCount,
    byteCount: table.byteCount,
    skipped: table.skipped,
    isNative: isNative(uws),
  });
}

/**
 * Shutdown on the primary's message or on SIGINT/SIGTERM (a terminal's
 * Ctrl-C reaches every process of the group): stop accepting, let in-flight
 * bodies finish, exit 0. A second signal exits at once. Losing the primary
 * (IPC disconnect) also shuts down, so no worker outlives it.
 */
function installShutdown(server: RunningServer, drainMs: number): void {
  let isDraining = false;
  let signals = 0;
  const shutdown = (): void => {
    if (isDraining) return;
    isDraining = true;
    server.close(drainMs).then(() => process.exit(0));
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
  runWorker(JSON.parse(raw) as Config).catch(fail);
}
