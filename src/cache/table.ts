/**
 * The cache table: decoded URL path → entry, built from one walk of the root.
 * Setup only; the server reads the maps.
 */
import { closeSync, openSync, readSync, type Stats } from 'node:fs';
import { encodePath } from '../http/path.js';
import { getContentType } from '../mime.js';
import { buildFileEntry, buildStreamedEntry, FileSource, type FileEntry } from './entry.js';
import { formatHeaderLines } from './headers.js';
import { isCompressible, type HeaderPolicy } from './policy.js';
import { buildFixedResponses, buildRedirect, type FixedResponses, type Redirect } from './responses.js';
import { scanDirectory, type ScannedFile } from './scan.js';

export const INDEX_NAME = 'index.html';
export const NOT_FOUND_PAGE = '/404.html';

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
  readonly policy: HeaderPolicy;
}

export class CacheTable {
  /** Served keys → entries: files, `/dir/` index aliases, clean URLs. */
  readonly files = new Map<string, FileEntry>();
  /** `/dir` → `/dir/`, and `/about.html` → `/about` with clean URLs. */
  readonly redirects = new Map<string, Redirect>();
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

  /** Stop serving a file under its own key (it stays under its aliases). */
  removeOwnKey(fileKey: string): void {
    this.files.delete(fileKey);
    const keys = this.keysOf.get(fileKey);
    if (keys !== undefined) this.keysOf.set(fileKey, keys.filter((k) => k !== fileKey));
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

  /** Rebuild a streamed entry whose file changed on disk, and swap it in. */
  refreshStreamedEntry(entry: FileEntry, stats: Stats): FileEntry {
    const source = new FileSource(entry.source!.absPath, stats.size, stats.mtimeMs, stats.ino);
    const next = buildStreamedEntry({ key: entry.key, contentType: entry.contentType, mtimeMs: stats.mtimeMs }, source, this.options.policy);
    this.replaceEntry(next);
    return next;
  }
}

/**
 * Scan `root`, read every file once and build every header block. With
 * `previous`, entries of files whose stat (path, size, mtime, inode) did not
 * change, and that are not in `changed`, are reused as they are, compressed
 * variants included: only what changed is read again.
 */
export function buildCacheTable(
  root: string,
  options: BuildOptions,
  previous: CacheTable | null = null,
  changed: ReadonlySet<string> = new Set(),
): CacheTable {
  const scan = scanDirectory(root, { includeDotfiles: options.includeDotfiles });
  const byKey = new Map(scan.files.map((f) => [f.key, f]));
  const table = new CacheTable(buildFixedResponses(null, options.policy.extraHeaders, options.optionsHeaders), options);
  table.skipped = scan.skipped;
  // Smallest files first: the budget then holds as many files as it can.
  const bySize = [...scan.files].sort((a, b) => a.size - b.size);
  for (const file of bySize) {
    const contentType = getContentType(file.key);
    const fits = file.size <= options.maxFileSize && table.byteCount + file.size <= options.cacheSize;
    const reused = previous === null ? undefined : findReusable(previous, byKey, changed, file, fits);
    const entry =
      reused !== undefined ? reuseEntry(table, reused)
      : fits ? buildCachedEntry(table, byKey, file, contentType, options)
      : buildStreamed(table, file, contentType, options);
    if (entry === null) {
      table.skipped++;
      continue;
    }
    table.addKey(file.key, entry);
    table.scanned.set(file.key, file);
    table.fileCount++;
  }
  addDirectoryIndexes(table, scan.directories);
  if (options.cleanUrls) addCleanUrls(table);
  const notFound = table.files.get(NOT_FOUND_PAGE);
  if (notFound !== undefined) {
    table.fixed = buildFixedResponses(notFound.identity.body, options.policy.extraHeaders, options.optionsHeaders);
  }
  return table;
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

function reuseEntry(table: CacheTable, entry: FileEntry): FileEntry {
  if (entry.source === null) {
    table.byteCount += entry.identity.size + (entry.gzip?.size ?? 0) + (entry.br?.size ?? 0);
  } else {
    table.streamedCount++;
  }
  return entry;
}

function buildCachedEntry(
  table: CacheTable,
  byKey: Map<string, ScannedFile>,
  file: ScannedFile,
  contentType: string,
  options: BuildOptions,
): FileEntry | null {
  const body = readBody(file);
  if (body === null) return null;
  const gzip = readSibling(byKey, file, '.gz');
  const br = readSibling(byKey, file, '.br');
  const isNegotiable = gzip !== null || br !== null || (options.compress && isCompressible(contentType, body.length));
  table.byteCount += body.length + (gzip?.length ?? 0) + (br?.length ?? 0);
  return buildFileEntry({ key: file.key, contentType, mtimeMs: file.mtimeMs }, body, { gzip, br }, isNegotiable, options.policy);
}

function buildStreamed(table: CacheTable, file: ScannedFile, contentType: string, options: BuildOptions): FileEntry {
  table.streamedCount++;
  const source = new FileSource(file.absPath, file.size, file.mtimeMs, file.ino);
  return buildStreamedEntry({ key: file.key, contentType, mtimeMs: file.mtimeMs }, source, options.policy);
}

/**
 * Read a file whose size the scan already knows: open, one read, close
 * (readFileSync would fstat again). Small files land in Node's shared
 * buffer pool instead of one allocation each. A file that shrank since the
 * scan yields what is there; one that grew is read to the scanned size, and
 * the watcher's event for that write triggers a re-read.
 */
function readBody(file: ScannedFile): Buffer | null {
  let fd: number;
  try {
    fd = openSync(file.absPath, 'r');
  } catch {
    return null;
  }
  try {
    const body = Buffer.allocUnsafe(file.size);
    let length = 0;
    while (length < body.length) {
      const n = readSync(fd, body, length, body.length - length, length);
      if (n === 0) break;
      length += n;
    }
    return length === body.length ? body : body.subarray(0, length);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * A precompressed sibling (`app.js.gz` for `app.js`, as nginx gzip_static
 * and Caddy's precompressed use them), when it is not older than the file:
 * an older sibling is probably stale. The sibling stays servable by name.
 */
function readSibling(byKey: Map<string, ScannedFile>, file: ScannedFile, ext: string): Buffer | null {
  const sibling = byKey.get(file.key + ext);
  if (sibling === undefined || sibling.mtimeMs < file.mtimeMs) return null;
  return readBody(sibling);
}

function addDirectoryIndexes(table: CacheTable, directories: readonly string[]): void {
  for (const dir of directories) {
    const index = table.files.get(dir + INDEX_NAME);
    if (index === undefined) continue;
    table.addKey(dir, index);
    if (dir !== '/') table.redirects.set(dir.slice(0, -1), buildRedirect(encodePath(dir)));
  }
}

/** `/a/about.html` is served at `/a/about`; its own key redirects there. */
function addCleanUrls(table: CacheTable): void {
  for (const entry of [...table.entries()]) {
    const key = entry.key;
    if (!key.endsWith('.html') || key.endsWith('/' + INDEX_NAME) || key === NOT_FOUND_PAGE) continue;
    const clean = key.slice(0, -'.html'.length);
    if (table.files.has(clean) || clean.endsWith('/')) continue; // a real file or directory alias wins
    table.addKey(clean, entry);
    table.removeOwnKey(key);
    table.redirects.set(key, buildRedirect(encodePath(clean)));
  }
}
