/**
 * The cache table: decoded URL path → entry, built from one walk of the root.
 * Setup only; the server reads the maps.
 */
import { RuleError } from '../rules/syntax.js';
import { getContentType } from '../setup/mime.js';
import { buildFileEntry, rebuildEntryHeaders, type FileEntry } from './entry.js';
import { formatHeaderLines } from './headers.js';
import { isCompressible, type HeaderPolicy } from './policy.js';
import { readBody, readSibling } from './read.js';
import { buildFixedResponses, buildNotFoundResponse, type FixedResponse, type FixedResponses, type Redirect } from './responses.js';
import { addCleanUrls, addDirectoryIndexes, addListings, applyForcedRules, listServedKeys, NOT_FOUND_PAGE } from './routes.js';
import { scanDirectory, type ScanResult, type ScannedFile } from './scan.js';
import type { AppRoutes } from '../app/compile.js';
import { loadSiteRules, NO_RULES, RULE_FILE_KEYS, type SiteRules } from './site-rules.js';
import { buildStreamedFileEntry, rebuildStreamedEntry } from './streamed.js';

export interface BuildOptions {
  readonly includeDotfiles: boolean;
  /** `/about` serves about.html, `/about.html` redirects to `/about`. */
  readonly cleanUrls: boolean;
  /** Mark compressible files negotiable: variants will be swapped in. */
  readonly compress: boolean;
  /** Bytes of bodies (and variants) to hold in memory. */
  readonly cacheSize: number;
  /** Files above this size are streamed from disk. */
  readonly maxFileSize: number;
  /** Preflight headers for OPTIONS (CORS), or none. */
  readonly optionsHeaders: ReadonlyArray<readonly [string, string]>;
  /** A directory without index.html serves a listing page. */
  readonly listing: boolean;
  /** The command line's header policy; `_headers` refines it per file. */
  readonly policy: HeaderPolicy;
  /** The library's routes: they win over files at the same path. */
  readonly app?: AppRoutes | null;
}

export class CacheTable {
  /** Served keys → entries: files, `/dir/` index aliases, clean URLs. */
  readonly files = new Map<string, FileEntry>();
  /** `/dir` → `/dir/`, `/about.html` → `/about` with clean URLs, forced rule redirects. */
  readonly redirects = new Map<string, Redirect>();
  /** Paths that answer a fixed 404 before any rule: the rule files, forced 404 rules. */
  readonly notFoundRoutes = new Map<string, FixedResponse>();
  /** The library's fixed routes with a status other than 200 (204, 404 with a body…). */
  appResponses: ReadonlyMap<string, FixedResponse> = new Map();
  /** `_headers` and `_redirects` in force; the miss path reads `rules.redirects`. */
  rules: SiteRules = NO_RULES;
  /** Set when the rule files on disk are malformed and the previous rules were kept. */
  rulesError: RuleError | null = null;
  /** 404 pages of `_redirects` 404 rules, by the page's key (files only: bounded). */
  private readonly notFoundPages = new Map<string, FixedResponse>();
  /** Every served key of a file, by the file's own key. */
  private readonly keysOf = new Map<string, string[]>();
  /** What the scan found for each file key: lets a rebuild reuse entries. */
  readonly scanned = new Map<string, ScannedFile>();
  fileCount = 0;
  /** Bytes held in memory: identity bodies and compressed variants. */
  byteCount = 0;
  /** Files served from disk per request (too big, or over the budget). */
  streamedCount = 0;
  /** Found but not served: dotfiles, unreadable, links out of the root. */
  skipped = 0;
  /** Directories answered by a listing page. */
  listingCount = 0;

  /** The extra headers as "\r\nName: value" lines, for heads built per request. */
  readonly extraHeaderText: string;

  constructor(
    public fixed: FixedResponses,
    readonly options: BuildOptions,
  ) {
    this.extraHeaderText = formatHeaderLines(options.policy.extraHeaders);
  }

  /** Serve `entry` under `key` (its own key or an alias). */
  addKey(key: string, entry: FileEntry): void {
    this.files.set(key, entry);
    const keys = this.keysOf.get(entry.key);
    if (keys === undefined) this.keysOf.set(entry.key, [key]);
    else if (!keys.includes(key)) keys.push(key);
  }

