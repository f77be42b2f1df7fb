/**
 * Options: definitions, defaults and validation, in one place. The CLI
 * parses argv with these definitions; the primary passes the validated
 * Config to every worker.
 */
import { resolve } from 'node:path';
import { UsageError } from './usage-error.js';
import {
  DEFAULT_CACHE_SIZE, DEFAULT_COMPRESS_STORE_SIZE, DEFAULT_MAX_FILE_SIZE, getDefaultStoreDir, parseAdmin, parseDotfiles, parseHeader,
  parseHttpPort, parseLogFormat, parseLogPath, parseMaxAge, parseNumber, parsePort, parsePositiveSize, parseSize, parseSni, parseWorkers,
  validateHost, validateRoot, validateStoreDir,
} from './values.js';

export {
  DEFAULT_CACHE_SIZE, DEFAULT_COMPRESS_STORE_SIZE, DEFAULT_MAX_FILE_SIZE, getDefaultStoreDir, parseAdmin, parseDotfiles, parseHeader,
  parseMaxAge, parsePort, parseSize, parseSni, parseWorkers, RESERVED_HEADERS, validateRoot,
} from './values.js';

export interface Config {
  /** Absolute path of the served directory; null: routes only (the library API without a root). */
  readonly root: string | null;
  readonly host: string;
  /** 0 = any free port (the primary picks one before forking). */
  readonly port: number;
  readonly workers: number;
  /** Run on the pure-JS uWS fallback instead of refusing to start. */
  readonly allowJsFallback: boolean;
  /** Seconds to wait for in-flight responses at shutdown. */
  readonly drainTimeout: number;
  /** Cache-Control max-age for assets (HTML stays no-cache). */
  readonly maxAge: number;
  /** Add `immutable` for fingerprinted file names. */
  readonly immutable: boolean;
  /** Unknown extension-less paths serve /index.html. */
  readonly spa: boolean;
  /** `/about` serves about.html; `/about.html` → 301 `/about`. */
  readonly cleanUrls: boolean;
  readonly dotfiles: DotfilePolicy;
  /** `Access-Control-Allow-Origin: *` and preflight answers. */
  readonly cors: boolean;
  /** Extra `[name, value]` headers baked into every file response. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** A directory without index.html answers a listing of its entries. */
  readonly listing: boolean;
  /** Precompress compressible files with brotli and gzip. */
  readonly compress: boolean;
  /** Absolute path of the compressed-variant store (workers share it, restarts reuse it). */
  readonly compressStore: string;
  /** Bytes the store may hold before its least recently used entries are evicted. */
  readonly compressStoreSize: number;
  /** Bytes of file bodies (and variants) held in memory per worker. */
  readonly cacheSize: number;
  /** Files larger than this are streamed from disk, never cached. */
  readonly maxFileSize: number;
  /** Access log: an absolute path, '-' for stdout, or null (off). */
  readonly accessLog: string | null;
  readonly logFormat: LogFormat;
  /** Where the primary serves /metrics and /healthz; null = off. */
  readonly admin: AdminAddress | null;
  /** File the primary writes its pid to (logrotate, init scripts); null = none. */
  readonly pidFile: string | null;
  /** Watch the root and serve changes as they land. */
  readonly watch: boolean;
  /** Serve HTTPS on `port` with these files; null = plain HTTP. */
  readonly tls: TlsConfig | null;
  /** Plain-HTTP port whose every request is redirected (308) to https://; needs `tls`. */
  readonly httpPort: number | null;
}

/**
 * Certificate files by absolute path. The primary checks them before
 * forking (src/setup/tls.ts) and again on SIGHUP; every worker has uWS read them
 * by name, so a reload picks up renewed files.
 */
export interface TlsConfig {
  readonly cert: string;
  readonly key: string;
  /** File holding the passphrase of encrypted keys (every key gets it). */
  readonly passphraseFile: string | null;
  /** More certificates, chosen by the name the client sends (SNI). */
  readonly sni: readonly SniCertificate[];
}

export interface SniCertificate {
  /** Host name, lower-case; `*.example.com` matches one label. */
  readonly name: string;
  readonly cert: string;
  readonly key: string;
}

/** combined: nginx/Apache's combined format; json: one JSON object per line. */
export type LogFormat = 'combined' | 'json';

