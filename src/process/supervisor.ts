/**
 * The supervisor of one server tree: fork the workers, restart crashed
 * ones, relay file changes, roll reloads, scrape metrics, drain on stop.
 * What the tree does at start, on a fatal error and at the end is the
 * caller's (TreeHooks): the command line prints a banner and exits, the
 * library API resolves promises. Signals are the caller's too.
 */
import cluster, { type Worker } from 'node:cluster';
import type { AdminHandlers, Health } from './admin.js';
import { describeCertificates } from './banner.js';
import type { CacheSummary, StartInfo } from './banner.js';
import type { Config } from '../setup/config.js';
import { CONFIG_ENV, WORKER_INDEX_ENV, type PrimaryMessage, type WorkerMessage } from './messages.js';
import type { PrimaryMetrics, TreeState } from '../metrics/primary.js';
import { readTcpMigrateReq } from './ports.js';
import { checkTls, type CertificateInfo } from '../setup/tls.js';
import { describeEngine, type Engine } from '../setup/uws.js';
import { watchTree, type TreeWatcher } from './watch.js';
import { filterWorkerStdout } from './worker-stdout.js';
import { createWorkerState, scrapeWorkers, type WorkerState } from './worker-state.js';

/** What the owner of a tree decides: the worker program, and what happens at start, on failure, at the end. */
export interface TreeHooks {
  /** The program each worker runs, and its arguments. */
  readonly exec: { readonly file: string; readonly args: readonly string[] };
  /** More environment for every worker. */
  readonly env: Readonly<Record<string, string>>;
  /** Every worker listens (once). */
  onStarted(config: Config, cache: CacheSummary, start: StartInfo, certificates: readonly CertificateInfo[]): void;
  /** The tree cannot go on (workers killed already): `code` is the exit code a program would use. */
  onFatal(message: string, code: number): void;
  /** Every worker has exited after stop(). */
  onStopped(): void;
}

function log(message: string): void {
  process.stderr.write(`fastsrv: ${message}\n`);
}

/** Consecutive start-up failures after which the primary gives up. */
const MAX_STARTUP_FAILURES = 5;
const MAX_RESTART_DELAY_MS = 5000;
/** A reload gives up on a new worker that does not listen within this. */
const RELOAD_START_TIMEOUT_MS = 30_000;

export class Supervisor {
  private readonly states = new Map<number, WorkerState>();
  /** The worker id serving each slot. */
  private readonly owners: number[] = [];
  private isStarted = false;
  private isShuttingDown = false;
  private isReloading = false;
  private isReloadQueued = false;
  private startupFailures = 0;
  private changeBatches = 0;
  private readonly startedAt = Date.now();
  private restarts = 0;
  private readonly reloads = { ok: 0, failed: 0 };
  private reopens = 0;
  private scrapeCount = 0;
  private readonly metrics: PrimaryMetrics | null;
  /** The admin listener's address once it listens (the banner prints it). */
  private admin: Config['admin'] = null;
  private watcher: TreeWatcher | null = null;
  private readonly exitListener = (worker: Worker, code: number | null, signal: string | null): void => this.onExit(worker, code, signal);
  private stopTimer: NodeJS.Timeout | null = null;
  private onStopped: () => void = () => {};
  /** Resolves once every worker has exited after stop(). */
  private readonly stopped = new Promise<void>((resolve) => (this.onStopped = resolve));

  constructor(
    private readonly config: Config,
    private readonly hooks: TreeHooks,
    private readonly engine: Engine,
    /** Of the files the workers load: updated when a reload checks them again. */
    private certificates: readonly CertificateInfo[],
    createMetrics: ((tree: TreeState) => PrimaryMetrics) | null,
  ) {
    this.metrics = createMetrics?.({
      workersConfigured: config.workers,
      workersUp: () => this.countWorkersUp(),
      restarts: () => this.restarts,
      reloads: () => this.reloads,
    }) ?? null;
  }

