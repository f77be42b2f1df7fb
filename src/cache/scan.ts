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
  /** Told of each entry not listed, by key (`/dir/` for a directory), and why. */
  readonly onSkip?: (key: string, reason: SkipReason) => void;
}

/**
 * dotfile: a name starting with `.`; outside: a link out of the root;
 * unreadable: a dangling link, or a stat or readdir that failed; loop: a
 * directory already walked; special: a FIFO, socket or device.
 */
export type SkipReason = 'dotfile' | 'outside' | 'unreadable' | 'loop' | 'special';

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
  const skip = (key: string, reason: SkipReason): void => {
    result.skipped++;
    options.onSkip?.(key, reason);
  };
  let dirents: Dirent[];
  try {
    dirents = readdirSync(dir, { withFileTypes: true });
  } catch {
    skip(prefix, 'unreadable');
    return;
  }
  dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const dirent of dirents) {
    const name = dirent.name;
    if (!options.includeDotfiles && name.charCodeAt(0) === 46) {
      skip(prefix + name, 'dotfile');
      continue;
    }
    // `dir` is already a real path, so only links need resolving.
    const target = dirent.isSymbolicLink()
      ? resolveLink(realRoot, join(dir, name))
      : statEntry(join(dir, name));
    if (typeof target === 'string') {
      skip(prefix + name, target);
      continue;
    }
    const { real, stats } = target;
    if (stats.isDirectory()) {
      if (visited.has(real)) {
        skip(prefix + name + '/', 'loop');
        continue;
      }
      visited.add(real);
      walk(realRoot, real, prefix + name + '/', stats.mtimeMs, options, visited, result);
    } else if (stats.isFile()) {
      result.files.push({ key: prefix + name, absPath: real, size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino });
    } else {
      skip(prefix + name, 'special'); // sockets, FIFOs, devices: never served
    }
  }
}

function statEntry(abs: string): { real: string; stats: Stats } | 'unreadable' {
  try {
    return { real: abs, stats: statSync(abs) };
  } catch {
    return 'unreadable';
  }
}

/** Real path and stats of `abs` when it resolves inside the root, else null. */
export function resolveInside(realRoot: string, abs: string): { real: string; stats: Stats } | null {
  const target = resolveLink(realRoot, abs);
  return typeof target === 'string' ? null : target;
}

/** Real path and stats of `abs` when it resolves inside the root, else why not. */
function resolveLink(realRoot: string, abs: string): { real: string; stats: Stats } | 'outside' | 'unreadable' {
  try {
    const real = realpathSync(abs);
    if (real !== realRoot && !real.startsWith(realRoot + sep)) return 'outside';
    return { real, stats: statSync(real) };
  } catch {
    return 'unreadable';
  }
}