export interface AdminAddress {
  readonly host: string;
  /** 0 = any free port (the banner says which). */
  readonly port: number;
}

/** deny: 403, ignore: 404 (default), allow: serve. */
export type DotfilePolicy = 'deny' | 'ignore' | 'allow';

export { UsageError } from './usage-error.js';

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '0.0.0.0';
export const DEFAULT_DRAIN_TIMEOUT = 5;

/** What a config file may give for an option (typed JSON); arrays for repeatable options. */
export type JsonKind = 'string' | 'number' | 'boolean';

/**
 * One option, defined once: the command-line parser (node:util.parseArgs
 * reads `type`, `short`, `multiple`), the config file (`json`), the help
 * text and the README table (`arg`, `help`) all come from here. `parse`
 * validates one value as typed on the command line; config-file values are
 * converted to that text first, so both go through the same validator. A
 * library API (`serve({ maxAge })`) would map camelCase keys to these names
 * and go through parseOptionValues too.
 */
export interface OptionDefinition {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** The value's placeholder in the help text and the README: `N`, `BYTES`. */
  readonly arg?: string;
  readonly help: string;
  /** JSON kinds a config file may give; absent = command line only. */
  readonly json?: readonly JsonKind[];
  /** Validate and convert one command-line value; throws UsageError. */
  readonly parse?: (text: string) => unknown;
  /** For options naming files: make a config file's relative paths relative to the file's directory. */
  readonly resolvePaths?: (text: string, baseDir: string) => string;
}

function resolveFrom(text: string, baseDir: string): string {
  return resolve(baseDir, text);
}

/** An access log path, where "-" (stdout) stays as it is. */
function resolveLogPathFrom(text: string, baseDir: string): string {
  return text === '-' ? text : resolve(baseDir, text);
}

/** NAME=CERT,KEY with both files resolved against `baseDir` (left as is when malformed: parseSni says why). */
function resolveSniFrom(text: string, baseDir: string): string {
  const equals = text.indexOf('=');
  const files = text.slice(equals + 1).split(',');
  if (equals <= 0 || files.length !== 2) return text;
  return `${text.slice(0, equals)}=${files.map((f) => (f === '' ? f : resolve(baseDir, f))).join(',')}`;
}

const NUMBER = ['number'] as const;
const STRING = ['string'] as const;
const BOOLEAN = ['boolean'] as const;
/** Sizes and worker counts: 65536 or "64K", 4 or "auto". */
const NUMBER_OR_STRING = ['number', 'string'] as const;

