/**
 * The compressed-variant store: a private directory that workers share and
 * restarts reuse, so no file is compressed twice. One entry per original
 * body and level, named `<sha256 of the body>.<level>`, holding both
 * variants behind a header with their lengths and a SHA-1 of the payload.
 *
 * Writers write a temporary name, then rename it into place, so a reader
 * sees a whole entry or none; the header is still checked on every load,
 * so an entry damaged any other way (a full disk, a copy cut short) is
 * never served. Loading an entry refreshes its mtime; `prune` evicts the
 * entries unused the longest once the directory holds more than its bound.
 */
import { createHash, hash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, utimesSync } from 'node:fs';
import { lstat, readdir, readFile, rename, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompressionLevel, Variants } from './compress.js';

export interface VariantStore {
  readonly dir: string;
  /** The names of the entries there now (`<key>.<level>`), in one readdir. */
  list(): Promise<Set<string>>;
  /** The stored variants of `body` at `level`, or null (absent or damaged). */
  load(key: string, level: CompressionLevel): Promise<Variants | null>;
  /** load, blocking: for small entries a few syscalls cost less than thread-pool round trips. */
  loadSync(key: string, level: CompressionLevel): Variants | null;
  /** Write an entry; every `maxBytes / 8` written, a prune runs in the background. */
  save(key: string, level: CompressionLevel, variants: Variants): Promise<void>;
  /** Bytes written by this process since the last prune. */
  readonly writtenSincePrune: number;
  /** Evict the least recently used entries beyond the bound; returns how many went (0 while one runs). */
  prune(): Promise<number>;
}

