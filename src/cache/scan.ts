/**
 * Walk the served root once and list what can be served. Setup only.
 *
 * Symbolic links are followed when their target resolves inside the root
 * (so a link can never publish a file from elsewhere); links that point
 * outside, dangling links and loops are skipped and counted.
 */
import { readdirSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import { join, sep } from 'node:path';

/** A regular file found under the root. */
export interface ScannedFile {
  /** Decoded URL path: `/` + path relative to the root with `/` separators. */
  readonly key: string;
  readonly absPath: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

export interface ScanResult {
  readonly files: ScannedFile[];
  /** Directory keys with a trailing slash, the root `/` included. */
  readonly directories: string[];
  /** Modification time of each directory, by key (for listings). */
  readonly directoryMtimes: Map<string, number>;
  /** Entries not served: dotfiles, links leaving the root, unreadable dirs. */
  readonly skipped: number;
}

export interface ScanOptions {
  /** Include names starting with a dot (`--dotfiles allow`). */
  readonly includeDotfiles: boolean;
}

/** Walk `root` (an absolute, existing directory) depth-first. */
export function scanDirectory(root: string, options: ScanOptions): ScanResult {
  const realRoot = realpathSync(root);
  const result: Walk = { files: [], directories: [], directoryMtimes: new Map(), skipped: 0 };
  walk(realRoot, realRoot, '/', statSync(realRoot).mtimeMs, options, new Set([realRoot]), result);
  return result;
}

type Walk = { -readonly [K in keyof ScanResult]: ScanResult[K] };

function walk(
  realRoot: string,
  dir: string,
  prefix: string,
  mtimeMs: number,
  options: ScanOptions,
  visited: Set<string>,
  result: Walk,
): void {
  result.directories.push(prefix);
  result.directoryMtimes.set(prefix, mtimeMs);
  let dirents: Dirent[];
  try {
    dirents = readdirSync(dir, { withFileTypes: true });
  } catch {
    result.skipped++;
    return;
  }
  dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const dirent of dirents) {
    const name = dirent.name;
    if (!options.includeDotfiles && name.charCodeAt(0) === 46) {
      result.skipped++;
      continue;
    }
    // `dir` is already a real path, so only links need resolving.
    const target = dirent.isSymbolicLink()
      ? resolveInside(realRoot, join(dir, name))
      : statEntry(join(dir, name));
    if (target === null) {
      result.skipped++;
      continue;
    }
    const { real, stats } = target;
    if (stats.isDirectory()) {
      if (visited.has(real)) {
        result.skipped++;
        continue;
      }
      visited.add(real);
      walk(realRoot, real, prefix + name + '/', stats.mtimeMs, options, visited, result);
    } else if (stats.isFile()) {
      result.files.push({ key: prefix + name, absPath: real, size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino });
    } else {
      result.skipped++; // sockets, FIFOs, devices: never served
    }
  }
}

function statEntry(abs: string): { real: string; stats: Stats } | null {
  try {
    return { real: abs, stats: statSync(abs) };
  } catch {
    return null;
  }
}

/** Real path and stats of `abs` when it resolves inside the root, else null. */
export function resolveInside(realRoot: string, abs: string): { real: string; stats: Stats } | null {
  try {
    const real = realpathSync(abs);
    if (real !== realRoot && !real.startsWith(realRoot + sep)) return null;
    return { real, stats: statSync(real) };
  } catch {
    return null;
  }
}
