/**
 * Start-up benchmark: `node dist/bench/startup.js --help`. Generates a tree of small
 * files, starts the real CLI on it once per worker count and mode, and prints how long
 * it took to listen, to answer, to serve brotli (the fast pass) and to serve the
 * best-quality brotli (the background pass). See results/README.md ("Start-up").
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compressBody } from '../src/cache/compress.js';
import { computeEtag } from '../src/cache/entry.js';
import { gatherMachineInfo } from './machine.js';
import { installCleanup, killAllGroupsSync } from './proc.js';
import { logLine, showStatus } from './progress.js';
import { formatMiB } from './report/format.js';
import { measureStartup, type StartupMode, type StartupRun } from './startup/measure.js';
import { formatStartupTable, parseStartupOptions, STARTUP_HELP, type StartupOptions } from './startup/report.js';
import { isCompressible, planSiteTree, selectProbeFiles, writeSiteTree, type PlannedFile } from './startup/tree.js';

const REPO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Sizes of the tree, for the record. */
function describeTree(files: readonly PlannedFile[]): Record<string, number> {
  const compressible = files.filter(isCompressible);
  const sum = (list: readonly PlannedFile[]): number => list.reduce((n, f) => n + f.size, 0);
  return { files: files.length, bytes: sum(files), compressibleFiles: compressible.length, compressibleBytes: sum(compressible) };
}

/** The child's TMPDIR: one compression store per worker count (cold fills it, warm reuses it). */
function prepareTmpDir(tempDir: string, workers: number, mode: StartupMode): string {
  const dir = join(tempDir, mode === 'no-compress' ? `tmp-w${workers}-plain` : `tmp-w${workers}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** The ETag of each probe's best-quality brotli variant: what fastsrv serves once the background pass is done. */
async function computeBestEtags(root: string, probes: readonly PlannedFile[]): Promise<Map<string, string>> {
  const etags = new Map<string, string>();
  for (const probe of probes) {
    const { br } = await compressBody(readFileSync(join(root, probe.urlPath)), 'best');
    if (br !== null) etags.set(probe.urlPath, computeEtag(br));
  }
  return etags;
}

function describeRun(r: StartupRun): string {
  const br =
    (r.spawnToCompressedMs === null ? '' : `, all br at ${Math.round(r.spawnToCompressedMs)} ms`) +
    (r.spawnToBestMs === null ? '' : `, all best br at ${Math.round(r.spawnToBestMs)} ms`);
  return `workers ${r.workers} ${r.mode}: banner "ready in ${r.bannerReadyMs} ms" at ${Math.round(r.spawnToBannerMs)} ms, first 200 at ${Math.round(r.spawnToFirstOkMs)} ms${br}, RSS ${formatMiB(r.rssAtReadyBytes)} (peak ${formatMiB(r.peakRssBytes)}), CPU ${r.cpuSec.toFixed(2)} s`;
}

async function runAll(options: StartupOptions, tempDir: string, root: string, files: readonly PlannedFile[], warnings: string[]): Promise<StartupRun[]> {
  const runs: StartupRun[] = [];
  for (const workers of options.workers) {
    const probes = selectProbeFiles(files);
    const bestEtags = await computeBestEtags(root, probes);
    for (const mode of options.modes) {
      showStatus(`workers ${workers}, ${mode}: starting fastsrv…`);
      try {
        const run = await measureStartup({ repoDir: REPO_DIR, root, workers, mode, tmpDir: prepareTmpDir(tempDir, workers, mode), probes, bestEtags, timeoutMs: options.timeoutSec * 1000, extraArgs: options.extraArgs });
        runs.push(run);
        logLine(describeRun(run));
      } catch (error) {
        warnings.push(`workers ${workers} ${mode}: ${(error as Error).message}`);
        logLine(`ERROR ${warnings.at(-1)}`);
      }
    }
  }
  return runs;
}

async function main(): Promise<void> {
  const options = parseStartupOptions(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(STARTUP_HELP);
    return;
  }
  const startedAt = new Date().toISOString();
  const tempDir = mkdtempSync(join(tmpdir(), 'fastsrv-startup-'));
  installCleanup(tempDir, (signal) => logLine(`\n${signal}: stopping`));
  const root = join(tempDir, 'root');
  const files = planSiteTree(options.files);
  showStatus(`writing ${files.length} files…`);
  writeSiteTree(root, files);
  const tree = describeTree(files);
  if (options.extraArgs.length > 0) logLine(`extra fastsrv arguments: ${options.extraArgs.join(' ')}`);
  logLine(`tree: ${tree.files} files, ${formatMiB(tree.bytes)}; ${tree.compressibleFiles} compressible (${formatMiB(tree.compressibleBytes)}) in ${root}`);
  const warnings: string[] = [];
  let runs: StartupRun[];
  try {
    runs = await runAll(options, tempDir, root, files, warnings);
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }
  process.stdout.write(`\n${formatStartupTable(runs)}\n`);
  for (const w of warnings) process.stdout.write(`warning: ${w}\n`);
  if (options.out !== null) {
    const machine = await gatherMachineInfo(REPO_DIR);
    const record = { schema: 1, kind: 'fastsrv-startup', startedAt, finishedAt: new Date().toISOString(), machine, settings: options, tree, runs, warnings };
    mkdirSync(options.out, { recursive: true });
    const path = join(options.out, `startup-${startedAt.slice(0, 10)}-${machine.hostname!.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
    writeFileSync(path, `${JSON.stringify(record, null, 2)}\n`);
    logLine(`wrote ${path}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    killAllGroupsSync();
    process.stderr.write(`startup bench: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
