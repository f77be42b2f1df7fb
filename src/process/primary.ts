/**
 * The cluster primary of a server tree: check what can be checked before
 * forking (output files, certificates, the engine, the ports), start the
 * admin listener, then hand over to the Supervisor. startTree is shared by
 * the command line (runPrimary: banner, signals, exit codes) and the
 * library API (src/library.ts: promises).
 */
import { fileURLToPath } from 'node:url';
import { startAdmin, type AdminListener } from './admin.js';
import { formatBanner } from './banner.js';
import type { Config } from '../setup/config.js';
import type { PrimaryMetrics, TreeState } from '../metrics/primary.js';
import { OutputFileError, openOutputFiles } from './output-files.js';
import { describeBindError, probeOtherPort, probePort } from './ports.js';
import { Supervisor, type TreeHooks } from './supervisor.js';
import { checkTls, TlsError } from '../setup/tls.js';
import { loadEngine } from '../setup/uws.js';

/** A started tree: its workers are being forked. */
export interface Tree {
  readonly supervisor: Supervisor;
  /** The port every worker listens on (the one picked, for port 0). */
  readonly port: number;
  /** Drain the workers, close the admin listener; resolves when all have exited. */
  stop(): Promise<void>;
}

/** Check the environment and fork the workers. Rejects before any fork on a bad file, certificate or port. */
export async function startTree(config: Config, hooks: TreeHooks): Promise<Tree> {
  openOutputFiles(config);
  const certificates = config.tls === null ? [] : checkTls(config.tls).certificates;
  const engine = loadEngine(config.allowJsFallback);
  const port = await probePort(config.host, config.port);
  const httpPort = config.httpPort === null ? null : await probeOtherPort(config.host, config.httpPort, port);
  const metrics = config.admin === null ? null : await loadPrimaryMetrics();
  const supervisor = new Supervisor({ ...config, port, httpPort }, hooks, engine, certificates, metrics);
  const admin = config.admin === null ? null : await listenAdmin(config.admin, supervisor, [port, httpPort]);
  supervisor.start(admin === null ? null : { host: config.admin!.host, port: admin.port });
  return {
    supervisor,
    port,
    stop: () => supervisor.stop().then(() => admin?.close()),
  };
}

/** Errors in what the user gave (certificate files, output files): exit code 2, like a bad flag. */
export function isUserInputError(error: unknown): boolean {
  return error instanceof TlsError || error instanceof OutputFileError;
}

/** The command line's tree: run until a signal; exits the process. */
export async function runPrimary(config: Config): Promise<void> {
  const hooks: TreeHooks = {
    exec: { file: fileURLToPath(new URL('./worker.js', import.meta.url)), args: [] },
    env: {},
    onStarted: (shown, cache, start, certificates) => void process.stdout.write(formatBanner(shown, cache, start, certificates)),
    onFatal: (message, code) => exitWith(message, code),
    onStopped: () => process.exit(0),
  };
  let tree: Tree;
  try {
    tree = await startTree(config, hooks);
  } catch (error) {
    exitWith(error instanceof Error ? error.message : String(error), isUserInputError(error) ? 2 : 1);
  }
  const { supervisor } = tree;
  process.on('SIGINT', () => void supervisor.stop());
  process.on('SIGTERM', () => void supervisor.stop());
  process.on('SIGHUP', () => void supervisor.reload());
  // Always handled: Node's default for SIGUSR1 would open a debugger port.
  process.on('SIGUSR1', () => supervisor.reopenLogs());
}

function exitWith(message: string, code: number): never {
  process.stderr.write(`fastsrv: ${message}\n`);
  process.exit(code);
}

/** prom-client is loaded only with --admin. */
async function loadPrimaryMetrics(): Promise<(tree: TreeState) => PrimaryMetrics> {
  const { createPrimaryMetrics } = await import('../metrics/primary.js');
  return createPrimaryMetrics;
}

/**
 * Listen before any worker is forked. With port 0, never a port the site
 * was just given (probePort released it; the workers bind it later).
 */
async function listenAdmin(
  address: NonNullable<Config['admin']>,
  supervisor: Supervisor,
  taken: ReadonlyArray<number | null>,
): Promise<AdminListener> {
  for (;;) {
    let admin: AdminListener;
    try {
      admin = await startAdmin(address.host, address.port, supervisor.getAdminHandlers());
    } catch (error) {
      throw new Error(`--admin ${address.host}:${address.port} ${describeBindError(error as NodeJS.ErrnoException)}`);
    }
    if (address.port !== 0 || !taken.includes(admin.port)) return admin;
    admin.close();
  }
}
