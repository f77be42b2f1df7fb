/** Options and the printed table of the start-up benchmark (pure). */
import { parseArgs } from 'node:util';
import { buildTable, formatMiB } from '../report/format.js';
import { STARTUP_MODES, type StartupMode, type StartupRun } from './measure.js';

export interface StartupOptions {
  files: number;
  workers: number[];
  modes: StartupMode[];
  timeoutSec: number;
  /** Extra CLI arguments for every start (`--arg=--no-watch`). */
  extraArgs: string[];
  /** Directory for startup-<date>-<host>.json; null: print only. */
  out: string | null;
  help: boolean;
}

export const STARTUP_HELP = `Usage: node dist/bench/startup.js [options]

Generates a tree of small files, starts the real CLI on it and measures, from outside:
spawn → banner, spawn → first 200, spawn → every probed file served with
Content-Encoding: br (the fast pass), spawn → every probed file served as its
best-quality brotli (the background pass finished), RSS and CPU of the process tree.

  --files N          files in the generated tree (default 10000)
  --workers a,b      worker counts to run (default 1,2)
  --modes x,y        subset of: ${STARTUP_MODES.join(',')} (default all)
                     cold: fresh TMPDIR (empty compression store); warm: the same TMPDIR
                     again; no-compress: --no-compress
  --timeout S        give up waiting for a start or for compression after S s (default 600)
  --arg=X            pass X to every fastsrv start (repeatable), e.g. --arg=--no-watch
  --out DIR          also write DIR/startup-<date>-<host>.json (default: print only)
  --help             print this help
`;

function parsePositiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer, got "${raw}"`);
  return value;
}

function parseModes(raw: string | undefined): StartupMode[] {
  if (raw === undefined) return [...STARTUP_MODES];
  const modes = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = modes.filter((m) => !(STARTUP_MODES as readonly string[]).includes(m));
  if (unknown.length > 0 || modes.length === 0) throw new Error(`--modes: expected some of ${STARTUP_MODES.join(', ')}, got "${raw}"`);
  if (modes.includes('warm') && !modes.includes('cold')) throw new Error('--modes warm needs cold first (it reuses the store cold fills)');
  return STARTUP_MODES.filter((m) => modes.includes(m));
}

/** argv (without node and script) → options; throws a readable Error. */
export function parseStartupOptions(argv: string[]): StartupOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      files: { type: 'string' }, workers: { type: 'string' }, modes: { type: 'string' },
      timeout: { type: 'string' }, arg: { type: 'string', multiple: true }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  const workers = (values.workers ?? '1,2').split(',').map((w) => parsePositiveInt('workers', w.trim(), 1));
  return {
    files: parsePositiveInt('files', values.files, 10_000),
    workers,
    modes: parseModes(values.modes),
    timeoutSec: parsePositiveInt('timeout', values.timeout, 600),
    extraArgs: values.arg ?? [],
    out: values.out ?? null,
    help: values.help ?? false,
  };
}

function formatMs(ms: number | null): string {
  return ms === null || !Number.isFinite(ms) ? '–' : String(Math.round(ms));
}

const HEADERS = [
  'workers', 'mode', 'banner "ready in" ms', 'spawn → banner ms', 'spawn → first 200 ms', 'spawn → all br ms',
  'banner → all br ms', 'spawn → all best br ms', 'RSS at ready', 'peak RSS', 'tree CPU s', 'notes',
];

function formatSince(from: number, to: number | null): string {
  return to === null ? '–' : formatMs(to - from);
}

/** Markdown table, one row per run. */
export function formatStartupTable(runs: readonly StartupRun[]): string {
  const rows = runs.map((r) => [
    String(r.workers),
    r.mode,
    formatMs(r.bannerReadyMs),
    formatMs(r.spawnToBannerMs),
    formatMs(r.spawnToFirstOkMs),
    r.mode === 'no-compress' ? 'n/a' : formatMs(r.spawnToCompressedMs),
    r.mode === 'no-compress' ? 'n/a' : formatSince(r.spawnToBannerMs, r.spawnToCompressedMs),
    r.mode === 'no-compress' ? 'n/a' : formatMs(r.spawnToBestMs),
    formatMiB(r.rssAtReadyBytes),
    formatMiB(r.peakRssBytes),
    r.cpuSec.toFixed(2),
    r.notes.join('; '),
  ]);
  return buildTable(HEADERS, rows, ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l']);
}
