/**
 * Read buffers of streamed files, pooled so a download allocates none. A
 * stream starts with a small chunk; once its client has taken
 * GROW_AFTER_BYTES it reads large chunks: a quarter of the reads, thread-
 * pool round trips (~4.5 futex calls each) and fstat checks per MiB
 * (bench/NOTES.md "Streamed 1 GiB"). Slow or paused clients never get that
 * far, so they hold a small chunk each: memory stays bounded by clients ×
 * SMALL_CHUNK, plus the few fast downloads × LARGE_CHUNK.
 */

export const SMALL_CHUNK = 256 * 1024;
export const LARGE_CHUNK = 1024 * 1024;
/**
 * Body bytes taken before a stream grows its chunk: more than loopback's
 * socket buffers hold for a client that stopped reading, so only a client
 * that really reads gets there.
 */
export const GROW_AFTER_BYTES = 8 * 1024 * 1024;

const MAX_POOLED_SMALL = 64;
const MAX_POOLED_LARGE = 16;
const smallPool: Buffer[] = [];
const largePool: Buffer[] = [];

/** Should a stream that has sent `sent` bytes and has `remaining` to read swap `chunk` for a large one? */
export function shouldGrowChunk(chunk: Buffer, sent: number, remaining: number): boolean {
  return chunk.length < LARGE_CHUNK && sent >= GROW_AFTER_BYTES && remaining > SMALL_CHUNK;
}

/** A chunk of `size` (SMALL_CHUNK or LARGE_CHUNK) from its pool, or a new one. */
export function takeChunk(size: number): Buffer {
  const pool = size === LARGE_CHUNK ? largePool : smallPool;
  return pool.pop() ?? Buffer.allocUnsafe(size);
}

/** Give a chunk back; beyond the pool's size it is left to the GC. */
export function returnChunk(chunk: Buffer): void {
  const isLarge = chunk.length === LARGE_CHUNK;
  const pool = isLarge ? largePool : smallPool;
  if (pool.length < (isLarge ? MAX_POOLED_LARGE : MAX_POOLED_SMALL)) pool.push(chunk);
}
