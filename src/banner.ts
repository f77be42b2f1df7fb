/** The start-up banner the primary prints once every worker listens. */
import { networkInterfaces } from 'node:os';
import type { Config } from './config.js';
import { getVersion } from './version.js';

interface CacheSummary {
  readonly fileCount: number;
  readonly byteCount: number;
  readonly streamedCount: number;
  readonly skipped: number;
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
export function listUrls(host: string, port: number): string[] {
  const wrap = (h: string): string => (h.includes(':') ? `[${h}]` : h);
  if (host !== '0.0.0.0' && host !== '::') return [`http://${wrap(host)}:${port}/`];
  const urls = [`http://127.0.0.1:${port}/`];
  for (const list of Object.values(networkInterfaces())) {
    for (const address of list ?? []) {
      if (address.family === 'IPv4' && !address.internal) urls.push(`http://${address.address}:${port}/`);
    }
  }
  return urls;
}

export function formatBanner(config: Config, cache: CacheSummary, start: StartInfo): string {
  const lines = [
    `fastsrv ${getVersion()} ready in ${start.startMs} ms`,
    `  engine    ${start.engine} on Node.js ${process.version}`,
    ...(start.engineNote === null ? [] : [`  note      not used: ${start.engineNote}`]),
    `  root      ${config.root}`,
    `  cache     ${cache.fileCount - cache.streamedCount} files, ${formatBytes(cache.byteCount)} per worker` +
      (cache.streamedCount > 0 ? `; ${cache.streamedCount} streamed from disk` : '') +
      (cache.skipped > 0 ? ` (${cache.skipped} not served: dotfiles, links out of root, unreadable)` : ''),
    `  workers   ${config.workers}` + (start.isNative ? '' : ' (SLOW: uWebSockets.js JS fallback)'),
    `  watch     ${config.watch ? 'on (changes are served as they land)' : 'off (SIGHUP reloads)'}`,
    ...(start.tcpMigrateReq === 0 && config.workers > 1
      ? ['  note      net.ipv4.tcp_migrate_req=0: a reload can reset connections queued on a closing worker (see README)']
      : []),
    ...listUrls(config.host, config.port).map((url, i) => (i === 0 ? '  open      ' : '            ') + url),
  ];
  return lines.join('\n') + '\n';
}
