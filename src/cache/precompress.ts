/**
 * Precompression once the workers listen, in two passes over the served
 * table, each swapping every rebuilt entry in as soon as it is ready:
 *
 * 1. fast: every negotiable entry without variants gets its stored `best`
 *    or `fast` variants, or `fast` ones made now (about 1.5 s of CPU for
 *    10 000 small files), so br and gzip are served within about a second.
 * 2. best: every entry at `fast` gets its stored `best` variants, or ones
 *    made now (about a minute of CPU for the same files).
 *
 * Each variant has its own ETag (the hash of its bytes), so a client that
 * cached a fast variant revalidates to a 200 with the best one. Workers
 * split each pass through the store (shares.ts): each does its own share,
 * then helps the others from the far end, loading what they stored.
 */
import { compressBody, compressBodySync, type CompressionLevel, type Variants } from './compress.js';
import { withVariants, type FileEntry } from './entry.js';
import { planShares } from './shares.js';
import { getStoreKey, type VariantStore } from './store.js';
import type { BuildOptions, CacheTable } from './table.js';

/** Entries swapped in by each pass. */
export interface PrecompressResult {
  readonly fast: number;
  readonly best: number;
}

/**
 * At the fast level, bodies up to this size are compressed and loaded on
 * the event loop (about 0.3 ms for 3 KiB, in slices): thread-pool round
 * trips cost more than that on a loaded machine. Bigger ones go to the
 * thread pool. Saves always go there: creating a file costs 0.4 ms of
 * wall time on the reference machine (ext4), which would stall the pass.
 */
const SYNC_MAX_SIZE = 64 * 1024;
/** The event loop is yielded to requests at least this often while compressing on it. */
const SLICE_MS = 10;
/** Saves in flight at once (each is a write and a rename on the thread pool). */
const MAX_SAVES = 8;
/**
 * A site with at most this many bytes to compress gets its fast variants
 * before the worker listens (about 40 ms of CPU, measured on the loaded 2-core machine),
 * so even its first response is compressed; bigger sites listen first and
 * split the fast pass among the workers.
 */
export const BEFORE_LISTEN_MAX_BYTES = 256 * 1024;

/**
 * The fast pass, synchronously and whole, when the site is small enough
 * (BEFORE_LISTEN_MAX_BYTES); every worker does it for itself, taking what
 * the store has. Nothing is saved (that would delay listening more than
 * compressing again does); the best pass stores its results. Returns the
 * entries swapped in (0 for a bigger site).
 */
export function precompressBeforeListen(table: CacheTable, options: BuildOptions, store: VariantStore | null): number {
  const pending = [...table.entries()].filter(needsVariants);
  let bytes = 0;
  for (const entry of pending) bytes += entry.identity.body.length;
  if (bytes > BEFORE_LISTEN_MAX_BYTES) return 0;
  let done = 0;
  for (const entry of pending) {
    const body = entry.identity.body;
    const key = store === null ? '' : getStoreKey(body);
    const best = store?.loadSync(key, 'best') ?? null;
    const fast = best === null ? (store?.loadSync(key, 'fast') ?? null) : null;
    const variants = best ?? fast ?? compressBodySync(body, 'fast');
    if (swapIn(table, entry, variants, best === null ? 'fast' : 'best', options)) done++;
  }
  return done;
}

/** Where a run is: `left` counts the entries of the running pass not done yet (a gauge). */
export interface PrecompressProgress {
  left: number;
}

/**
 * Run both passes over the table `getTable` returns (it may be swapped
 * while this runs; an entry replaced meanwhile is left to the next run).
 */
export async function precompressTable(
  getTable: () => CacheTable,
  options: BuildOptions,
  store: VariantStore | null,
  index: number,
  workers: number,
  progress: PrecompressProgress = { left: 0 },
): Promise<PrecompressResult> {
  const fast = await runPass(getTable, options, store, { index, workers, level: 'fast', progress });
  const best = await runPass(getTable, options, store, { index, workers, level: 'best', progress });
  return { fast, best };
}

