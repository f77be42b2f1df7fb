/**
 * File-change detection for the primary: one inotify watch per directory
 * (fs.watch, not recursive: Node 20's recursive mode on Linux stats every
 * file at start and keeps them all in memory), debounced, plus a
 * once-a-second check of the root's identity so a swapped-in root (symlink
 * flip, `mv new public`) is noticed although the old watches only see the
 * old directories.
 */
import { readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';

export interface TreeWatcher {
  stop(): void;
}

/** Quiet time after the last event before changes are reported. */
export const DEBOUNCE_MS = 100;
/** Longest a continuous burst of events can delay a report. */
export const MAX_DELAY_MS = 1000;
const ROOT_CHECK_MS = 1000;

export interface WatchOptions {
  /** Watch directories whose name starts with a dot (`--dotfiles allow`). */
  readonly includeDotDirs: boolean;
}

/**
 * Watch `root` and everything under it; call `onChange` with the changed
 * paths as URL keys (`/a/b.html`; `/` when the whole tree must be
 * rescanned). Problems (the inotify watch limit, say) go to `onError`;
 * the server then keeps serving what it has.
 */
export function watchTree(
  root: string,
  options: WatchOptions,
  onChange: (keys: string[]) => void,
  onError: (message: string) => void,
): TreeWatcher {
  const watchers = new Map<string, FSWatcher>();
  const pending = new Set<string>();
  let debounce: NodeJS.Timeout | null = null;
  let firstEventAt = 0;
  let rootId = readRootId(root);

  const note = (key: string): void => {
    if (pending.size === 0) firstEventAt = Date.now();
    pending.add(key);
    if (debounce !== null) clearTimeout(debounce);
    const wait = Math.min(DEBOUNCE_MS, Math.max(0, firstEventAt + MAX_DELAY_MS - Date.now()));
    debounce = setTimeout(() => {
      debounce = null;
      const keys = [...pending];
      pending.clear();
      onChange(keys);
    }, wait);
  };

  /** Watch `dir` (key prefix `prefix`, ending in `/`) and its subdirectories. */
  const addDirectory = (dir: string, prefix: string): void => {
    if (watchers.has(dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, (_event, name) => onEvent(dir, prefix, name === null ? null : String(name)));
    } catch (error) {
      return onError(`cannot watch ${dir} (${(error as Error).message}); changes there are picked up on SIGHUP`);
    }
    watcher.on('error', () => removeDirectory(dir));
    watchers.set(dir, watcher);
    for (const name of listSubdirectories(dir, options)) addDirectory(join(dir, name), prefix + name + '/');
  };

  const removeDirectory = (dir: string): void => {
    for (const [path, watcher] of watchers) {
      if (path === dir || path.startsWith(dir + '/')) {
        watcher.close();
        watchers.delete(path);
      }
    }
  };

  const onEvent = (dir: string, prefix: string, name: string | null): void => {
    if (name === null) return note('/');
    note(prefix + name);
    const path = join(dir, name);
    if (isDirectory(path)) {
      if (options.includeDotDirs || name.charCodeAt(0) !== 46) addDirectory(path, prefix + name + '/');
    } else {
      removeDirectory(path); // gone or replaced by a file: a renamed-away directory included
    }
  };

  const watchAll = (): void => {
    for (const watcher of watchers.values()) watcher.close();
    watchers.clear();
    addDirectory(root, '/');
  };

  watchAll();
  const rootCheck = setInterval(() => {
    const id = readRootId(root);
    if (id === rootId) return;
    rootId = id;
    watchAll();
    note('/');
  }, ROOT_CHECK_MS);
  rootCheck.unref();
  return {
    stop() {
      clearInterval(rootCheck);
      if (debounce !== null) clearTimeout(debounce);
      for (const watcher of watchers.values()) watcher.close();
    },
  };
}

function listSubdirectories(dir: string, options: WatchOptions): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && (options.includeDotDirs || d.name.charCodeAt(0) !== 46))
      .map((d) => d.name);
  } catch {
    return [];
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Device and inode of what `root` resolves to now ('' when it is gone). */
function readRootId(root: string): string {
  try {
    const stats = statSync(root);
    return `${stats.dev}:${stats.ino}`;
  } catch {
    return '';
  }
}
