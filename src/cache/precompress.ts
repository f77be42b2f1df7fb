/**
 * Background precompression: after the worker listens, give every negotiable
 * entry without variants its br/gzip variants and swap the rebuilt entry in.
 */
import { getVariants, type VariantStore } from './compress.js';
import { buildFileEntry, type FileEntry } from './entry.js';
import type { BuildOptions, CacheTable } from './table.js';

/**
 * Compress the table's pending entries one at a time. Worker `index` of
 * `workers` starts at its own offset of the list, so workers sharing a store
 * split the work. `getTable` returns the table currently served (it may be
 * swapped while this runs); an entry that changed meanwhile is left alone.
 * `progress.left` counts the entries of this pass not done yet (a gauge).
 */
export async function precompressTable(
  getTable: () => CacheTable,
  options: BuildOptions,
  store: VariantStore | null,
  index: number,
  workers: number,
  progress: { left: number } = { left: 0 },
): Promise<number> {
  const pending = [...getTable().entries()].filter(isPending);
  const offset = Math.floor((pending.length * index) / Math.max(workers, 1));
  let done = 0;
  for (let i = 0; i < pending.length; i++) {
    progress.left = pending.length - i;
    const entry = pending[(offset + i) % pending.length];
    const body = entry.identity.body;
    const variants = await getVariants(body, store);
    const table = getTable();
    const current = table.getEntry(entry.key);
    if (current === undefined || current.identity.etag !== entry.identity.etag) continue;
    const extra = (variants.br?.length ?? 0) + (variants.gzip?.length ?? 0);
    if (table.byteCount + extra > options.cacheSize) continue; // over budget: identity only
    table.byteCount += extra;
    const file = { key: entry.key, contentType: entry.contentType, mtimeMs: entry.mtimeSec * 1000 };
    // The current entry's policy: a `_headers` edit may have rebuilt its blocks meanwhile.
    table.replaceEntry(buildFileEntry(file, body, variants, true, current.policy));
    done++;
  }
  progress.left = 0;
  return done;
}

/** Cached, negotiable (compressible) and without any variant yet. */
function isPending(entry: FileEntry): boolean {
  return entry.source === null && entry.isNegotiable && entry.encodings === 0;
}
