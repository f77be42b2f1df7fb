/** The files under --root that the checker fetches, and their URL paths. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** A regular file under the root. */
export interface DiskFile {
  readonly absPath: string;
  /** Path below the root with `/` separators, not encoded: `docs/a b.html`. */
  readonly relPath: string;
  readonly size: number;
}

/** Most files fetched for body comparison. */
export const MAX_CHECKED_FILES = 200;
/** Most directory entries looked at; a huge tree is sampled, not listed. */
const MAX_WALKED_FILES = 10_000;
/** Files above this are slow to compare; at most one of them is fetched. */
const HUGE_FILE_BYTES = 64 * 1024 * 1024;
/** Names that need percent-encoding exercise the server's path decoding. */
const PLAIN_NAME = /^[A-Za-z0-9._~/-]*$/;

/**
 * Regular files under `root`, sorted by path, at most MAX_WALKED_FILES.
 * Dotfiles and dot-directories are skipped (servers hide them on purpose),
 * as are the root's `_headers` and `_redirects`, and symlinks are not
 * followed.
 */
export async function walkRoot(root: string): Promise<DiskFile[]> {
  const files: DiskFile[] = [];
  const pending: string[] = [''];
  while (pending.length > 0 && files.length < MAX_WALKED_FILES) {
    const dir = pending.shift()!;
    const entries = await readdir(join(root, dir), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      // Site rules, not content: fastsrv, Netlify and Cloudflare Pages never serve them.
      if (dir === '' && (entry.name === '_headers' || entry.name === '_redirects')) continue;
      const relPath = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) pending.push(relPath);
      else if (entry.isFile()) {
        const absPath = join(root, relPath);
        files.push({ absPath, relPath, size: (await stat(absPath)).size });
        if (files.length >= MAX_WALKED_FILES) break;
      }
    }
  }
  return files.sort((a, b) => (a.relPath < b.relPath ? -1 : 1));
}

/**
 * Up to `max` files, a few of each kind that breaks servers in different
 * ways: names needing percent-encoding, nested paths, the largest and the
 * smallest; the rest spread evenly over the tree. Deterministic.
 */
export function selectFiles(files: readonly DiskFile[], max = MAX_CHECKED_FILES): DiskFile[] {
  const normal = files.filter((f) => f.size <= HUGE_FILE_BYTES);
  const huge = files.filter((f) => f.size > HUGE_FILE_BYTES).sort((a, b) => a.size - b.size);
  const pool = normal.concat(huge.slice(0, 1));
  if (pool.length <= max) return pool.sort(compareByPath);
  const picked = new Set<DiskFile>();
  const quota = Math.max(1, Math.floor(max / 8));
  const take = (list: readonly DiskFile[], count: number): void => {
    for (const file of list) {
      if (count <= 0 || picked.size >= max) return;
      if (!picked.has(file)) {
        picked.add(file);
        count--;
      }
    }
  };
  const bySize = [...pool].sort((a, b) => a.size - b.size);
  take(pool.filter((f) => !PLAIN_NAME.test(f.relPath)), quota);
  take(pool.filter((f) => f.relPath.split('/').length >= 3), quota);
  take([...bySize].reverse(), quota);
  take(bySize, quota);
  // pool.length > max, so rest.length > need and the stride is above 1.
  const rest = pool.filter((f) => !picked.has(f));
  const need = max - picked.size;
  for (let i = 0; i < need; i++) picked.add(rest[Math.floor((i * rest.length) / need)]);
  return [...picked].sort(compareByPath);
}

function compareByPath(a: DiskFile, b: DiskFile): number {
  return a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0;
}

/** `basePath` (ending in `/`) joined with a relative path, each segment percent-encoded. */
export function encodeUrlPath(basePath: string, relPath: string): string {
  return basePath + relPath.split('/').map(encodeURIComponent).join('/');
}

/** SHA-256 of a file, streamed. */
export function hashFile(absPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(absPath)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}