  /** Stop serving whatever `key` serves (the entry stays under its other keys). */
  removeKey(key: string): void {
    const entry = this.files.get(key);
    if (entry === undefined) return;
    this.files.delete(key);
    const keys = this.keysOf.get(entry.key);
    if (keys !== undefined) this.keysOf.set(entry.key, keys.filter((k) => k !== key));
  }

  /** The 404 a `_redirects` 404 rule answers with the file at `key` (or the plain 404). */
  getNotFoundPage(key: string): FixedResponse {
    const known = this.notFoundPages.get(key);
    if (known !== undefined) return known;
    const entry = this.files.get(key);
    if (entry === undefined || entry.source !== null) return this.fixed.notFound;
    const page = buildNotFoundResponse(entry.identity.body, this.rules.resolvePolicy([key], this.options.policy));
    this.notFoundPages.set(key, page);
    return page;
  }

  /** The entry of a file by its own key, wherever it is served. */
  getEntry(fileKey: string): FileEntry | undefined {
    const keys = this.keysOf.get(fileKey);
    return keys === undefined || keys.length === 0 ? undefined : this.files.get(keys[0]);
  }

  /** All file entries, once each. */
  *entries(): IterableIterator<FileEntry> {
    for (const fileKey of this.keysOf.keys()) {
      const entry = this.getEntry(fileKey);
      if (entry !== undefined) yield entry;
    }
  }

  /**
   * Swap in a rebuilt entry (e.g. with compressed variants) under every key
   * the current one is served at. Each Map.set is atomic for the event loop,
   * so a request sees the old entry or the new one, never a mix.
   */
  replaceEntry(next: FileEntry): void {
    for (const key of this.keysOf.get(next.key) ?? []) this.files.set(key, next);
  }

  /**
   * Rebuild a streamed entry whose file or siblings changed on disk, and
   * swap it in; null when the file is gone (see rebuildStreamedEntry).
   */
  refreshStreamedEntry(entry: FileEntry): FileEntry | null {
    const next = rebuildStreamedEntry(entry, entry.policy);
    if (next !== null) this.replaceEntry(next);
    return next;
  }
}

/**
 * Scan `root`, read every file once and build every header block. With
 * `previous`, entries of files whose stat (path, size, mtime, inode) did not
 * change, and that are not in `changed`, are reused as they are, compressed
 * variants included: only what changed is read again (and only the header
 * blocks when `_headers` changed). Malformed rule files throw RuleError
 * without `previous`; with it, its rules stay and `rulesError` says why.
 */
export function buildCacheTable(
  root: string | null,
  options: BuildOptions,
  previous: CacheTable | null = null,
  changed: ReadonlySet<string> = new Set(),
): CacheTable {
  const scan = root === null ? NO_FILES : scanDirectory(root, { includeDotfiles: options.includeDotfiles });
  const byKey = new Map(scan.files.map((f) => [f.key, f]));
  const table = new CacheTable(buildFixedResponses(buildNotFoundResponse(null, options.policy), options.policy.extraHeaders, options.optionsHeaders), options);
  table.rules = loadRules(table, byKey, previous);
  for (const key of RULE_FILE_KEYS) byKey.delete(key);
  table.skipped = scan.skipped;
  // Smallest files first: the budget then holds as many files as it can.
  const bySize = [...byKey.values()].sort((a, b) => a.size - b.size);
  for (const file of bySize) {
    const contentType = getContentType(file.key);
    const policy = table.rules.resolvePolicy(listServedKeys(file.key, byKey, options), options.policy);
    const fits = file.size <= options.maxFileSize && table.byteCount + file.size <= options.cacheSize;
    const reused = previous === null ? undefined : findReusable(previous, byKey, changed, file, fits);
    const entry =
      reused !== undefined ? reuseEntry(table, reused, policy)
      : fits ? buildCachedEntry(table, byKey, file, contentType, policy)
      : buildStreamed(table, byKey, file, contentType, policy);
    if (entry === null) {
      table.skipped++;
      continue;
    }
    table.addKey(file.key, entry);
    table.scanned.set(file.key, file);
    table.fileCount++;
  }
  addDirectoryIndexes(table, scan.directories);
  if (options.listing) addListings(table, scan);
  if (options.cleanUrls) addCleanUrls(table);
  const notFound = table.files.get(NOT_FOUND_PAGE);
  const notFoundPolicy = table.rules.resolvePolicy([NOT_FOUND_PAGE], options.policy);
  table.fixed = buildFixedResponses(buildNotFoundResponse(notFound?.identity.body ?? null, notFoundPolicy), options.policy.extraHeaders, options.optionsHeaders);
  for (const key of RULE_FILE_KEYS) table.notFoundRoutes.set(key, table.fixed.notFound);
  applyForcedRules(table);
  if (options.app) addAppRoutes(table, options.app, previous);
  return table;
}

