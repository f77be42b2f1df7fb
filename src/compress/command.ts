/**
 * `fastsrv compress DIR`: write best-quality `.br` and `.gz` siblings for
 * every compressible file of 1 KiB or more under DIR, for build pipelines,
 * so fastsrv (or nginx gzip_static, Caddy) serves them from the first
 * request. Files are compressed on every core (node:worker_threads, the
 * biggest first); fresh siblings are left alone, so a second run writes
 * nothing. Exit code 0, or 1 when any file could not be read or written.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { isCompressible } from '../cache/policy.js';
import { scanDirectory, type SkipReason } from '../cache/scan.js';
import { getContentType } from '../setup/mime.js';
import type { CompressOutcome, CompressTask } from './plan.js';
import { addOutcome, createSummary, formatSummary } from './summary.js';

const THREAD_URL = new URL('./thread.js', import.meta.url);

/** Why a skipped entry is an error: fastsrv could not serve it either. */
const SKIP_ERRORS: Partial<Record<SkipReason, string>> = {
  unreadable: 'cannot read (a dangling link, or no permission)',
  special: 'not a regular file (a FIFO, socket or device)',
};

/** Run the command over `root` (absolute); `dir` is how the user named it. Returns the exit code. */
export async function runCompressCommand(root: string, dir: string): Promise<number> {
  const started = performance.now();
  const errors: string[] = [];
  const report = (message: string): void => {
    errors.push(message);
    process.stderr.write(`fastsrv compress: ${message}\n`);
  };
  const scan = scanDirectory(root, {
    includeDotfiles: false,
    onSkip: (key, reason) => {
      if (SKIP_ERRORS[reason] !== undefined) report(`${join(dir, key)}: ${SKIP_ERRORS[reason]}`);
    },
  });
  const tasks: CompressTask[] = scan.files
    .filter((file) => isCompressible(getContentType(file.key), file.size))
    .sort((a, b) => b.size - a.size)
    .map((file) => ({ path: file.absPath, siblingBase: join(root, file.key), display: join(dir, file.key), size: file.size, mtimeMs: file.mtimeMs }));
  const summary = createSummary(tasks.length);
  summary.errors = errors.length;
  const threads = Math.max(1, Math.min(availableParallelism(), tasks.length));
  await runPool(tasks, threads, (outcome) => {
    addOutcome(summary, outcome);
    if (outcome.error !== null) report(outcome.error);
  });
  process.stdout.write(formatSummary(dir, summary, performance.now() - started, threads));
  return summary.errors > 0 ? 1 : 0;
}

/**
 * Hand tasks to `threads` worker threads, one at a time each, until none
 * are left. A thread that dies fails its task; the others take the rest.
 */
function runPool(tasks: readonly CompressTask[], threads: number, onOutcome: (outcome: CompressOutcome) => void): Promise<void> {
  let next = 0;
  const runThread = (): Promise<void> =>
    new Promise((resolve) => {
      const worker = new Worker(THREAD_URL);
      let current: CompressTask | null = null;
      const feed = (): void => {
        current = next < tasks.length ? tasks[next++] : null;
        if (current === null) void worker.terminate().then(() => resolve());
        else worker.postMessage(current);
      };
      worker.on('message', (outcome: CompressOutcome) => {
        onOutcome(outcome);
        feed();
      });
      worker.on('error', (error) => {
        if (current !== null) onOutcome(failTask(current, error));
        current = null;
        resolve();
      });
      feed();
    });
  return Promise.all(Array.from({ length: threads }, runThread)).then(() => {
    // Only if every thread died: what no thread took.
    for (; next < tasks.length; next++) onOutcome(failTask(tasks[next], new Error('no worker thread left')));
  });
}

function failTask(task: CompressTask, error: Error): CompressOutcome {
  return { display: task.display, size: task.size, written: { br: null, gzip: null }, isFresh: false, notKept: 0, removed: 0, error: `${task.display}: ${error.message}` };
}
