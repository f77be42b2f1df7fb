/**
 * The one module that loads uWebSockets.js: the engine loader.
 *
 * uWebSockets.js is not on npm under its own name, and no single build
 * covers every supported Node.js: uWS 20.57 (@btc-vision/uwebsockets.js)
 * has binaries for Node.js 20/22/24/25 but needs glibc ≥ 2.38 on Linux;
 * uWS 20.30 (@trufflesuite/uws-js-unofficial) stops at Node.js 20 and runs
 * on older glibc. So the loader tries, in order, the build named by
 * FASTSRV_UWS, the current build, then the old one, and uses the first
 * whose native addon loads (see CANDIDATES and README "Engines").
 *
 * The old package silently falls back to a pure-JS server when its binary
 * does not load. That fallback is many times slower, and fastsrv exists for
 * speed, so it is used only with --allow-js-fallback.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type * as Uws from 'uws-current';
import { describeAbi, describeLoadError, formatNoEngineMessage, type CandidateFailure } from './engine.js';

export type UwsModule = typeof Uws;
export type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket } from 'uws-current';

const require = createRequire(import.meta.url);

/** The loaded uWebSockets.js build and where it came from. */
export interface Engine {
  readonly uws: UwsModule;
  /** uWebSockets.js version, e.g. "20.57.0". */
  readonly version: string;
  /** The npm package it came from, or `FASTSRV_UWS=path`. */
  readonly source: string;
  /** False only for the pure-JS fallback (--allow-js-fallback). */
  readonly isNative: boolean;
  /** Why the FASTSRV_UWS build was passed over for this one, or null. */
  readonly overrideProblem: string | null;
}

/** No native build loads: the message lists every candidate and why. */
export class NativeLoadError extends Error {
  readonly code = 'ENATIVE';
}

/** Environment variable naming a uWebSockets.js package (or its main file) to try first. */
export const ENGINE_ENV = 'FASTSRV_UWS';

/** npm aliases of the bundled builds, newest first (package.json dependencies). */
const CANDIDATES = ['uws-current', 'uws-legacy'] as const;
/** The bundled build with a pure-JS fallback. */
const FALLBACK_CANDIDATE = 'uws-legacy';

interface PackageInfo {
  readonly dir: string;
  readonly name: string;
  readonly version: string;
}

let loaded: Engine | null = null;

/**
 * Load the first native uWebSockets.js build that works here. Throws
 * NativeLoadError naming every candidate's problem, unless `allowFallback`,
 * in which case the old build's pure-JS fallback is returned.
 */
export function loadEngine(allowFallback: boolean, env: NodeJS.ProcessEnv = process.env): Engine {
  if (loaded !== null) return loaded;
  const failures: CandidateFailure[] = [];
  const refused = isFallbackForced(env) ? 'the environment variable UWS_USE_FALLBACK is set' : null;
  for (const candidate of listCandidates(env)) {
    const attempt = tryCandidate(candidate, refused);
    if ('failure' in attempt) {
      failures.push(attempt.failure);
      continue;
    }
    return (loaded = { ...attempt.engine, overrideProblem: findOverrideProblem(failures) });
  }
  if (!allowFallback) throw new NativeLoadError(formatNoEngineMessage(failures, describeRuntime()));
  return (loaded = { ...loadFallback(), overrideProblem: findOverrideProblem(failures) });
}

/** "uWebSockets.js 20.57.0 from @btc-vision/uwebsockets.js" (+ " (JS fallback)"). */
export function describeEngine(engine: Engine): string {
  return `uWebSockets.js ${engine.version} from ${engine.source}` + (engine.isNative ? '' : ' (slow pure-JS fallback)');
}

function findOverrideProblem(failures: readonly CandidateFailure[]): string | null {
  const failure = failures.find((f) => f.label.startsWith(`${ENGINE_ENV}=`));
  return failure === undefined ? null : `${failure.label}: ${failure.reason}`;
}

/** A build to try: `label` names it in messages until its package is read. */
interface Candidate {
  readonly label: string;
  readonly isOverride: boolean;
  locate(): PackageInfo;
}

function listCandidates(env: NodeJS.ProcessEnv): Candidate[] {
  const list: Candidate[] = [];
  const override = env[ENGINE_ENV];
  if (override !== undefined && override !== '') {
    const locate = (): PackageInfo => readPackage(findPackageDir(resolve(override)));
    list.push({ label: `${ENGINE_ENV}=${override}`, isOverride: true, locate });
  }
  for (const alias of CANDIDATES) {
    const locate = (): PackageInfo => readPackage(findPackageDir(require.resolve(alias)));
    list.push({ label: alias, isOverride: false, locate });
  }
  return list;
}

