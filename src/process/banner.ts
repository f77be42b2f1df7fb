/** The start-up banner the primary prints once every worker listens. */
import { networkInterfaces } from 'node:os';
import type { Config } from '../setup/config.js';
import type { CertificateInfo } from '../setup/tls.js';
import { getVersion } from '../setup/version.js';

export interface CacheSummary {
  readonly fileCount: number;
  readonly byteCount: number;
  readonly streamedCount: number;
  readonly skipped: number;
  readonly listingCount?: number;
  readonly rules?: string | null;
}

/** Facts about this start the banner reports. */
export interface StartInfo {
  readonly startMs: number;
  /** describeEngine(): "uWebSockets.js 20.57.0 from @btc-vision/uwebsockets.js". */
  readonly engine: string;
  readonly isNative: boolean;
  /** Why the FASTSRV_UWS build was not used, or null. */
  readonly engineNote: string | null;
  readonly tcpMigrateReq: number | null;
}

/** Human size: 1.5 KiB, 12.0 MiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** URLs a user can open: the wildcard addresses expand to local IPv4s. */
export function listUrls(host: string, port: number, scheme: 'http' | 'https' = 'http'): string[] {
  const wrap = (h: string): string => (h.includes(':') ? `[${h}]` : h);
  if (host !== '0.0.0.0' && host !== '::') return [`${scheme}://${wrap(host)}:${port}/`];
  const urls = [`${scheme}://127.0.0.1:${port}/`];
  for (const list of Object.values(networkInterfaces())) {
    for (const address of list ?? []) {
      if (address.family === 'IPv4' && !address.internal) urls.push(`${scheme}://${address.address}:${port}/`);
    }
  }
  return urls;
}

const DAY_MS = 86_400_000;
/** A certificate this close to expiry gets a warning in the banner and the reload log. */
export const EXPIRY_WARNING_DAYS = 14;

/**
 * One line per certificate ("CN=example.com, serial 1F, expires 2026-12-25
 * 00:00 UTC (in 30 days)"), and warnings for those expired, expiring
 * within 14 days, or not valid yet.
 */
export function describeCertificates(certificates: readonly CertificateInfo[], nowMs: number): { lines: string[]; warnings: string[] } {
  const lines: string[] = [];
  const warnings: string[] = [];
  for (const c of certificates) {
    const left = c.validToMs - nowMs;
    const days = Math.floor(Math.abs(left) / DAY_MS);
    const when = left >= 0 ? `in ${formatDays(days)}` : `${formatDays(days)} ago`;
    const prefix = c.label === '--cert' ? '' : `${c.label.replace(/^--sni /, '')}: `;
    lines.push(`${prefix}${c.subject}, serial ${c.serial}, expires ${formatUtc(c.validToMs)} (${when})`);
    const what = `certificate ${c.path} (${c.label})`;
    if (c.validToMs <= nowMs) warnings.push(`${what} EXPIRED on ${formatUtc(c.validToMs)}: clients will refuse it`);
    else if (c.validToMs - nowMs < EXPIRY_WARNING_DAYS * DAY_MS) warnings.push(`${what} expires in ${formatDays(days)}: renew it`);
    if (c.validFromMs > nowMs) warnings.push(`${what} is not valid until ${formatUtc(c.validFromMs)}: clients will refuse it`);
  }
  return { lines, warnings };
}

function formatDays(days: number): string {
  return days === 0 ? 'less than a day' : days === 1 ? '1 day' : `${days} days`;
}

/** "2026-12-25 13:04 UTC" */
function formatUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

function formatBlock(label: string, lines: readonly string[]): string[] {
  return lines.map((line, i) => (i === 0 ? `  ${label.padEnd(10)}` : '            ') + line);
}

export function formatBanner(config: Config, cache: CacheSummary, start: StartInfo, certificates: readonly CertificateInfo[] = []): string {
  const tls = describeCertificates(certificates, Date.now());
  const scheme = config.tls === null ? 'http' : 'https';
  const lines = [
    `fastsrv ${getVersion()} ready in ${start.startMs} ms`,
    `  engine    ${start.engine} on Node.js ${process.version}`,
    ...(start.engineNote === null ? [] : [`  note      not used: ${start.engineNote}`]),
    `  root      ${config.root ?? "(none: routes only)"}`,
    `  cache     ${cache.fileCount - cache.streamedCount} files, ${formatBytes(cache.byteCount)} per worker` +
      (cache.streamedCount > 0 ? `; ${cache.streamedCount} streamed from disk` : '') +
      (cache.skipped > 0 ? ` (${cache.skipped} not served: dotfiles, links out of root, unreadable)` : ''),
    ...(cache.rules ? [`  rules     ${cache.rules}`] : []),
    ...(config.listing ? [`  listing   on (${cache.listingCount ?? 0} directories without index.html)`] : []),
    `  workers   ${config.workers}` + (start.isNative ? '' : ' (SLOW: uWebSockets.js JS fallback)'),
    `  watch     ${config.watch ? 'on (changes are served as they land)' : 'off (SIGHUP reloads)'}`,
    ...formatOpsLines(config),
    ...(start.tcpMigrateReq === 0 && config.workers > 1
      ? ['  note      net.ipv4.tcp_migrate_req=0: a reload can reset connections queued on a closing worker (see README)']
      : []),
    ...formatBlock('tls', tls.lines),
    ...tls.warnings.map((warning) => `  WARNING   ${warning}`),
    ...(config.httpPort === null ? [] : formatBlock('redirect', [`${listUrls(config.host, config.httpPort)[0]} → 308 to https://`])),
    ...formatBlock('open', listUrls(config.host, config.port, scheme)),
  ];
  return lines.join('\n') + '\n';
}

/** The access log and admin lines (none when both are off). */
export function formatOpsLines(config: Pick<Config, 'accessLog' | 'logFormat' | 'admin'>): string[] {
  const lines: string[] = [];
  if (config.accessLog !== null) {
    lines.push(`  log       ${config.accessLog === '-' ? 'stdout' : config.accessLog} (${config.logFormat}; SIGUSR1 reopens)`);
  }
  if (config.admin !== null) {
    const host = config.admin.host.includes(':') ? `[${config.admin.host}]` : config.admin.host;
    lines.push(`  admin     http://${host}:${config.admin.port}/metrics and /healthz`);
  }
  return lines;
}