/** A routes-only server (the library without a root) scans nothing. */
const NO_FILES: ScanResult = { files: [], directories: [], directoryMtimes: new Map(), skipped: 0 };

/**
 * The library's routes replace whatever the tree serves at their paths. A
 * fixed entry keeps the compressed variants it got in the previous table
 * (its bytes never change while the process runs).
 */
function addAppRoutes(table: CacheTable, app: AppRoutes, previous: CacheTable | null): void {
  const keys = [...app.entries.keys(), ...app.responses.keys(), ...app.functions.keys()];
  for (const key of keys) {
    table.removeKey(key);
    table.redirects.delete(key);
    table.notFoundRoutes.delete(key);
  }
  for (const [key, entry] of app.entries) {
    const current = previous?.getEntry(key) ?? entry;
    table.addKey(key, current);
    table.byteCount += current.identity.size + (current.gzip?.size ?? 0) + (current.br?.size ?? 0);
  }
  table.appResponses = app.responses;
}

/** The rules on disk; on a malformed edit after start, the previous rules. */
function loadRules(table: CacheTable, scanned: ReadonlyMap<string, ScannedFile>, previous: CacheTable | null): SiteRules {
  try {
    return loadSiteRules(scanned, previous?.rules ?? null);
  } catch (error) {
    if (previous === null || !(error instanceof RuleError)) throw error;
    table.rulesError = error;
    return previous.rules;
  }
}

function isSameScan(a: ScannedFile | undefined, b: ScannedFile | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.absPath === b.absPath && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

/** The previous entry of `file`, when neither it nor its .gz/.br siblings changed. */
function findReusable(
  previous: CacheTable,
  byKey: Map<string, ScannedFile>,
  changed: ReadonlySet<string>,
  file: ScannedFile,
  fits: boolean,
): FileEntry | undefined {
  const key = file.key;
  if (changed.has(key) || !isSameScan(previous.scanned.get(key), file)) return undefined;
  for (const sibling of [key + '.gz', key + '.br']) {
    if (changed.has(sibling) || !isSameScan(previous.scanned.get(sibling), byKey.get(sibling))) return undefined;
  }
  const entry = previous.getEntry(key);
  // A file that now streams (or now fits) is rebuilt in its new form.
  return entry !== undefined && (entry.source === null) === fits ? entry : undefined;
}

function reuseEntry(table: CacheTable, entry: FileEntry, policy: HeaderPolicy): FileEntry {
  if (entry.source === null) {
    table.byteCount += entry.identity.size + (entry.gzip?.size ?? 0) + (entry.br?.size ?? 0);
  } else {
    table.streamedCount++;
  }
  return entry.policy === policy ? entry : rebuildEntryHeaders(entry, policy);
}

function buildCachedEntry(
  table: CacheTable,
  byKey: Map<string, ScannedFile>,
  file: ScannedFile,
  contentType: string,
  policy: HeaderPolicy,
): FileEntry | null {
  const body = readBody(file);
  if (body === null) return null;
  const gzip = readSibling(byKey, file, '.gz');
  const br = readSibling(byKey, file, '.br');
  const isNegotiable = gzip !== null || br !== null || (table.options.compress && isCompressible(contentType, body.length));
  table.byteCount += body.length + (gzip?.length ?? 0) + (br?.length ?? 0);
  return buildFileEntry({ key: file.key, contentType, mtimeMs: file.mtimeMs }, body, { gzip, br }, isNegotiable, policy);
}

function buildStreamed(
  table: CacheTable,
  byKey: Map<string, ScannedFile>,
  file: ScannedFile,
  contentType: string,
  policy: HeaderPolicy,
): FileEntry {
  table.streamedCount++;
  return buildStreamedFileEntry(byKey, file, contentType, policy);
}

