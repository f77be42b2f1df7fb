/**
 * The library API's processes. With workers ≥ 1 the calling program is the
 * cluster primary and every worker runs the same program again: serve()
 * in a worker finds the primary's Config in its environment, compiles its
 * own routes (function routes cannot travel between processes) and checks
 * them against the primary's. With workers: 0 the site runs in the calling
 * process, linked to a watcher and close() by plain calls.
 */
import cluster from 'node:cluster';
import type { AppRoutes } from '../app/compile.js';
import { checkSiteRules } from '../cache/site-rules.js';
import { UsageError, type Config } from '../setup/config.js';
import { RuleError } from '../rules/syntax.js';
import { CONFIG_ENV, WORKER_INDEX_ENV, type PrimaryMessage } from './messages.js';
import { openOutputFiles } from './output-files.js';
import { probeOtherPort, probePort } from './ports.js';
import { startTree } from './primary.js';
import { failWorker, PROCESS_LINK, runSite, type WorkerLink } from './site.js';
import { watchTree } from './watch.js';

/** The primary's routes, as compileRoutes describes them, for its workers to compare with theirs. */
const ROUTES_ENV = 'FASTSRV_ROUTES';
/** Last-Modified of fixed routes, the same in every worker. */
const ROUTES_TIME_ENV = 'FASTSRV_ROUTES_TIME';
/** Marks a worker forked by serve() (the command line's workers run worker.ts instead). */
const LIBRARY_ENV = 'FASTSRV_LIBRARY';

export interface RunningTree {
  /** The Config served, with the port picked for port 0. */
  readonly config: Config;
  readonly port: number;
  close(): Promise<void>;
}

type Compile = (mtimeMs: number) => AppRoutes;

/** This process is a worker forked by serve() in its primary. */
export function isLibraryWorker(): boolean {
  return cluster.isWorker && process.env[LIBRARY_ENV] === '1' && process.env[CONFIG_ENV] !== undefined;
}

/** Start the tree and resolve once every worker listens; reject (no worker left) when one cannot start. */
export async function runLibraryPrimary(config: Config, compile: Compile): Promise<RunningTree> {
  if (!cluster.isPrimary) throw new UsageError('serve() with workers ≥ 1 forks cluster workers and must run in the primary; inside workers of your own, give workers: 0');
  const script = process.argv[1];
  if (script === undefined) throw new UsageError('serve() with workers ≥ 1 runs this program again in each worker, and it has no script file (node -e, a REPL): give workers: 0');
  const mtimeMs = Date.now();
  const routes = compile(mtimeMs);
  checkRules(config.root);
  let onStarted: () => void = () => {};
  let onFailed: (error: Error) => void = () => {};
  let onStopped: () => void = () => {};
  const started = new Promise<void>((resolve, reject) => ((onStarted = resolve), (onFailed = reject)));
  const stopped = new Promise<void>((resolve) => (onStopped = resolve));
  started.catch(() => {}); // awaited below; a failure before that is not unhandled
  let isStarted = false;
  const running = await startTree(config, {
    exec: { file: script, args: process.argv.slice(2) },
    env: { [ROUTES_ENV]: routes.signature, [ROUTES_TIME_ENV]: String(mtimeMs), [LIBRARY_ENV]: '1' },
    onStarted: () => {
      isStarted = true;
      onStarted();
    },
    onFatal: (message) => {
      if (!isStarted) onFailed(new Error(message));
      else process.stderr.write(`fastsrv: ${message}\n`);
    },
    onStopped,
  });
  await started;
  let closing: Promise<void> | null = null;
  return {
    config: { ...config, port: running.port },
    port: running.port,
    close: () => (closing ??= Promise.all([running.stop(), stopped]).then(() => undefined)),
  };
}

/**
 * In a worker: serve this program's tree. The promise never settles: the
 * worker serves until the primary stops it, then exits, and the program's
 * code after `await serve()` runs only in the primary.
 */
export function runLibraryWorker(compile: Compile): Promise<never> {
  const never = new Promise<never>(() => {});
  process.on('uncaughtException', failWorker);
  try {
    const config = JSON.parse(process.env[CONFIG_ENV]!) as Config;
    const routes = compile(Number(process.env[ROUTES_TIME_ENV]));
    if (routes.signature !== process.env[ROUTES_ENV]) {
      throw new Error(
        'this worker built other routes than the primary: routes must be created the same way in every process ' +
          '(at module top level, from values that do not differ between processes, e.g. no Date.now() or random in fixed bodies)',
      );
    }
    runSite(config, Number(process.env[WORKER_INDEX_ENV] ?? 0), routes, PROCESS_LINK).catch(failWorker);
  } catch (error) {
    failWorker(error);
  }
  return never;
}

/** workers: 0 — the site in this process; changes are watched here, close() drains it. */
export async function runInProcess(config: Config, compile: Compile): Promise<RunningTree> {
  const routes = compile(Date.now());
  checkRules(config.root);
  openOutputFiles(config);
  const port = await probePort(config.host, config.port);
  const httpPort = config.httpPort === null ? null : await probeOtherPort(config.host, config.httpPort, port);
  const served: Config = { ...config, port, httpPort };
  const link = createLocalLink();
  await runSite(served, 0, routes, link.worker);
  link.deliver({ type: 'started' });
  const watcher = served.watch && served.root !== null
    ? watchTree(served.root, { includeDotDirs: served.dotfiles === 'allow' }, (keys) => link.deliver({ type: 'changed', keys }), (message) => void process.stderr.write(`fastsrv: ${message}\n`))
    : null;
  let closing: Promise<void> | null = null;
  return {
    config: served,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        watcher?.stop();
        link.onExit(resolve);
        link.deliver({ type: 'shutdown' });
      })),
  };
}

/** The in-process stand-in for IPC: messages are calls, exit resolves close(). */
function createLocalLink(): { worker: WorkerLink; deliver(message: PrimaryMessage): void; onExit(done: () => void): void } {
  const listeners: Array<(message: PrimaryMessage) => void> = [];
  let exited: () => void = () => {};
  return {
    worker: {
      send: (message) => {
        if (message.type === 'fatal') process.stderr.write(`fastsrv: ${message.message}\n`);
      },
      onMessage: (listener) => void listeners.push(listener),
      exit: () => exited(),
      isProcess: false,
    },
    deliver: (message) => {
      for (const listener of listeners) listener(message);
    },
    onExit: (done) => {
      exited = done;
    },
  };
}

/** A malformed `_headers` or `_redirects` stops the start with its file, line and reason. */
function checkRules(root: string | null): void {
  if (root === null) return;
  try {
    checkSiteRules(root);
  } catch (error) {
    if (error instanceof RuleError) throw new UsageError(error.message);
    throw error;
  }
}
