/**
 * The cache table: decoded URL path → entry, built from one walk of the root.
 * Setup only; the server reads the maps.
 */
import { readFileSync } from 'node:fs';
import { encodePath } from '../http/path.js';
import { getContentType } from '../mime.js';
import { buildFileEntry, type FileEntry, type HeaderPolicy } from './entry.js';
import { buildFixedResponses, buildRedirect, type FixedResponses, type Redirect } from './responses.js';
import { scanDirectory } from './scan.js';

export const INDEX_NAME = 'index.html';
export const NOT_FOUND_PAGE = '/404.html';

export interface BuildOptions {
  readonly includeDotfiles: boolean;
  readonly policy: HeaderPolicy;
}

export interface CacheTable {
  /** File keys, plus `/dir/` aliases of `/dir/index.html`. */
  readonly files: Map<string, FileEntry>;
  /** `/dir` → 301 to `/dir/` for directories that have an index. */
  readonly redirects: Map<string, Redirect>;
  readonly fixed: FixedResponses;
  readonly fileCount: number;
  readonly byteCount: number;
  /** Files found but not served (dotfiles, unreadable, links leaving root). */
  readonly skipped: number;
}

/** Scan `root`, read every file once and build every header block. */
export function buildCacheTable(root: string, options: BuildOptions): CacheTable {
  const scan = scanDirectory(root, { includeDotfiles: options.includeDotfiles });
  const files = new Map<string, FileEntry>();
  let byteCount = 0;
  let skipped = scan.skipped;
  for (const file of scan.files) {
    let body: Buffer;
    try {
      body = readFileSync(file.absPath);
    } catch {
      skipped++;
      continue;
    }
    const entry = buildFileEntry(file.key, getContentType(file.key), file.mtimeMs, body, options.policy);
    files.set(file.key, entry);
    byteCount += body.length;
  }
  const fileCount = files.size;
  const redirects = new Map<string, Redirect>();
  for (const dir of scan.directories) {
    const index = files.get(dir + INDEX_NAME);
    if (index === undefined) continue;
    files.set(dir, index);
    if (dir !== '/') redirects.set(dir.slice(0, -1), buildRedirect(encodePath(dir)));
  }
  const notFoundBody = files.get(NOT_FOUND_PAGE)?.identity.body ?? null;
  const fixed = buildFixedResponses(notFoundBody, options.policy.extraHeaders);
  return { files, redirects, fixed, fileCount, byteCount, skipped };
}
