/**
 * Correctness gate before measuring. Uses `runChecks` from dist/src/check.js (the
 * user-facing `fastsrv check`) when it exists; otherwise the harness's own probe.
 * A failing target is flagged in the report but still measured.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FIXTURES } from './fixtures.js';
import { fetchEtag, probeTarget } from './probe.js';
import type { GateResult } from './types.js';

type RunChecks = (baseUrl: string, root?: string, options?: { paths?: string[] }) => Promise<unknown>;

/** Reason text of one entry of an unknown check report, or null when it passed. */
function describeFailure(entry: unknown): string | null {
  if (typeof entry !== 'object' || entry === null) return null;
  const e = entry as Record<string, unknown>;
  const failed = e.ok === false || e.pass === false || e.passed === false || e.status === 'fail' || e.status === 'failed';
  if (!failed) return null;
  const name = [e.name, e.id, e.title, e.check].find((v) => typeof v === 'string') ?? 'check';
  const detail = [e.message, e.reason, e.detail, e.error].find((v) => typeof v === 'string');
  return detail ? `${String(name)}: ${String(detail)}` : String(name);
}

/**
 * Reduce a CheckReport of unknown exact shape to ok + reasons. Accepts `{ ok }` and
 * any array field (checks/results/failures) of entries with `ok`/`pass`/`status`.
 */
export function summarizeCheckReport(report: unknown): { ok: boolean; reasons: string[] } {
  if (typeof report !== 'object' || report === null) return { ok: false, reasons: ['check report is not an object'] };
  const r = report as Record<string, unknown>;
  const reasons: string[] = [];
  for (const [key, value] of Object.entries(r)) {
    if (!Array.isArray(value)) continue;
    const isFailureList = key === 'failures' || key === 'errors';
    for (const entry of value) {
      const reason = isFailureList && typeof entry === 'string' ? entry : describeFailure(entry);
      if (reason !== null) reasons.push(reason);
    }
  }
  const failedCount = typeof r.failed === 'number' ? r.failed : 0;
  const ok = (typeof r.ok === 'boolean' ? r.ok : failedCount === 0) && reasons.length === 0;
  if (!ok && reasons.length === 0) reasons.push('fastsrv check reported a failure');
  return { ok, reasons };
}

async function loadRunChecks(repoDir: string): Promise<RunChecks | null> {
  const path = join(repoDir, 'dist/src/check.js');
  if (!existsSync(path)) return null;
  try {
    const mod = (await import(pathToFileURL(path).href)) as { runChecks?: unknown };
    return typeof mod.runChecks === 'function' ? (mod.runChecks as RunChecks) : null;
  } catch {
    return null;
  }
}

/**
 * Gate one target at `baseUrl` (no trailing slash) serving the fixture `root`.
 * An https:// target's certificate is verified against `ca` by the harness's
 * own requests (fastsrv check does not verify certificates).
 */
export async function runGate(baseUrl: string, root: string, repoDir: string, ca?: Buffer): Promise<GateResult> {
  const etag = await fetchEtag(baseUrl, '/index.html', ca).catch(() => null);
  const runChecks = await loadRunChecks(repoDir);
  if (runChecks) {
    try {
      // `paths` (when supported) makes the file comparison cover every fixture.
      const report = await runChecks(baseUrl, root, { paths: FIXTURES.map((f) => f.urlPath) });
      const { ok, reasons } = summarizeCheckReport(report);
      return { ok, source: 'fastsrv check', reasons, etag };
    } catch (error) {
      return { ok: false, source: 'fastsrv check', reasons: [`runChecks threw: ${(error as Error).message}`], etag };
    }
  }
  const reasons = await probeTarget(baseUrl, root, ca);
  return { ok: reasons.length === 0, source: 'bench probe', reasons, etag };
}
