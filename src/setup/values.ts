/**
 * The validators of option values: one command-line value in, a checked
 * value out, or a UsageError saying what was expected. config.ts wires
 * them to the option definitions.
 */
import { statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AdminAddress, DotfilePolicy, LogFormat, SniCertificate, TlsConfig } from './config.js';
import { UsageError } from './usage-error.js';

/** A DNS name of letters, digits and hyphens, optionally `*.` first (RFC 6125 §6.4.3 wildcard). */
const SNI_NAME = /^(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** "example.com=/etc/cert.pem,/etc/key.pem" → { name, cert, key } (absolute paths). */
export function parseSni(text: string): SniCertificate {
  const equals = text.indexOf('=');
  const name = equals > 0 ? text.slice(0, equals).trim().toLowerCase().replace(/\.$/, '') : '';
  const files = equals > 0 ? text.slice(equals + 1).split(',') : [];
  if (name === '' || files.length !== 2 || files[0] === '' || files[1] === '') {
    throw new UsageError(`invalid --sni "${text}": expected NAME=CERT,KEY (file names without commas)`);
  }
  if (name.length > 253 || !SNI_NAME.test(name) || /^[\d.]+$/.test(name)) {
    throw new UsageError(`invalid --sni name "${name}": expected a DNS name such as example.com or *.example.com (clients send no SNI for IP addresses)`);
  }
  return { name, cert: resolve(files[0]), key: resolve(files[1]) };
}

export function parseHttpPort(text: string | undefined, tls: TlsConfig | null, port: number): number | null {
  if (text === undefined) return null;
  if (tls === null) throw new UsageError('--http-port redirects to https:// and needs --cert and --key');
  const httpPort = parsePort(text);
  if (httpPort !== 0 && httpPort === port) throw new UsageError(`--http-port ${httpPort} is also --port: give two different ports`);
  return httpPort;
}

export const DEFAULT_CACHE_SIZE = '256M';
export const DEFAULT_MAX_FILE_SIZE = '8M';
export const DEFAULT_COMPRESS_STORE_SIZE = '1G';
const SIZE_UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** "512M", "1.5G", "65536", "64k" → bytes (binary units, an optional trailing B). */
export function parseSize(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(?:i?[bB])?$/.exec(text.trim());
  const bytes = match ? Math.floor(Number(match[1]) * SIZE_UNITS[match[2].toUpperCase()]) : NaN;
  if (!Number.isSafeInteger(bytes)) {
    throw new UsageError(`invalid ${flag} "${text}": expected bytes with an optional K, M, G or T suffix`);
  }
  return bytes;
}

export function parsePositiveSize(flag: string, text: string): number {
  const bytes = parseSize(flag, text);
  if (bytes === 0) throw new UsageError(`invalid ${flag} "${text}": expected more than 0 bytes`);
  return bytes;
}

/** One store per user under the temp directory (private: mode 0700, checked when opened). */
export function getDefaultStoreDir(): string {
  const user = typeof process.getuid === 'function' ? String(process.getuid()) : 'user';
  return join(tmpdir(), `fastsrv-${user}`, 'compressed');
}

/** An absolute path that is a directory or does not exist yet (workers create it). */
export function validateStoreDir(text: string): string {
  if (text === '') throw new UsageError('invalid --compress-store "": expected a directory');
  const dir = resolve(text);
  let stats;
  try {
    stats = statSync(dir, { throwIfNoEntry: false });
  } catch {
    stats = undefined;
  }
  if (stats !== undefined && !stats.isDirectory()) throw new UsageError(`--compress-store "${text}" is not a directory`);
  return dir;
}

/** One year, the largest max-age RFC 9111 caches are asked to honour in practice. */
const MAX_MAX_AGE = 31_536_000;

export function parseMaxAge(text: string): number {
  if (!/^\d{1,9}$/.test(text) || Number(text) > MAX_MAX_AGE) {
    throw new UsageError(`invalid --max-age "${text}": expected whole seconds from 0 to ${MAX_MAX_AGE}`);
  }
  return Number(text);
}

export function parseDotfiles(text: string): DotfilePolicy {
  if (text === 'deny' || text === 'ignore' || text === 'allow') return text;
  throw new UsageError(`invalid --dotfiles "${text}": expected deny, ignore or allow`);
}

/** Headers fastsrv computes itself: overriding them would break responses. */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'content-length', 'content-type', 'content-range', 'content-encoding', 'transfer-encoding',
  'etag', 'last-modified', 'date', 'connection', 'vary', 'accept-ranges', 'location', 'allow',
]);