export const OPTIONS = {
  port: { type: 'string', short: 'p', arg: 'N', json: NUMBER, parse: parsePort, help: 'port to listen on (default 8080, or $PORT; 0 = any free port)' },
  host: { type: 'string', short: 'H', arg: 'H', json: STRING, parse: validateHost, help: 'address to listen on (default 0.0.0.0)' },
  workers: { type: 'string', short: 'w', arg: 'auto|N', json: NUMBER_OR_STRING, parse: parseWorkers, help: 'worker processes: a number, or auto = one per CPU (default 1)' },
  'max-age': { type: 'string', arg: 'S', json: NUMBER, parse: parseMaxAge, help: 'Cache-Control max-age in seconds for assets; HTML stays no-cache (default 0)' },
  immutable: { type: 'boolean', json: BOOLEAN, help: 'add "immutable" to Cache-Control of fingerprinted names (app.3f9a1c2e.js)' },
  spa: { type: 'boolean', json: BOOLEAN, help: 'serve /index.html (200) for unknown paths without an extension' },
  'clean-urls': { type: 'boolean', json: BOOLEAN, help: '/about serves about.html; /about.html redirects (301) to /about' },
  dotfiles: { type: 'string', arg: 'deny|ignore|allow', json: STRING, parse: parseDotfiles, help: 'names starting with a dot: deny (403), ignore (404, default) or allow' },
  cors: { type: 'boolean', json: BOOLEAN, help: 'send Access-Control-Allow-Origin: * and answer CORS preflights' },
  header: { type: 'string', multiple: true, arg: '"Name: value"', json: STRING, parse: parseHeader, help: 'extra response header "Name: value" (repeatable)' },
  listing: { type: 'boolean', json: BOOLEAN, help: 'a directory without index.html answers a page listing its entries' },
  'cache-size': { type: 'string', arg: 'BYTES', json: NUMBER_OR_STRING, parse: (text) => parseSize('--cache-size', text), help: 'memory for file bodies per worker, e.g. 512M (default 256M); the rest streams' },
  'max-file-size': { type: 'string', arg: 'BYTES', json: NUMBER_OR_STRING, parse: (text) => parseSize('--max-file-size', text), help: 'files above this size stream from disk, e.g. 16M (default 8M)' },
  'no-compress': { type: 'boolean', json: BOOLEAN, help: 'do not precompress with brotli/gzip (.br/.gz siblings are still used)' },
  'compress-store': { type: 'string', arg: 'DIR', json: STRING, parse: validateStoreDir, resolvePaths: resolveFrom, help: 'directory of compressed variants, kept across restarts (default $TMPDIR/fastsrv-<uid>/compressed)' },
  'compress-store-size': { type: 'string', arg: 'BYTES', json: NUMBER_OR_STRING, parse: (text) => parsePositiveSize('--compress-store-size', text), help: 'bound of --compress-store; least recently used entries go first (default 1G)' },
  'no-watch': { type: 'boolean', json: BOOLEAN, help: 'do not watch the root for changes (SIGHUP still reloads)' },
  'drain-timeout': { type: 'string', arg: 'S', json: NUMBER, parse: (text) => parseNumber('--drain-timeout', text, 0, 3600), help: 'seconds to finish in-flight responses on shutdown (default 5)' },
  cert: { type: 'string', arg: 'FILE', json: STRING, resolvePaths: resolveFrom, help: 'serve HTTPS on --port with this PEM certificate (chain) file; needs --key' },
  key: { type: 'string', arg: 'FILE', json: STRING, resolvePaths: resolveFrom, help: 'PEM private key of --cert' },
  'passphrase-file': { type: 'string', arg: 'FILE', json: STRING, resolvePaths: resolveFrom, help: 'file whose first line is the passphrase of an encrypted key' },
  sni: { type: 'string', multiple: true, arg: 'NAME=CERT,KEY', json: STRING, parse: parseSni, resolvePaths: resolveSniFrom, help: 'NAME=CERT,KEY: another certificate for clients asking for NAME (SNI; repeatable)' },
  'http-port': { type: 'string', arg: 'N', json: NUMBER, parse: parsePort, help: 'also listen for plain HTTP on this port, answering 308 to the https:// URL' },
  'allow-js-fallback': { type: 'boolean', json: BOOLEAN, help: 'run even if only the slow JS build of uWebSockets.js loads' },
  'access-log': { type: 'string', arg: 'FILE', json: STRING, resolvePaths: resolveLogPathFrom, help: 'append one line per response to FILE ("-" = stdout); SIGUSR1 reopens it (default off)' },
  'log-format': { type: 'string', arg: 'combined|json', json: STRING, help: 'access log format: combined (as nginx and Apache write it, default) or json' },
  admin: { type: 'string', arg: 'HOST:PORT', json: STRING, help: 'serve /metrics (Prometheus) and /healthz on HOST:PORT: loopback or a private interface (default off)' },
  'pid-file': { type: 'string', arg: 'FILE', json: STRING, resolvePaths: resolveFrom, help: 'write the primary\'s pid to FILE (for logrotate: kill -USR1 $(cat FILE))' },
  config: { type: 'string', arg: 'FILE', help: 'read options from a JSON file (keys are these long names); flags given here win' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
  version: { type: 'boolean', short: 'v', help: 'show the version' },
} as const satisfies Record<string, OptionDefinition>;

export type OptionName = keyof typeof OPTIONS;

type RawValue<D> = D extends { type: 'boolean' } ? boolean : D extends { multiple: true } ? string[] : string;
/** Option values as the command line gives them (strings, booleans, string lists). */
export type RawOptions = { [K in OptionName]?: RawValue<(typeof OPTIONS)[K]> };

type ParsedValue<D> = D extends { type: 'boolean' } ? boolean
  : D extends { parse: (text: string) => infer T } ? (D extends { multiple: true } ? T[] : T)
  : string;
/** Option values after their validators. */
export type ParsedOptions = { [K in OptionName]?: ParsedValue<(typeof OPTIONS)[K]> };

/**
 * Run each given value through its option's validator. `describe(name)`
 * says where a value came from when it is wrong (a config file and key);
 * null leaves the validator's message as it is.
 */
export function parseOptionValues(raw: RawOptions, describe: ((name: OptionName) => string) | null = null): ParsedOptions {
  const parsed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw) as [OptionName, string | boolean | string[] | undefined][]) {
    if (value === undefined) continue;
    const def: OptionDefinition = OPTIONS[name];
    const parse = def.parse ?? ((text: string): unknown => text);
    try {
      parsed[name] = typeof value === 'boolean' ? value : Array.isArray(value) ? value.map(parse) : parse(value);
    } catch (error) {
      if (describe === null || !(error instanceof UsageError)) throw error;
      throw new UsageError(`${describe(name)}: ${error.message}`);
    }
  }
  return parsed as ParsedOptions;
}

