/**
 * `fastsrv check URL [--root DIR]`: probe any static HTTP server for
 * correctness (bodies, validators, conditional and range requests, HEAD
 * framing, traversal, methods, compression, connections) and print a table.
 * The bench harness imports runChecks as a gate before measuring a server.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fetchFiles, summarizeFiles } from './check/compare.js';
import { CONDITIONAL_CHECKS } from './check/conditional.js';
import { ENCODING_CHECKS } from './check/encoding.js';
import { encodeUrlPath, selectFiles, walkRoot, type DiskFile } from './check/files.js';
import { renderReport } from './check/format.js';
import { RANGE_CHECKS } from './check/range.js';
import { RawConnection } from './check/raw.js';
import { SAFETY_CHECKS } from './check/safety.js';
import { chooseDiskTargets, findServedTargets, type Targets } from './check/target.js';
import { CONNECTION_CHECKS, HEAD_CHECKS } from './check/transport.js';
import {
  CONNECT_CHECK,
  describeError,
  type Check,
  type CheckContext,
  type CheckReport,
  type CheckResult,
  type Endpoint,
} from './check/types.js';

export type { CheckReport, CheckResult } from './check/types.js';

export const DEFAULT_TIMEOUT_MS = 5000;

/** Every protocol check, in report order. */
const CHECKS: readonly Check[] = [
  ...CONDITIONAL_CHECKS,
  ...HEAD_CHECKS,
  ...RANGE_CHECKS,
  ...SAFETY_CHECKS,
  ...ENCODING_CHECKS,
  ...CONNECTION_CHECKS,
];

/**
 * Probe baseUrl; with root, compare bodies against the files on disk.
 * `paths` (URL paths relative to baseUrl, not percent-encoded, e.g.
 * `/docs/a b.html`) replaces the walk of root; the first that answers 200
 * is the protocol target. Never throws for server misbehaviour (connection
 * refused → one failing result).
 */
export async function runChecks(
  baseUrl: string,
  root?: string,
  options?: { timeoutMs?: number; paths?: string[] },
): Promise<CheckReport> {
  const timeoutMs = options?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const url = URL.canParse(baseUrl) ? new URL(baseUrl) : undefined;
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    return buildReport(baseUrl, [connectFailure(`not an http:// or https:// URL: ${baseUrl}`)]);
  }
  const isTls = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const endpoint: Endpoint = { host, authority: url.host, port: Number(url.port || (isTls ? 443 : 80)), timeoutMs, isTls };
  try {
    (await RawConnection.open(endpoint)).close();
  } catch (error) {
    return buildReport(baseUrl, [connectFailure(describeError(error))]);
  }
  const results: CheckResult[] = [];
  try {
    await probe(endpoint, url.pathname, root, options?.paths, results);
  } catch (error) {
    // Every check already maps its own errors; this guards the bench gate against our bugs.
    results.push({ name: 'fastsrv check', status: 'fail', detail: `internal error: ${describeError(error)}` });
  }
  return buildReport(baseUrl, results);
}

/** Choose targets, then run every check in order, appending to `results`. */
async function probe(
  endpoint: Endpoint,
  pathname: string,
  root: string | undefined,
  paths: readonly string[] | undefined,
  results: CheckResult[],
): Promise<void> {
  const basePath = toDirectory(pathname);
  const targets = await findTargets(endpoint, basePath, pathname, root, paths, results);
  results.push(targets.result);
  const shared = new Map<string, Promise<unknown>>();
  const context: CheckContext = {
    ...endpoint,
    basePath,
    target: targets.target,
    textTarget: targets.textTarget,
    memo: <T>(key: string, make: () => Promise<T>) => {
      if (!shared.has(key)) shared.set(key, make());
      return shared.get(key) as Promise<T>;
    },
  };
  for (const check of CHECKS) results.push(await runCheck(check, context));
}

/** File comparison with --root (its results go into `results`), then the choice of targets. */
async function findTargets(
  endpoint: Endpoint,
  basePath: string,
  pathname: string,
  root: string | undefined,
  paths: readonly string[] | undefined,
  results: CheckResult[],
): Promise<Targets> {
  const relPaths = paths?.map((p) => p.replace(/^\/+/, ''));
  if (root !== undefined) {
    try {
      const files = relPaths ? await Promise.all(relPaths.map((p) => statFile(root, p))) : selectFiles(await walkRoot(root));
      const outcomes = await fetchFiles(endpoint, basePath, files);
      results.push(...summarizeFiles(outcomes, root));
      return await chooseDiskTargets(outcomes, relPaths !== undefined);
    } catch (error) {
      results.push({ name: 'files: read --root', status: 'fail', detail: describeError(error) });
    }
  } else {
    results.push({ name: 'files: body identical to disk', status: 'skip', detail: 'no --root: bodies not compared' });
  }
  const candidates = relPaths ? relPaths.map((p) => encodeUrlPath(basePath, p)) : [pathname];
  if (relPaths === undefined && pathname === basePath) candidates.push(`${basePath}index.html`);
  return findServedTargets(endpoint, candidates);
}

async function statFile(root: string, relPath: string): Promise<DiskFile> {
  const absPath = join(root, relPath);
  const stats = await stat(absPath);
  if (!stats.isFile()) throw new Error(`${absPath} is not a regular file`);
  return { absPath, relPath, size: stats.size };
}

/** `/a/` stays, `/a/b.html` → `/a/`, `/a/b` (no dot: a directory) → `/a/b/`. */
function toDirectory(pathname: string): string {
  if (pathname.endsWith('/')) return pathname;
  const last = pathname.slice(pathname.lastIndexOf('/') + 1);
  return last.includes('.') ? pathname.slice(0, pathname.length - last.length) : `${pathname}/`;
}

async function runCheck(check: Check, context: CheckContext): Promise<CheckResult> {
  try {
    const verdict = await check.run(context);
    return { name: check.name, ...verdict };
  } catch (error) {
    return { name: check.name, status: 'fail', detail: describeError(error) };
  }
}

function connectFailure(detail: string): CheckResult {
  return { name: CONNECT_CHECK, status: 'fail', detail };
}

function buildReport(url: string, results: CheckResult[]): CheckReport {
  const count = (status: CheckResult['status']): number => results.filter((r) => r.status === status).length;
  return { url, results, passed: count('pass'), warned: count('warn'), failed: count('fail'), skipped: count('skip') };
}

/** Format a report for a terminal (no colours when !process.stdout.isTTY or NO_COLOR is set). */
export function formatReport(report: CheckReport): string {
  return renderReport(report, process.stdout.isTTY === true && !process.env.NO_COLOR);
}

/** Is this the report of a server that could not be reached at all? */
function isUnreachable(report: CheckReport): boolean {
  return report.results.length === 1 && report.results[0].name === CONNECT_CHECK && report.results[0].status === 'fail';
}

/** CLI entry: run, print, return the exit code (0 all pass, 1 any fail, 2 cannot connect). */
export async function runCheckCommand(url: string, root: string | undefined): Promise<number> {
  const report = await runChecks(url, root);
  process.stdout.write(formatReport(report) + '\n');
  if (isUnreachable(report)) return 2;
  return report.failed > 0 ? 1 : 0;
}