  start(admin: Config['admin']): void {
    this.admin = admin;
    const hasSni = (this.config.tls?.sni.length ?? 0) > 0;
    cluster.setupPrimary({
      exec: this.hooks.exec.file,
      args: [...this.hooks.exec.args],
      // With SNI, worker stdout goes through filterWorkerStdout.
      ...(hasSni ? { stdio: ['inherit', 'pipe', 'inherit', 'ipc'] } : {}),
      // A worker allocates little once its cache is built (well under 200 B
      // per request), but building it fills V8's default 16 MiB semi-spaces,
      // which then stay resident: 2 MiB saves ~20 MiB RSS per worker and
      // measured no slower to start (bench/NOTES.md).
      execArgv: [...process.execArgv, '--max-semi-space-size=2'],
    });
    cluster.on('exit', this.exitListener);
    for (let slot = 0; slot < this.config.workers; slot++) this.fork(slot);
    if (this.config.watch && this.config.root !== null) {
      this.watcher = watchTree(
        this.config.root,
        { includeDotDirs: this.config.dotfiles === 'allow' },
        (keys) => {
          this.changeBatches++;
          this.broadcast({ type: 'changed', keys });
        },
        log,
      );
    }
  }

  private fork(slot: number): WorkerState {
    const worker = cluster.fork({ ...this.hooks.env, [CONFIG_ENV]: JSON.stringify(this.config), [WORKER_INDEX_ENV]: String(slot) });
    const { state, onStarted } = createWorkerState(worker, slot, this.changeBatches, this.reopens);
    this.states.set(worker.id, state);
    // A message sent to a worker that has just died fails (EPIPE) as an
    // 'error' event, which unhandled would take the primary down; the
    // worker's exit is handled in onExit.
    worker.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_IPC_CHANNEL_CLOSED') log(`worker ${worker.process.pid}: ${error.message}`);
    });
    if (worker.process.stdout) filterWorkerStdout(worker.process.stdout);
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'fatal') state.lastError = message.message;
      if (message.type === 'metrics') state.scrapes.get(message.id)?.(message.metrics);
      if (message.type === 'counts') this.keepCounts(state, message);
      if (message.type !== 'listening') return;
      state.isListening = true;
      this.startupFailures = 0;
      // A worker only hears about changes once it listens: if any came
      // while it was building its cache, have it rescan everything.
      if (this.changeBatches !== state.changesAtFork) worker.send({ type: 'changed', keys: ['/'] } satisfies PrimaryMessage);
      if (this.reopens !== state.reopensAtFork) worker.send({ type: 'reopen' } satisfies PrimaryMessage);
      onStarted(true);
      if (this.isStarted) worker.send({ type: 'started' } satisfies PrimaryMessage);
      else this.maybePrintBanner(message);
    });
    if (!this.isStarted) this.owners[slot] = worker.id;
    return state;
  }

  private maybePrintBanner(message: Extract<WorkerMessage, { type: 'listening' }>): void {
    if (this.isStarted) return;
    const listening = [...this.states.values()].filter((s) => s.isListening).length;
    if (listening < this.config.workers) return;
    this.isStarted = true;
    const start = {
      startMs: Date.now() - this.startedAt,
      engine: describeEngine(this.engine),
      isNative: this.engine.isNative,
      engineNote: this.engine.overrideProblem,
      tcpMigrateReq: readTcpMigrateReq(),
    };
    this.hooks.onStarted({ ...this.config, admin: this.admin }, message, start, this.certificates);
    // Compression waits until every worker has built its cache, so it does
    // not slow the start of the others on a machine with few cores.
    this.broadcast({ type: 'started' });
  }

  private onExit(worker: Worker, code: number | null, signal: string | null): void {
    const state = this.states.get(worker.id);
    if (state === undefined) return; // another tree's worker (a program may run several)
    this.states.delete(worker.id);
    if (this.isShuttingDown) {
      if (this.states.size === 0) this.finishStop();
      return;
    }
    if (state.isRetiring || this.owners[state.slot] !== worker.id) return;
    const cause = state.lastError ?? (signal ? `killed by ${signal}` : `exit code ${code}`);
    if (!state.isListening) {
      if (!this.isStarted) return this.killAllAndExit(`a worker failed to start: ${cause}`);
      // Give up only when nothing serves: while other workers still do (a
      // replacement failing on a broken certificate renewal, say), exiting
      // would turn one missing worker into an outage. Keep retrying instead.
      const isAnyServing = [...this.states.values()].some((s) => s !== state && s.isListening);
      if (++this.startupFailures >= MAX_STARTUP_FAILURES && !isAnyServing) {
        return this.killAllAndExit(`workers keep dying at start-up (${this.startupFailures} in a row), last: ${cause}`);
      }
    }
    this.restarts++;
    const delay = Math.min(100 * 2 ** this.startupFailures, MAX_RESTART_DELAY_MS);
    log(`worker ${worker.process.pid} died (${cause}); restarting in ${delay} ms`);
    setTimeout(() => {
      if (!this.isShuttingDown && this.owners[state.slot] === worker.id) {
        this.owners[state.slot] = this.fork(state.slot).worker.id;
      }
    }, delay);
  }

  /**
   * Rolling reload: for each slot, start a new worker, wait until it
   * listens, then retire the old one (it closes its listener and drains).
   * A new listener always exists before an old one closes.
   */
  async reload(): Promise<void> {
    if (this.isShuttingDown || !this.isStarted) return;
    if (this.isReloading) {
      this.isReloadQueued = true;
      return;
    }
    if (!this.checkCertificates()) return;
    this.isReloading = true;
    const began = Date.now();
    let isComplete = true;
    log('SIGHUP: reloading workers one at a time');
    for (let slot = 0; slot < this.config.workers && !this.isShuttingDown; slot++) {
      const old = this.states.get(this.owners[slot]);
      const next = this.fork(slot);
      const isUp = await Promise.race([next.started, delay(RELOAD_START_TIMEOUT_MS).then(() => false)]);
      if (!isUp) {
        log(`reload stopped: a new worker did not start (${next.lastError ?? 'no reason given'}); the old ones keep serving`);
        next.isRetiring = true;
        next.worker.process.kill('SIGKILL');
        isComplete = false;
        break;
      }
      this.owners[slot] = next.worker.id;
      if (old !== undefined) await this.retire(old);
    }
    log(`reload done in ${Date.now() - began} ms`);
    if (isComplete) this.reloads.ok++;
    else this.reloads.failed++;
    this.isReloading = false;
    if (this.isReloadQueued) {
      this.isReloadQueued = false;
      void this.reload();
    }
  }

  /**
   * Before a reload, check the certificate files the new workers will load:
   * a renewal that went wrong keeps the running workers (and the
   * certificate they loaded) serving, and says why.
   */
  private checkCertificates(): boolean {
    if (this.config.tls === null) return true;
    try {
      this.certificates = checkTls(this.config.tls).certificates;
    } catch (error) {
      // Whatever went wrong, a reload must never take the primary down.
      const reason = error instanceof Error ? error.message : String(error);
      log(`SIGHUP: not reloading: ${reason}; the running workers keep serving with the certificate they loaded`);
      return false;
    }
    const { lines, warnings } = describeCertificates(this.certificates, Date.now());
    for (const line of lines) log(`SIGHUP: certificate ${line}`);
    for (const warning of warnings) log(`SIGHUP: WARNING ${warning}`);
    return true;
  }

  private async retire(state: WorkerState): Promise<void> {
    state.isRetiring = true;
    state.worker.send({ type: 'shutdown' } satisfies PrimaryMessage);
    const limit = delay(this.config.drainTimeout * 1000 + 1000).then(() => 'late');
    if ((await Promise.race([state.exited, limit])) === 'late') state.worker.process.kill('SIGKILL');
  }

  /**
   * Send to every listening worker. One still starting may not have its
   * message handler yet (its modules load asynchronously): it gets changes
   * when it listens (see fork), and a plain SIGTERM when stopping, which is
   * safe as it has nothing in flight.
   */
  private broadcast(message: PrimaryMessage): void {
    for (const state of this.states.values()) {
      if (state.isListening && state.worker.isConnected()) state.worker.send(message);
      else if (message.type === 'shutdown') state.worker.process.kill('SIGTERM');
    }
  }

  /** SIGUSR1 (logrotate's postrotate): every worker reopens the access log by name. */
  reopenLogs(): void {
    if (this.config.accessLog === null || this.config.accessLog === '-') {
      log('SIGUSR1: no --access-log file to reopen');
      return;
    }
    this.reopens++;
    log(`SIGUSR1: reopening ${this.config.accessLog}`);
    this.broadcast({ type: 'reopen' });
  }

  /** Slots whose worker listens (a retiring worker's slot has its successor). */
  private countWorkersUp(): number {
    let up = 0;
    for (let slot = 0; slot < this.config.workers; slot++) {
      if (this.states.get(this.owners[slot])?.isListening === true) up++;
    }
    return up;
  }

  private getHealth(): Health {
    if (this.isShuttingDown) return { isHealthy: false, text: 'draining' };
    if (!this.isStarted) return { isHealthy: false, text: 'starting' };
    const up = this.countWorkersUp();
    if (up < this.config.workers) return { isHealthy: false, text: `${up} of ${this.config.workers} workers up` };
    return { isHealthy: true, text: 'ok' };
  }

  getAdminHandlers(): AdminHandlers {
    return {
      health: () => this.getHealth(),
      metrics: async () => {
        if (this.metrics === null) throw new Error('metrics are not loaded');
        return { contentType: this.metrics.contentType, body: await this.metrics.render(await scrapeWorkers(this.states.values(), ++this.scrapeCount)) };
      },
    };
  }

  /** A worker's totals at its graceful exit: kept in the primary's sums. */
  private keepCounts(state: WorkerState, message: Extract<WorkerMessage, { type: 'counts' }>): void {
    if (this.metrics === null || state.hasSentCounts) return;
    state.hasSentCounts = true;
    const { departed } = this.metrics;
    for (const [code, count] of message.statuses) departed.byStatus[code] += count;
    departed.bytes += message.bytes;
  }

  /**
   * Drain every worker (they stop accepting, finish in-flight responses and
   * exit); resolves once all have exited. A second call stops at once.
   */
  stop(): Promise<void> {
    if (this.isShuttingDown) {
      this.killAllAndExit('second signal: exiting at once');
      return this.stopped;
    }
    this.isShuttingDown = true;
    this.watcher?.stop();
    if (this.states.size === 0) {
      this.finishStop();
      return this.stopped;
    }
    this.broadcast({ type: 'shutdown' });
    // Workers drain for drainTimeout; anything still alive after that is killed.
    this.stopTimer = setTimeout(() => this.killAllAndExit('workers did not exit in time', 0), this.config.drainTimeout * 1000 + 1000);
    this.stopTimer.unref();
    return this.stopped;
  }

  private finishStop(): void {
    if (this.stopTimer !== null) clearTimeout(this.stopTimer);
    cluster.off('exit', this.exitListener);
    this.onStopped();
    this.hooks.onStopped();
  }

  /** Kill every worker and end the tree (exit code 1 unless told otherwise) with a message. */
  private killAllAndExit(message: string, code = 1): void {
    for (const { worker } of this.states.values()) worker.process.kill('SIGKILL');
    this.isShuttingDown = true;
    this.watcher?.stop();
    this.hooks.onFatal(message, code);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
