/**
 * The library API: `serve(options)` with the command line's options under
 * camelCase names, plus `root` and `routes`. Options go through the same
 * definitions and validators as the CLI and the config file (setup/);
 * running them is process/embedded.ts.
 */
import { compileRoutes, type AppRoutes } from './app/compile.js';
import { RouteError } from './app/result.js';
import type { Routes } from './app/types.js';
import { readOptionObject } from './setup/config-file.js';
import { buildConfig, OPTIONS, UsageError, type Config, type OptionName } from './setup/config.js';
import { listUrls } from './process/banner.js';
import { getBuildOptions } from './process/site.js';
import type { RunningTree } from './process/embedded.js';

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;
type JsonType<K> = K extends 'number' ? number : K extends 'string' ? string : K extends 'boolean' ? boolean : never;
type Definition<K extends OptionName> = (typeof OPTIONS)[K];
type OptionValue<D> = D extends { readonly json: readonly (infer K)[] } ? (D extends { readonly multiple: true } ? readonly JsonType<K>[] : JsonType<K>) : never;
/** The options a config file (and so the library) may give: not help, version, config. */
type SharedName = { [K in OptionName]: Definition<K> extends { readonly json: readonly unknown[] } ? K : never }[OptionName];

/** Every command-line option under its long name in camelCase (`maxAge`, `noCompress`, `accessLog`…). */
export type CliOptions = { readonly [K in SharedName as CamelCase<K>]?: OptionValue<Definition<K>> };

export interface ServeOptions extends Omit<CliOptions, 'workers'> {
  /** Directory to serve; relative to the current directory. None: routes only. */
  readonly root?: string;
  /** Paths answered by the program: fixed bodies and responses, or functions. They win over files. */
  readonly routes?: Routes;
  /**
   * Worker processes: N or 'auto' (one per CPU) re-run this program as
   * cluster workers (default 1); 0 serves in this process.
   */
  readonly workers?: number | 'auto';
}

export interface Server {
  /** `http://127.0.0.1:8080/` (https with a certificate; 127.0.0.1 for a server on every interface, IPv4 or IPv6). */
  readonly url: string;
  /** The port listened on (the one picked, for port 0). */
  readonly port: number;
  /** Worker processes (0: this process serves). */
  readonly workers: number;
  /** Stop accepting, finish in-flight responses (like SIGTERM, up to drainTimeout seconds); resolves when done. */
  close(): Promise<void>;
}

const NAMES: ReadonlyMap<string, string> = new Map(Object.keys(OPTIONS).map((name) => [toCamelCase(name), name]));

function toCamelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** A program runs one tree of workers: later serve() calls with workers ≥ 1 reject. */
let hasTree = false;

/**
 * Start serving. With workers ≥ 1 this program is the cluster primary and
 * every worker runs it again: create routes at module top level, the same
 * in every process. In the primary the promise resolves once every worker
 * listens; in a worker it never resolves (the worker serves until told to
 * stop), so code after `await serve()` runs once, in the primary. One tree
 * per program.
 */
export async function serve(options: ServeOptions = {}): Promise<Server> {
  const embedded = await import('./process/embedded.js');
  const { config, routes, inProcess } = readServeOptions(options);
  if (inProcess) return describe(await embedded.runInProcess(config, (mtimeMs) => compileFor(config, routes, mtimeMs)), 0);
  if (embedded.isLibraryWorker()) return embedded.runLibraryWorker((mtimeMs) => compileFor(config, routes, mtimeMs));
  if (hasTree) throw new UsageError('serve(): this program already started a tree of workers; one per program (more servers: workers: 0, in the primary only)');
  hasTree = true;
  try {
    return describe(await embedded.runLibraryPrimary(config, (mtimeMs) => compileFor(config, routes, mtimeMs)), config.workers);
  } catch (error) {
    hasTree = false; // nothing was started: the program may try again
    throw error;
  }
}

/** Options → Config (the CLI's validation and messages), the routes, and whether to serve in this process. */
export function readServeOptions(options: ServeOptions): { config: Config; routes: Routes; inProcess: boolean } {
  if (typeof options !== 'object' || options === null) throw new UsageError('serve() takes an object of options');
  const { root, routes, workers, ...rest } = options as ServeOptions & Record<string, unknown>;
  if (root === undefined && routes === undefined) throw new UsageError('serve() needs a root directory, routes, or both');
  if (root !== undefined && (typeof root !== 'string' || root === '')) throw new UsageError('serve(): "root" must be a directory name');
  const inProcess = workers === 0;
  const given = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  if (!inProcess && workers !== undefined) given.workers = workers;
  const { raw } = readOptionObject(given, 'serve()', process.cwd(), (key) => NAMES.get(key) ?? `unknown:${key}`);
  if (inProcess && raw.admin !== undefined) throw new UsageError('serve(): "admin" needs workers ≥ 1 (the cluster primary serves /metrics)');
  const config = buildConfig(root ?? null, raw, {});
  return { config: inProcess ? { ...config, workers: 0 } : config, routes: routes ?? {}, inProcess };
}

/** Compile `routes` with the site's header policy; a bad route is a UsageError. */
function compileFor(config: Config, routes: Routes, mtimeMs: number): AppRoutes {
  const build = getBuildOptions(config);
  try {
    return compileRoutes(routes, { policy: build.policy, compress: config.compress, mtimeMs, optionsHeaders: build.optionsHeaders });
  } catch (error) {
    if (error instanceof RouteError) throw new UsageError(`serve(): ${error.message}`);
    throw error;
  }
}

function describe(tree: RunningTree, workers: number): Server {
  return {
    // The banner's first URL: loopback for a server on every interface.
    url: listUrls(tree.config.host, tree.port, tree.config.tls === null ? 'http' : 'https')[0],
    port: tree.port,
    workers,
    close: tree.close,
  };
}