interface Pass {
  readonly index: number;
  readonly workers: number;
  readonly level: CompressionLevel;
  readonly progress: PrecompressProgress;
}

async function runPass(getTable: () => CacheTable, options: BuildOptions, store: VariantStore | null, pass: Pass): Promise<number> {
  const { index, workers, level, progress } = pass;
  const pending = [...getTable().entries()].filter(level === 'fast' ? needsVariants : isFast);
  const { order, ownCount } = planShares(pending.map((e) => e.identity.body.length), index, workers);
  // What the store held when the pass began: no failed reads for the own share on a cold store.
  const stored = store === null ? new Set<string>() : await store.list();
  const saves = new Set<Promise<void>>();
  let sliceStart = performance.now();
  let done = 0;
  for (let i = 0; i < order.length; i++) {
    progress.left = order.length - i;
    const entry = pending[order[i]];
    const body = entry.identity.body;
    const isSync = level === 'fast' && body.length <= SYNC_MAX_SIZE;
    const key = store === null ? '' : getStoreKey(body);
    let found = store === null ? null : await loadStored(store, key, level, stored, i >= ownCount, isSync);
    if (found === null) {
      const variants = isSync ? compressBodySync(body, level) : await compressBody(body, level);
      found = { variants, level };
      // Saved in the background: the next file need not wait for the disk.
      if (store !== null) {
        if (saves.size >= MAX_SAVES) await Promise.race(saves);
        const save: Promise<void> = store.save(key, level, variants).catch(() => {}).then(() => void saves.delete(save));
        saves.add(save);
      }
    }
    if (swapIn(getTable(), entry, found.variants, found.level, options)) done++;
    if (performance.now() - sliceStart >= SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
  progress.left = 0;
  await Promise.all(saves);
  return done;
}

/** Cached, negotiable (compressible) and without variants: no siblings, none made yet. */
function needsVariants(entry: FileEntry): boolean {
  return entry.source === null && entry.isNegotiable && entry.encodings === 0 && entry.compressed === null;
}

function isFast(entry: FileEntry): boolean {
  return entry.compressed === 'fast';
}

/**
 * The best stored variants for this pass: `best`, then (fast pass) `fast`,
 * as listed when the pass began; in another worker's share, also what
 * that worker may have stored since. Damaged entries read as absent.
 */
async function loadStored(
  store: VariantStore,
  key: string,
  level: CompressionLevel,
  stored: ReadonlySet<string>,
  isOthersShare: boolean,
  isSync: boolean,
): Promise<{ variants: Variants; level: CompressionLevel } | null> {
  const load = (at: CompressionLevel): Variants | null | Promise<Variants | null> => (isSync ? store.loadSync(key, at) : store.load(key, at));
  if (stored.has(key + '.best')) {
    const best = await load('best');
    if (best !== null) return { variants: best, level: 'best' };
  }
  if (isOthersShare || (level === 'fast' && stored.has(key + '.fast'))) {
    const variants = await load(level);
    if (variants !== null) return { variants, level };
  }
  return null;
}


/** Swap in `entry` with `variants` when it is still served and they fit the budget. */
function swapIn(table: CacheTable, entry: FileEntry, variants: Variants, level: CompressionLevel, options: BuildOptions): boolean {
  if (table.getEntry(entry.key) !== entry) return false; // changed or removed meanwhile
  const before = (entry.br?.size ?? 0) + (entry.gzip?.size ?? 0);
  const extra = (variants.br?.length ?? 0) + (variants.gzip?.length ?? 0) - before;
  if (table.byteCount + extra > options.cacheSize) return false; // over budget: keep what it has
  table.byteCount += extra;
  table.replaceEntry(withVariants(entry, variants, level));
  return true;
}
