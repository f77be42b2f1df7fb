/**
 * Entries of files streamed from disk (beyond the cache budget or
 * --max-file-size): the file and its fresh `.gz` / `.br` siblings, each
 * read per request. Setup, and the rebuild a changed file triggers.
 */
import { statSync } from 'node:fs';
import { buildStreamedEntry, FileSource, type FileEntry, type StreamedSiblings } from './entry.js';
import { isSiblingFresh, type HeaderPolicy } from './policy.js';
import type { ScannedFile } from './scan.js';

/** The entry of a scanned file that streams, with the siblings the scan found. */
export function buildStreamedFileEntry(
  byKey: ReadonlyMap<string, ScannedFile>,
  file: ScannedFile,
  contentType: string,
  policy: HeaderPolicy,
): FileEntry {
  const source = new FileSource(file.absPath, file.size, file.mtimeMs, file.ino);
  const siblings: StreamedSiblings = { gzip: findSibling(byKey, file, '.gz'), br: findSibling(byKey, file, '.br') };
  return buildStreamedEntry({ key: file.key, contentType, mtimeMs: file.mtimeMs }, source, siblings, policy);
}

/**
 * The entry rebuilt from what is on disk now (one stat per file), or null
 * when the file is gone. A sibling that went away or is now older than the
 * file is dropped; new siblings arrive with the next rescan.
 */
export function rebuildStreamedEntry(entry: FileEntry, policy: HeaderPolicy): FileEntry | null {
  const source = statSource(entry.source!.absPath);
  if (source === null) return null;
  const siblings = { gzip: restatSibling(entry.gzip?.source ?? null, source), br: restatSibling(entry.br?.source ?? null, source) };
  return buildStreamedEntry({ key: entry.key, contentType: entry.contentType, mtimeMs: source.mtimeMs }, source, siblings, policy);
}

function findSibling(byKey: ReadonlyMap<string, ScannedFile>, file: ScannedFile, ext: string): FileSource | null {
  const sibling = byKey.get(file.key + ext);
  if (sibling === undefined || !isSiblingFresh(sibling.mtimeMs, file.mtimeMs)) return null;
  return new FileSource(sibling.absPath, sibling.size, sibling.mtimeMs, sibling.ino);
}

function statSource(absPath: string): FileSource | null {
  try {
    const stats = statSync(absPath, { throwIfNoEntry: false });
    return stats === undefined || !stats.isFile() ? null : new FileSource(absPath, stats.size, stats.mtimeMs, stats.ino);
  } catch {
    return null;
  }
}

function restatSibling(previous: FileSource | null, file: FileSource): FileSource | null {
  const current = previous === null ? null : statSource(previous.absPath);
  return current !== null && isSiblingFresh(current.mtimeMs, file.mtimeMs) ? current : null;
}
