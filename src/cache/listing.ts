/**
 * `--listing`: the page a directory without index.html answers. The HTML
 * is a pure function of the entries; buildListings makes one cache entry
 * per such directory at build time (rebuilt with the table on any change),
 * so a listing is served like a file: ETag, 304, ranges, compression.
 */
import { getContentType } from '../setup/mime.js';
import { buildFileEntry, type FileEntry } from './entry.js';
import { isCompressible, type HeaderPolicy } from './policy.js';

export interface ListingItem {
  readonly name: string;
  readonly isDirectory: boolean;
  /** Bytes; ignored for directories. */
  readonly size: number;
  readonly mtimeMs: number;
}

/** What a directory holds, for its listing. */
export interface ListedDirectory {
  /** Decoded key with a trailing slash: `/docs/`. */
  readonly key: string;
  readonly mtimeMs: number;
  readonly items: readonly ListingItem[];
}

const STYLE =
  'body{font:15px/1.5 system-ui,sans-serif;margin:2em}table{border-collapse:collapse}' +
  'th,td{padding:.15em 1.2em .15em 0;text-align:left}td.size{text-align:right;font-variant-numeric:tabular-nums}';

/**
 * The listing page of `dirKey`: directories first, then files, each sorted
 * by name (code units, as the scan sorts); names HTML-escaped, links
 * percent-encoded and relative; a parent link except at the root.
 */
export function formatListingPage(dirKey: string, items: readonly ListingItem[]): string {
  const sorted = [...items].sort((a, b) =>
    a.isDirectory !== b.isDirectory ? (a.isDirectory ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const title = `Index of ${escapeHtml(dirKey)}`;
  const rows = sorted.map((item) => {
    const suffix = item.isDirectory ? '/' : '';
    const href = encodeURIComponent(item.name) + suffix;
    const size = item.isDirectory ? '-' : String(item.size);
    return `<tr><td><a href="${href}">${escapeHtml(item.name)}${suffix}</a></td><td class="size">${size}</td><td>${formatDate(item.mtimeMs)}</td></tr>`;
  });
  if (dirKey !== '/') rows.unshift('<tr><td><a href="../">../</a></td><td></td><td></td></tr>');
  return (
    `<!doctype html>\n<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<title>${title}</title><style>${STYLE}</style></head>\n<body><h1>${title}</h1>\n<table>\n` +
    `<thead><tr><th>Name</th><th>Size</th><th>Modified (UTC)</th></tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody></table>\n</body></html>\n`
  );
}

/** `&`, `<`, `>`, `"` and `'` as entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `2024-01-01 00:00`, UTC. */
function formatDate(mtimeMs: number): string {
  return new Date(mtimeMs).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * Group what the scan found into directories: each directory key with its
 * subdirectories and served files (`files`: key → size and mtime).
 */
export function groupDirectories(
  directories: readonly string[],
  directoryMtimes: ReadonlyMap<string, number>,
  files: ReadonlyMap<string, { readonly size: number; readonly mtimeMs: number }>,
): ListedDirectory[] {
  const byKey = new Map<string, ListingItem[]>(directories.map((d) => [d, []]));
  for (const dir of directories) {
    if (dir === '/') continue;
    const parent = dir.slice(0, dir.lastIndexOf('/', dir.length - 2) + 1);
    byKey.get(parent)?.push({ name: dir.slice(parent.length, -1), isDirectory: true, size: 0, mtimeMs: directoryMtimes.get(dir) ?? 0 });
  }
  for (const [key, file] of files) {
    const parent = key.slice(0, key.lastIndexOf('/') + 1);
    byKey.get(parent)?.push({ name: key.slice(parent.length), isDirectory: false, size: file.size, mtimeMs: file.mtimeMs });
  }
  return [...byKey].map(([key, items]) => ({ key, mtimeMs: directoryMtimes.get(key) ?? 0, items }));
}

/** The cache entry of a directory's listing page. */
export function buildListingEntry(dir: ListedDirectory, isCompressed: boolean, policy: HeaderPolicy): FileEntry {
  const body = Buffer.from(formatListingPage(dir.key, dir.items));
  const contentType = getContentType('/index.html');
  const file = { key: dir.key, contentType, mtimeMs: dir.mtimeMs };
  return buildFileEntry(file, body, { gzip: null, br: null }, isCompressed && isCompressible(contentType, body.length), policy);
}
