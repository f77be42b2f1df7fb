/** Reading file bodies for the cache table. Setup only. */
import { closeSync, openSync, readSync } from 'node:fs';
import { isSiblingFresh } from './policy.js';
import type { ScannedFile } from './scan.js';

/**
 * Read a file whose size the scan already knows: open, one read, close
 * (readFileSync would fstat again). Small files land in Node's shared
 * buffer pool instead of one allocation each. A file that shrank since the
 * scan yields what is there; one that grew is read to the scanned size, and
 * the watcher's event for that write triggers a re-read.
 */
export function readBody(file: ScannedFile): Buffer | null {
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
 * and Caddy's precompressed use them), when it is fresh (isSiblingFresh).
 * The sibling stays servable by name.
 */
export function readSibling(byKey: Map<string, ScannedFile>, file: ScannedFile, ext: string): Buffer | null {
  const sibling = byKey.get(file.key + ext);
  if (sibling === undefined || !isSiblingFresh(sibling.mtimeMs, file.mtimeMs)) return null;
  return readBody(sibling);
}

