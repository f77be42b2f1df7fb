/**
 * File-change detection for the primary: a recursive fs.watch of the root,
 * debounced, plus a once-a-second check of the root's identity so a
 * swapped-in root (symlink flip, `mv new public`) is noticed even though the
 * old watcher only sees the old directory.
 */
import { statSync, watch, type FSWatcher } from 'node:fs';
import { sep } from 'node:path';

export interface TreeWatcher {
  stop(): void;
}

/** Quiet time after the last event before changes are reported. */
export const DEBOUNCE_MS = 100;
/** Longest a continuous burst of events can delay a report. */
export const MAX_DELAY_MS = 1000;
const ROOT_CHECK_MS = 1000;

/**
 * Watch `root` recursively; call `onChange` with the changed paths (as URL
 * keys, `/a/b.html`; `/` when the whole tree must be rescanned). Returns
 * null and reports through `onError` when watching is impossible (e.g. the
 * inotify watch limit), so the caller can say so and serve without it.
 */
export function watchTree(
  root: string,
  onChange: (keys: string[]) => void,
  onError: (message: string) => void,
): TreeWatcher | null {
  const pending = new Set<string>();
  let debounce: NodeJS.Timeout | null = null;
  let firstEventAt = 0;
  let watcher: FSWatcher | null = null;
  let rootId = readRootId(root);

  const flush = (): void => {
    debounce = null;
    const keys = [...pending];
    pending.clear();
    onChange(keys);
  };
  const note = (key: string): void => {
    if (pending.size === 0) firstEventAt = Date.now();
    pending.add(key);
    if (debounce !== null) clearTimeout(debounce);
    const wait = Math.min(DEBOUNCE_MS, Math.max(0, firstEventAt + MAX_DELAY_MS - Date.now()));
    debounce = setTimeout(flush, wait);
  };
  const start = (): boolean => {
    try {
      watcher = watch(root, { recursive: true }, (_event, name) => {
        note(name === null ? '/' : '/' + String(name).split(sep).join('/'));
      });
      watcher.on('error', (error) => {
        onError(`watching ${root} failed (${error.message}); changes are picked up on SIGHUP`);
        watcher?.close();
        watcher = null;
      });
      return true;
    } catch (error) {
      onError(`cannot watch ${root} (${(error as Error).message}); changes are picked up on SIGHUP`);
      return false;
    }
  };
  if (!start()) return null;
  const rootCheck = setInterval(() => {
    const id = readRootId(root);
    if (id === rootId) return;
    rootId = id;
    watcher?.close();
    start();
    note('/');
  }, ROOT_CHECK_MS);
  rootCheck.unref();
  return {
    stop() {
      clearInterval(rootCheck);
      if (debounce !== null) clearTimeout(debounce);
      watcher?.close();
    },
  };
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