/** "Name: value" → [name, value]; refuses bad names, CR/LF and reserved names. */
export function parseHeader(text: string): [string, string] {
  const colon = text.indexOf(':');
  const name = colon > 0 ? text.slice(0, colon).trim() : '';
  const value = colon > 0 ? text.slice(colon + 1).trim() : '';
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || !/^[\t\x20-\x7e\x80-\xff]*$/.test(value)) {
    throw new UsageError(`invalid --header "${text}": expected "Name: value" on one line`);
  }
  if (RESERVED_HEADERS.has(name.toLowerCase())) {
    throw new UsageError(`--header cannot set ${name}: fastsrv computes it`);
  }
  return [name, value];
}

export function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new UsageError(`invalid port "${text}": expected an integer from 0 to 65535`);
  }
  return Number(text);
}

export function parseWorkers(text: string): number {
  if (text === 'auto') return availableParallelism();
  if (!/^\d{1,4}$/.test(text) || Number(text) < 1 || Number(text) > 1024) {
    throw new UsageError(`invalid --workers "${text}": expected auto or an integer from 1 to 1024`);
  }
  return Number(text);
}

export function parseNumber(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`invalid ${flag} "${text}": expected a number from ${min} to ${max}`);
  }
  return value;
}

export function validateHost(text: string): string {
  if (text === '' || /[\s/]/.test(text)) throw new UsageError(`invalid --host "${text}"`);
  return text;
}

/** The absolute path of an existing directory; throws UsageError naming `text`. */
export function validateRoot(text: string): string {
  const root = resolve(text);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(root).isDirectory();
  } catch {
    throw new UsageError(`root directory "${text}" does not exist`);
  }
  if (!isDirectory) throw new UsageError(`root "${text}" is not a directory`);
  return root;
}

/** A file option: absolute path, '-' (stdout) kept for --access-log; opened by the primary, not here. */
export function parseLogPath(flag: string, text: string | undefined): string | null {
  if (text === undefined) return null;
  if (text === '' || (text === '-' && flag !== '--access-log')) throw new UsageError(`invalid ${flag} "${text}": expected a file name`);
  return text === '-' ? '-' : resolve(text);
}

export function parseLogFormat(text: string | undefined, accessLog: string | undefined): LogFormat {
  if (text === undefined) return 'combined';
  if (accessLog === undefined) throw new UsageError('--log-format needs --access-log');
  if (text === 'combined' || text === 'json') return text;
  throw new UsageError(`invalid --log-format "${text}": expected combined or json`);
}

/**
 * "127.0.0.1:9100", "[::1]:9100", "10.0.0.5:0" → { host, port }. A host is
 * required (binding every interface is a choice to write out: 0.0.0.0:9100),
 * and the admin port is never the site's.
 */
export function parseAdmin(text: string | undefined, sitePort: number, httpPortText?: string): AdminAddress | null {
  if (text === undefined) return null;
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s/:[\]]+)):(\d{1,5})$/.exec(text);
  if (match === null || Number(match[3]) > 65535) {
    throw new UsageError(`invalid --admin "${text}": expected HOST:PORT (port 0 to 65535), e.g. 127.0.0.1:9100 or [::1]:9100`);
  }
  const port = Number(match[3]);
  if (port !== 0 && port === sitePort) throw new UsageError(`--admin port ${port} is the site's --port: give the admin listener its own port`);
  if (port !== 0 && httpPortText !== undefined && String(port) === httpPortText) {
    throw new UsageError(`--admin port ${port} is also --http-port: give the admin listener its own port`);
  }
  return { host: match[1] ?? match[2], port };
}
