/** The totals `fastsrv compress` prints at the end (pure). */
import { formatBytes } from '../process/banner.js';
import type { CompressOutcome } from './plan.js';

export interface CompressSummary {
  /** Compressible files of 1 KiB or more found. */
  files: number;
  /** Per encoding: siblings written, the originals' bytes and theirs. */
  br: { count: number; before: number; after: number };
  gzip: { count: number; before: number; after: number };
  fresh: number;
  notKept: number;
  removed: number;
  errors: number;
}

export function createSummary(files: number): CompressSummary {
  return {
    files,
    br: { count: 0, before: 0, after: 0 },
    gzip: { count: 0, before: 0, after: 0 },
    fresh: 0,
    notKept: 0,
    removed: 0,
    errors: 0,
  };
}

export function addOutcome(summary: CompressSummary, outcome: CompressOutcome): void {
  for (const encoding of ['br', 'gzip'] as const) {
    const size = outcome.written[encoding];
    if (size === null) continue;
    summary[encoding].count++;
    summary[encoding].before += outcome.size;
    summary[encoding].after += size;
  }
  if (outcome.isFresh) summary.fresh++;
  summary.notKept += outcome.notKept;
  summary.removed += outcome.removed;
  if (outcome.error !== null) summary.errors++;
}

function formatWritten(totals: { count: number; before: number; after: number }): string {
  if (totals.count === 0) return 'none written';
  const saved = Math.round((1 - totals.after / totals.before) * 100);
  return `${totals.count} written, ${formatBytes(totals.before)} → ${formatBytes(totals.after)} (${saved}% smaller)`;
}

/** The lines printed at the end; `ms` is the wall time, `threads` the pool size. */
export function formatSummary(dir: string, summary: CompressSummary, ms: number, threads: number): string {
  const lines = [
    `fastsrv compress ${dir}: ${summary.files} compressible files of 1 KiB or more`,
    `  br        ${formatWritten(summary.br)}`,
    `  gzip      ${formatWritten(summary.gzip)}`,
    `  fresh     ${summary.fresh} files already had fresh siblings (untouched)`,
    `  not kept  ${summary.notKept} variants saved less than 10% (no sibling)` +
      (summary.removed > 0 ? `; ${summary.removed} stale siblings of those removed` : ''),
    ...(summary.errors > 0 ? [`  errors    ${summary.errors} files (see above)`] : []),
    `  time      ${(ms / 1000).toFixed(2)} s on ${threads} thread${threads === 1 ? '' : 's'}`,
  ];
  return lines.join('\n') + '\n';
}
