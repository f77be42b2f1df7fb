/**
 * One file of `fastsrv compress`, synchronously (it runs in a worker
 * thread): stat the siblings, read the file only if one is missing or
 * stale, compress at the best level, and write each variant that saves 10%
 * to a temporary name renamed into place, so a reader (or a second run in
 * parallel) sees the old sibling or the new one, never half of one.
 */
import { closeSync, fstatSync, futimesSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { compressVariantSync } from '../cache/compress.js';
import { isSiblingFresh } from '../cache/policy.js';
import { planSibling, SIBLINGS, type CompressOutcome, type CompressTask, type SiblingStat } from './plan.js';

export function compressFile(task: CompressTask): CompressOutcome {
  const written = { br: null as number | null, gzip: null as number | null };
  const outcome = { display: task.display, size: task.size, written, isFresh: false, notKept: 0, removed: 0, error: null as string | null };
  const work: { encoding: 'br' | 'gzip'; path: string; isStale: boolean }[] = [];
  for (const [encoding, ext] of SIBLINGS) {
    const path = task.siblingBase + ext;
    const sibling = statSibling(path);
    const plan = planSibling(task.mtimeMs, sibling);
    if (plan === 'blocked') return { ...outcome, error: `${task.display}${ext}: cannot write: not a regular file` };
    if (plan === 'write') work.push({ encoding, path, isStale: sibling !== null });
  }
  if (work.length === 0) return { ...outcome, isFresh: true };
  let body: Buffer;
  try {
    body = readFileSync(task.path);
  } catch (error) {
    return { ...outcome, error: `${task.display}: cannot read: ${describeError(error)}` };
  }
  for (const { encoding, path, isStale } of work) {
    const variant = compressVariantSync(body, encoding, 'best');
    try {
      if (variant !== null) {
        writeSibling(path, variant, task.mtimeMs);
        written[encoding] = variant.length;
      } else {
        outcome.notKept++;
        if (isStale) {
          unlinkSync(path); // a stale sibling would be served by servers that do not check mtimes
          outcome.removed++;
        }
      }
    } catch (error) {
      return { ...outcome, error: `${task.display}${path.slice(task.siblingBase.length)}: cannot write: ${describeError(error)}` };
    }
  }
  return outcome;
}

function statSibling(path: string): SiblingStat | null {
  try {
    const stats = statSync(path, { throwIfNoEntry: false });
    return stats === undefined ? null : { isFile: stats.isFile(), mtimeMs: stats.mtimeMs };
  } catch {
    return { isFile: false, mtimeMs: 0 }; // e.g. a dangling link: not something to overwrite
  }
}

/**
 * Write `data` to a temporary name beside `path`, then rename it over
 * `path`. A file with an mtime in the future (some build tools set them)
 * would leave the sibling older than it, so its mtime is moved past it.
 */
function writeSibling(path: string, data: Buffer, fileMtimeMs: number): void {
  const temp = `${path}.${process.pid}-${threadId}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    for (let offset = 0; offset < data.length; ) offset += writeSync(fd, data, offset);
    const stats = fstatSync(fd);
    if (!isSiblingFresh(stats.mtimeMs, fileMtimeMs)) futimesSync(fd, stats.atime, new Date(Math.ceil(fileMtimeMs) + 1));
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (error) {
    unlinkSync(temp);
    throw error;
  }
}

function describeError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code !== undefined ? `${e.code} (${e.message.replace(/^\w+: /, '').replace(/, \w+ '.*'$/, '')})` : String(e.message ?? e);
}