/** The store key of a body: its SHA-256 in hex. */
export function getStoreKey(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

const MAGIC = 0x31_56_53_46; // "FSV1" little-endian
const HEADER_SIZE = 32;
const ENTRY_NAME = /^[0-9a-f]{64}\.(?:fast|best)$/;
/** Entries of fastsrv 0.2 (`<sha256>.br` / `.gz`): evictable like the others. */
const OLD_ENTRY_NAME = /^[0-9a-f]{64}\.(?:br|gz)$/;
const TEMP_NAME = /^[0-9a-f]{64}\.\w+\.\d+\.[0-9a-f]+\.tmp$/;
/** A temporary file this old was left by a writer that died (a write takes milliseconds). */
const TEMP_MAX_AGE_MS = 10 * 60 * 1000;
/** Stats in flight at once while pruning. */
const PRUNE_BATCH = 64;

/** Header + payload: magic, br length, gzip length (0 = none), SHA-1 of the payload. */
export function encodeEntry(variants: Variants): Buffer {
  const br = variants.br ?? Buffer.alloc(0);
  const gz = variants.gzip ?? Buffer.alloc(0);
  const out = Buffer.allocUnsafe(HEADER_SIZE + br.length + gz.length);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(br.length, 4);
  out.writeUInt32LE(gz.length, 8);
  br.copy(out, HEADER_SIZE);
  gz.copy(out, HEADER_SIZE + br.length);
  hash('sha1', out.subarray(HEADER_SIZE), 'buffer').copy(out, 12);
  return out;
}

/** The variants of an entry, or null when it is not exactly what encodeEntry wrote. */
export function decodeEntry(data: Buffer): Variants | null {
  if (data.length < HEADER_SIZE || data.readUInt32LE(0) !== MAGIC) return null;
  const brLength = data.readUInt32LE(4);
  const gzLength = data.readUInt32LE(8);
  if (data.length !== HEADER_SIZE + brLength + gzLength) return null;
  const payload = data.subarray(HEADER_SIZE);
  if (!hash('sha1', payload, 'buffer').equals(data.subarray(12, HEADER_SIZE))) return null;
  return {
    br: brLength === 0 ? null : payload.subarray(0, brLength),
    gzip: gzLength === 0 ? null : payload.subarray(brLength),
  };
}

/** A file of the store directory, as prune sees it. */
export interface StoredFile {
  readonly name: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * Which files to delete: temporary files older than TEMP_MAX_AGE_MS, then
 * entries from the least recently used (oldest mtime; ties by name) until
 * the rest fit in `maxBytes`. Pure; names that are not ours are ignored.
 */
export function selectEvictions(files: readonly StoredFile[], maxBytes: number, nowMs: number): string[] {
  const evicted: string[] = [];
  const entries: StoredFile[] = [];
  let total = 0;
  for (const file of files) {
    if (TEMP_NAME.test(file.name)) {
      if (nowMs - file.mtimeMs > TEMP_MAX_AGE_MS) evicted.push(file.name);
    } else if (ENTRY_NAME.test(file.name) || OLD_ENTRY_NAME.test(file.name)) {
      entries.push(file);
      total += file.size;
    }
  }
  entries.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 0; i < entries.length && total > maxBytes; i++) {
    evicted.push(entries[i].name);
    total -= entries[i].size;
  }
  return evicted;
}

/**
 * Open (creating) the store at `dir`, bounded to `maxBytes`. Throws when the
 * directory cannot be made or is not safe to trust (not a directory, not
 * ours, writable by others): bytes from it are served as our content.
 */
export function openVariantStore(dir: string, maxBytes: number): VariantStore {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stats = lstatSync(dir);
  const uid = typeof process.getuid === 'function' ? process.getuid() : stats.uid;
  if (!stats.isDirectory()) throw new Error(`${dir} is not a directory`);
  if (stats.uid !== uid) throw new Error(`${dir} belongs to uid ${stats.uid}, not to this user (${uid})`);
  if ((stats.mode & 0o022) !== 0) throw new Error(`${dir} is writable by others (mode ${(stats.mode & 0o777).toString(8)})`);
  let written = 0;
  let isPruning = false;
  let isPruneRequested = false;
  const pathOf = (key: string, level: CompressionLevel): string => join(dir, `${key}.${level}`);
  const store: VariantStore = {
    dir,
    get writtenSincePrune() {
      return written;
    },
    async list() {
      const names = await readdir(dir).catch(() => [] as string[]);
      return new Set(names.filter((name) => ENTRY_NAME.test(name)));
    },
    async load(key, level) {
      const path = pathOf(key, level);
      let data: Buffer;
      try {
        data = await readFile(path);
      } catch {
        return null;
      }
      const variants = decodeEntry(data);
      // Recently used entries are the last evicted.
      if (variants !== null) utimes(path, new Date(), new Date()).catch(() => {});
      return variants;
    },
    loadSync(key, level) {
      const path = pathOf(key, level);
      if (!existsSync(path)) return null; // a failed read would cost an Error with a stack
      try {
        const variants = decodeEntry(readFileSync(path));
        if (variants !== null) utimesSync(path, new Date(), new Date());
        return variants;
      } catch {
        return null;
      }
    },
    async save(key, level, variants) {
      const data = encodeEntry(variants);
      const path = pathOf(key, level);
      const temp = `${path}.${process.pid}.${Math.floor(Math.random() * 0xffffffff).toString(16)}.tmp`;
      try {
        await writeFile(temp, data, { mode: 0o600 });
        await rename(temp, path);
      } catch (error) {
        await unlink(temp).catch(() => {});
        throw error;
      }
      written += data.length;
      if (written > maxBytes / 8) void store.prune().catch(() => {});
    },
    async prune() {
      if (isPruning) {
        isPruneRequested = true; // once more when the running one ends: it may not see the newest writes
        return 0;
      }
      isPruning = true;
      let evicted = 0;
      try {
        do {
          isPruneRequested = false;
          written = 0;
          evicted += await pruneDirectory(dir, maxBytes);
        } while (isPruneRequested);
      } finally {
        isPruning = false;
      }
      return evicted;
    },
  };
  return store;
}

/** Stat the store's files and delete what selectEvictions picks. */
async function pruneDirectory(dir: string, maxBytes: number): Promise<number> {
  const names = await readdir(dir);
  const files: StoredFile[] = [];
  for (let i = 0; i < names.length; i += PRUNE_BATCH) {
    const batch = names.slice(i, i + PRUNE_BATCH);
    const stats = await Promise.all(batch.map((name) => lstat(join(dir, name)).catch(() => null)));
    stats.forEach((stat, j) => {
      if (stat !== null && stat.isFile()) files.push({ name: batch[j], size: stat.size, mtimeMs: stat.mtimeMs });
    });
  }
  const evicted = selectEvictions(files, maxBytes, Date.now());
  for (const name of evicted) await unlink(join(dir, name)).catch(() => {});
  return evicted.length;
}