type Attempt = { readonly engine: Omit<Engine, 'overrideProblem'> } | { readonly failure: CandidateFailure };

function tryCandidate(candidate: Candidate, refused: string | null): Attempt {
  let pkg: PackageInfo;
  try {
    pkg = candidate.locate();
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { failure: { label: candidate.label, version: null, reason: `not found (${reason})` } };
  }
  // A bundled build is named by its real package, not by fastsrv's alias for it.
  const label = candidate.isOverride ? candidate.label : pkg.name;
  const failure = (reason: string): Attempt => ({ failure: { label, version: pkg.version, reason } });
  if (refused !== null) return failure(refused);
  const file = `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  const path = [join(pkg.dir, file), join(pkg.dir, 'binaries', file)].find((p) => existsSync(p));
  if (path === undefined) return failure(describeAbi(process.versions.modules, listAbis(pkg.dir)));
  let uws: UwsModule;
  try {
    uws = require(path) as UwsModule;
  } catch (error) {
    return failure(describeLoadError(file, error instanceof Error ? error.message : String(error), readGlibcVersion()));
  }
  if (!isNative(uws)) return failure(`${file} does not look like the uWebSockets.js addon`);
  return { engine: { uws, version: toUwsVersion(pkg.version), source: label, isNative: true } };
}

/** The old build's main module, which falls back to JS when its binary does not load. */
function loadFallback(): Omit<Engine, 'overrideProblem'> {
  const pkg = readPackage(findPackageDir(require.resolve(FALLBACK_CANDIDATE)));
  // The package prints its own warning when it falls back; the banner says more.
  const { warn, log } = console;
  console.warn = console.log = () => {};
  let uws: UwsModule;
  try {
    uws = require(FALLBACK_CANDIDATE) as UwsModule;
  } finally {
    console.warn = warn;
    console.log = log;
  }
  return { uws, version: toUwsVersion(pkg.version), source: pkg.name, isNative: isNative(uws) };
}

/** True when the module is the native addon, not the JS fallback. */
function isNative(uws: UwsModule): boolean {
  // The fallback exports App and a couple of helpers; only the addon has these.
  const exports = uws as unknown as Record<string, unknown>;
  return typeof exports.us_listen_socket_close === 'function' && typeof exports.getParts === 'function';
}

function isFallbackForced(env: NodeJS.ProcessEnv): boolean {
  const flag = env.UWS_USE_FALLBACK;
  return flag !== undefined && /^(1|true)$/i.test(flag);
}

/** The nearest directory at or above `path` with a package.json. */
function findPackageDir(path: string): string {
  let dir = existsSync(join(path, 'package.json')) ? path : dirname(path);
  for (let i = 0; i < 4 && !existsSync(join(dir, 'package.json')); i++) dir = dirname(dir);
  if (!existsSync(join(dir, 'package.json'))) throw new Error(`no package.json at or above ${path}`);
  return dir;
}

function readPackage(dir: string): PackageInfo {
  const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
  return { dir, name: json.name ?? dir, version: json.version ?? 'unknown' };
}

/** ABIs this build has binaries for on this platform and architecture. */
function listAbis(dir: string): string[] {
  const prefix = `uws_${process.platform}_${process.arch}_`;
  const abis = new Set<string>();
  for (const sub of [dir, join(dir, 'binaries')]) {
    let names: string[];
    try {
      names = readdirSync(sub);
    } catch {
      continue;
    }
    for (const name of names) {
      if (name.startsWith(prefix) && name.endsWith('.node')) abis.add(name.slice(prefix.length, -'.node'.length));
    }
  }
  return [...abis].sort((a, b) => Number(a) - Number(b));
}

/** "20.30.0-unofficial.0" → "20.30.0": the repack's suffix is not uWS's version. */
function toUwsVersion(version: string): string {
  return version.replace(/-unofficial\..*$/, '');
}

function describeRuntime(): string {
  const glibc = readGlibcVersion();
  return `Node.js ${process.version} (ABI ${process.versions.modules}, ${process.platform}-${process.arch}` +
    (glibc === null ? '' : `, glibc ${glibc}`) + ')';
}

/** The C library's version on glibc Linux ("2.36"), else null. */
function readGlibcVersion(): string | null {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime ?? null;
}
