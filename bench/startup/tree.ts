/**
 * The generated site of the start-up benchmark: many small files of the kinds a real
 * site has, in nested directories, the same bytes on every run (seeded). The plan is
 * pure; writing it is one loop.
 */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRandom, fillText } from '../fixtures.js';

export type FileKind = 'html' | 'css' | 'js' | 'json' | 'png';

/** One file of the tree: where, how big, what. */
export interface PlannedFile {
  /** URL path: `/s03/p07/f0042.html`. */
  urlPath: string;
  size: number;
  kind: FileKind;
}

const SEED = 0x51a7_1ee5;
const MTIME = new Date('2024-01-01T00:00:00Z');
export const MIN_SIZE = 200;
export const MAX_SIZE = 8 * 1024;
/** fastsrv compresses compressible types from this size up (README: "of 1 KiB or more"). */
export const COMPRESS_MIN_SIZE = 1024;
/** Share of each kind, out of 100: mostly text, a fifth images. */
const KIND_WEIGHTS: readonly [FileKind, number][] = [['html', 25], ['css', 15], ['js', 25], ['json', 15], ['png', 20]];
/** Files per directory; directories are two levels deep (`/sNN/pNN/`). */
const FILES_PER_DIR = 100;
const DIRS_PER_SECTION = 10;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pickKind(roll: number): FileKind {
  let left = roll % 100;
  for (const [kind, weight] of KIND_WEIGHTS) {
    if (left < weight) return kind;
    left -= weight;
  }
  return 'png';
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * `count` files: `/index.html` (1 KiB) first, then sizes log-uniform in
 * [MIN_SIZE, MAX_SIZE] spread over `/sNN/pNN/` directories of 100 files each.
 */
export function planSiteTree(count: number, seed = SEED): PlannedFile[] {
  const next = createRandom(seed);
  const files: PlannedFile[] = [{ urlPath: '/index.html', size: 1024, kind: 'html' }];
  const ratio = Math.log(MAX_SIZE / MIN_SIZE);
  for (let i = 1; i < count; i++) {
    const kind = pickKind(next());
    const size = Math.round(MIN_SIZE * Math.exp((next() / 2 ** 32) * ratio));
    const dir = Math.floor(i / FILES_PER_DIR);
    const section = Math.floor(dir / DIRS_PER_SECTION);
    files.push({ urlPath: `/s${pad(section, 2)}/p${pad(dir % DIRS_PER_SECTION, 2)}/f${pad(i, 5)}.${kind}`, size, kind });
  }
  return files;
}

/** Would fastsrv give this file br/gzip variants? (text kinds of 1 KiB or more; the text compresses well) */
export function isCompressible(file: PlannedFile): boolean {
  return file.kind !== 'png' && file.size >= COMPRESS_MIN_SIZE;
}

function buildBytes(file: PlannedFile, next: () => number): Buffer {
  switch (file.kind) {
    case 'html':
      return fillText('<!doctype html>\n<html><head><meta charset="utf-8"><title>page</title></head><body><p>', '</p></body></html>\n', file.size, next);
    case 'css':
      return fillText('.c { margin: 0 }\n/* ', ' */\n', file.size, next);
    case 'js':
      return fillText('export const s = `', '`;\n', file.size, next);
    case 'json':
      return fillText('{"text":"', '"}\n', file.size, next);
    case 'png': {
      const body = Buffer.allocUnsafe(file.size);
      for (let i = 0; i < body.length; i++) body[i] = next() & 0xff;
      PNG_SIGNATURE.copy(body);
      return body;
    }
  }
}

/** Write the planned files under `root` (created), with a fixed mtime. */
export function writeSiteTree(root: string, files: readonly PlannedFile[], seed = SEED): void {
  const next = createRandom(seed ^ 0x9e37_79b9);
  const made = new Set<string>();
  for (const file of files) {
    const path = join(root, file.urlPath);
    const dir = dirname(path);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    writeFileSync(path, buildBytes(file, next));
    utimesSync(path, MTIME, MTIME);
  }
}

/**
 * Files to poll until they come back brotli-encoded: `count` of the compressible files,
 * evenly spread over them in fastsrv's order (its cache table is built smallest first),
 * the smallest and the largest included. Workers split each compression pass by bytes
 * and meet somewhere inside each other's shares (src/cache/shares.ts), so no place in the
 * list is known to be last; an even spread bounds how early the last probe can turn.
 */
export function selectProbeFiles(files: readonly PlannedFile[], count = 64): PlannedFile[] {
  const list = files.filter(isCompressible).sort((a, b) => a.size - b.size);
  if (list.length <= count) return list;
  const picked = new Set<PlannedFile>();
  for (let i = 0; i < count; i++) picked.add(list[Math.round((i * (list.length - 1)) / (count - 1))]!);
  return [...picked];
}