/**
 * Validate raw option strings (and $PORT) into a Config; throws UsageError.
 * `rootArg` null: no root (routes only); undefined: the current directory.
 */
export function buildConfig(rootArg: string | null | undefined, raw: RawOptions, env: NodeJS.ProcessEnv): Config {
  const v = parseOptionValues(raw);
  const port = v.port ?? parsePort(env.PORT ?? String(DEFAULT_PORT));
  const tls = buildTlsConfig(raw);
  return {
    root: rootArg === null ? null : validateRoot(rootArg ?? '.'),
    host: v.host ?? DEFAULT_HOST,
    port,
    workers: v.workers ?? 1,
    allowJsFallback: v['allow-js-fallback'] ?? false,
    drainTimeout: v['drain-timeout'] ?? DEFAULT_DRAIN_TIMEOUT,
    maxAge: v['max-age'] ?? 0,
    immutable: v.immutable ?? false,
    spa: v.spa ?? false,
    cleanUrls: v['clean-urls'] ?? false,
    dotfiles: v.dotfiles ?? 'ignore',
    cors: v.cors ?? false,
    headers: v.header ?? [],
    listing: v.listing ?? false,
    compress: !(v['no-compress'] ?? false),
    compressStore: v['compress-store'] ?? getDefaultStoreDir(),
    compressStoreSize: v['compress-store-size'] ?? parseSize('--compress-store-size', DEFAULT_COMPRESS_STORE_SIZE),
    cacheSize: v['cache-size'] ?? parseSize('--cache-size', DEFAULT_CACHE_SIZE),
    maxFileSize: v['max-file-size'] ?? parseSize('--max-file-size', DEFAULT_MAX_FILE_SIZE),
    accessLog: parseLogPath('--access-log', raw['access-log']),
    logFormat: parseLogFormat(raw['log-format'], raw['access-log']),
    admin: parseAdmin(raw.admin, port, raw['http-port']),
    pidFile: parseLogPath('--pid-file', raw['pid-file']),
    watch: !(v['no-watch'] ?? false),
    tls,
    httpPort: parseHttpPort(raw['http-port'], tls, port),
  };
}

/** --cert/--key/--passphrase-file/--sni → TlsConfig; only names are checked here, files in src/setup/tls.ts. */
function buildTlsConfig(raw: RawOptions): TlsConfig | null {
  const sni = raw.sni ?? [];
  if (raw.cert === undefined && raw.key === undefined) {
    const stray = raw['passphrase-file'] !== undefined ? '--passphrase-file' : sni.length > 0 ? '--sni' : null;
    if (stray !== null) throw new UsageError(`${stray} needs --cert and --key`);
    return null;
  }
  if (raw.cert === undefined || raw.key === undefined) {
    throw new UsageError(raw.cert === undefined ? '--key needs --cert' : '--cert needs --key (the certificate\'s private key)');
  }
  const entries = sni.map(parseSni);
  const names = new Set<string>();
  for (const { name } of entries) {
    if (names.has(name)) throw new UsageError(`--sni ${name} is given twice`);
    names.add(name);
  }
  return {
    cert: resolve(raw.cert),
    key: resolve(raw.key),
    passphraseFile: raw['passphrase-file'] === undefined ? null : resolve(raw['passphrase-file']),
    sni: entries,
  };
}

