/**
 * The cluster primary: check the environment, fork the workers, print the
 * banner once all listen, restart crashed workers, shut down on signals.
 * The only module that manages processes.
 */
import cluster, { type Worker } from 'node:cluster';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Config } from './config.js';
import { formatBanner } from './banner.js';
import { CONFIG_ENV, WORKER_INDEX_ENV, type WorkerMessage } from './messages.js';
import { loadUws } from './uws.js';

/** Consecutive start-up failures after which the primary gives up. */
const MAX_STARTUP_FAILURES = 5;
const MAX_RESTART_DELAY_MS = 5000;

interface WorkerState {
  readonly worker: Worker;
  /** Slot 0..workers-1; a replacement takes the slot of the worker it replaces. */
  readonly index: number;
  isListening: boolean;
  lastError: string | null;
}

/** Run the server tree until a signal; exits the process. */
export async function runPrimary(config: Config): Promise<void> {
  try {
    loadUws(config.allowJsFallback);
    const port = await probePort(config.host, config.port);
    startCluster({ ...config, port });
  } catch (error) {
    exitWith(error instanceof Error ? error.message : String(error));
  }
}

function exitWith(message: string): never {
  process.stderr.write(`fastsrv: ${message}\n`);
  process.exit(1);
}

/**
 * Bind the address once without SO_REUSEPORT: it fails when anything holds
 * the port (uWS listens with SO_REUSEPORT, so two fastsrv trees would
 * otherwise silently share a port). With port 0 it also picks the port all
 * workers will share.
 */
export function probePort(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'EADDRINUSE' ? 'is already in use'
        : error.code === 'EACCES' ? 'needs privileges (ports below 1024 do)'
        : error.code === 'EADDRNOTAVAIL' ? 'is not an address of this machine'
        : `cannot be bound (${error.code ?? error.message})`;
      reject(new Error(`${host}:${port} ${reason}`));
    });
    probe.listen({ host, port, exclusive: true }, () => {
      const address = probe.address();
      const chosen = typeof address === 'object' && address !== null ? address.port : port;
      probe.close(() => resolve(chosen));
    });
  });
}

function startCluster(config: Config): void {
  cluster.setupPrimary({ exec: fileURLToPath(new URL('./worker.js', import.meta.url)) });
  const states = new Map<number, WorkerState>();
  let isStarted = false;
  let isShuttingDown = false;
  let startupFailures = 0;
  const startedAt = Date.now();

  const fork = (index: number): void => {
    const worker = cluster.fork({ [CONFIG_ENV]: JSON.stringify(config), [WORKER_INDEX_ENV]: String(index) });
    const state: WorkerState = { worker, index, isListening: false, lastError: null };
    states.set(worker.id, state);
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'fatal') state.lastError = message.message;
      if (message.type !== 'listening') return;
      state.isListening = true;
      startupFailures = 0;
      if (!isStarted && [...states.values()].filter((s) => s.isListening).length === config.workers) {
        isStarted = true;
        process.stdout.write(formatBanner(config, message, Date.now() - startedAt));
      }
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    const state = states.get(worker.id);
    states.delete(worker.id);
    if (isShuttingDown) {
      if (states.size === 0) process.exit(0);
      return;
    }
    const cause = state?.lastError ?? (signal ? `killed by ${signal}` : `exit code ${code}`);
    if (!state?.isListening) {
      if (!isStarted) shutdownNow(states, `a worker failed to start: ${cause}`);
      if (++startupFailures >= MAX_STARTUP_FAILURES) {
        shutdownNow(states, `workers keep dying at start-up (${startupFailures} in a row), last: ${cause}`);
      }
    }
    const delay = Math.min(100 * 2 ** startupFailures, MAX_RESTART_DELAY_MS);
    process.stderr.write(`fastsrv: worker ${worker.process.pid} died (${cause}); restarting in ${delay} ms\n`);
    setTimeout(() => {
      if (!isShuttingDown) fork(state?.index ?? 0);
    }, delay);
  });

  const onSignal = (): void => {
    if (isShuttingDown) shutdownNow(states, 'second signal: exiting at once');
    isShuttingDown = true;
    if (states.size === 0) process.exit(0);
    for (const { worker } of states.values()) worker.send({ type: 'shutdown' });
    // Workers drain for drainTimeout; anything still alive after that is killed.
    setTimeout(() => shutdownNow(states, 'workers did not exit in time', 0), config.drainTimeout * 1000 + 1000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  for (let i = 0; i < config.workers; i++) fork(i);
}

/** Kill every worker and exit (1 unless told otherwise) with a message. */
function shutdownNow(states: Map<number, WorkerState>, message: string, code = 1): never {
  for (const { worker } of states.values()) worker.process.kill('SIGKILL');
  process.stderr.write(`fastsrv: ${message}\n`);
  process.exit(code);
}
