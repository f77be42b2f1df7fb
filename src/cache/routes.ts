/**
 * The URLs a table serves beyond each file's own key: `/dir/` for its
 * index.html (or its listing), `/dir` → `/dir/`, clean URLs, and the
 * forced `_redirects` rules, which replace whatever a path had. Setup only.
 */
import { encodePath } from '../http/path.js';
import { isRedirectStatus, REDIRECT_STATUS_TEXT } from '../rules/redirects-file.js';
import { findRule, type RuleMatch } from '../rules/route.js';
import { formatLocation, resolveTargetKey } from '../rules/target.js';
import type { FileEntry } from './entry.js';
import { buildListingEntry, groupDirectories } from './listing.js';
import { buildRedirect } from './responses.js';
import type { ScanResult } from './scan.js';
import type { BuildOptions, CacheTable } from './table.js';

export const INDEX_NAME = 'index.html';
export const NOT_FOUND_PAGE = '/404.html';

/**
 * Every URL a file will be served at, its own key first: what `_headers`
 * rules are matched against. Mirrors addDirectoryIndexes and addCleanUrls.
 */
export function listServedKeys(key: string, fileKeys: ReadonlyMap<string, unknown>, options: BuildOptions): string[] {
  const keys = [key];
  if (key.endsWith('/' + INDEX_NAME)) keys.push(key.slice(0, -INDEX_NAME.length));
  else if (options.cleanUrls && isCleanable(key) && !fileKeys.has(key.slice(0, -'.html'.length))) keys.push(key.slice(0, -'.html'.length));
  return keys;
}

function isCleanable(key: string): boolean {
  return key.endsWith('.html') && !key.endsWith('/' + INDEX_NAME) && key !== NOT_FOUND_PAGE && !key.endsWith('/.html');
}

export function addDirectoryIndexes(table: CacheTable, directories: readonly string[]): void {
  for (const dir of directories) {
    const index = table.files.get(dir + INDEX_NAME);
    if (index === undefined) continue;
    table.addKey(dir, index);
    if (dir !== '/') table.redirects.set(dir.slice(0, -1), buildRedirect(encodePath(dir)));
  }
}

/** `--listing`: each directory without an index gets its listing page at `/dir/`. */
export function addListings(table: CacheTable, scan: ScanResult): void {
  const served = new Map<string, { size: number; mtimeMs: number }>();
  for (const [key, file] of table.scanned) served.set(key, file);
  for (const dir of groupDirectories(scan.directories, scan.directoryMtimes, served)) {
    if (table.files.has(dir.key)) continue;
    const policy = table.rules.resolvePolicy([dir.key], table.options.policy);
    table.addKey(dir.key, buildListingEntry(dir, table.options.compress, policy));
    table.listingCount++;
    if (dir.key !== '/') table.redirects.set(dir.key.slice(0, -1), buildRedirect(encodePath(dir.key)));
  }
}

/** `/a/about.html` is served at `/a/about`; its own key redirects there. */
export function addCleanUrls(table: CacheTable): void {
  for (const entry of [...table.entries()]) {
    const key = entry.key;
    if (!isCleanable(key)) continue;
    const clean = key.slice(0, -'.html'.length);
    if (table.files.has(clean)) continue; // a real file wins
    table.addKey(clean, entry);
    table.removeKey(key);
    table.redirects.set(key, buildRedirect(encodePath(clean)));
  }
}

/**
 * Forced rules (`301!`, `200!`, `404!`) over paths that have a file, a
 * listing or a built-in redirect: compiled here, per path, so serving
 * such a path is still one lookup. The first forced rule matching a path
 * wins; rewrite targets are looked up as the table was before any rule.
 */
export function applyForcedRules(table: CacheTable): void {
  const forced = table.rules.redirects.filter((rule) => rule.isForced);
  if (forced.length === 0) return;
  const before = new Map<string, FileEntry>(table.files);
  const matches: [string, RuleMatch][] = [];
  for (const key of [...table.files.keys(), ...table.redirects.keys()]) {
    const match = findRule(forced, key);
    if (match !== null) matches.push([key, match]);
  }
  for (const [key, { rule, captures }] of matches) {
    table.removeKey(key);
    table.redirects.delete(key);
    if (isRedirectStatus(rule.status)) {
      table.redirects.set(key, buildRedirect(formatLocation(rule.to, captures), REDIRECT_STATUS_TEXT[rule.status]));
      continue;
    }
    const targetKey = resolveTargetKey(rule.to, captures);
    const target = before.get(targetKey);
    if (rule.status === 200 && target !== undefined) table.addKey(key, target);
    else table.notFoundRoutes.set(key, rule.status === 404 ? table.getNotFoundPage(targetKey) : table.fixed.notFound);
  }
}
