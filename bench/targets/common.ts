/** What a target module provides: a launch plan (config files + command) or a skip reason. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Everything a target needs to build its command line and configs. */
export interface TargetContext {
  /** Fixture root to serve. */
  root: string;
  /** Private scratch directory of this target (configs, pid, temp paths, logs). */
  workDir: string;
  port: number;
  workers: number;
  /** Most concurrent connections any selected scenario opens (for servers sized by threads). */
  connections: number;
  /** Repository root (holds dist/ and node_modules/). */
  repoDir: string;
  /** Serve HTTPS on `port` with these PEM files (the run's one certificate); null: plain HTTP. */
  tls: { cert: string; key: string } | null;
  /** What to turn on beyond plain serving (default plain); only variants the target lists. */
  variant?: LaunchVariant;
}

/**
 * A launch of a target with one operations feature on, for scenarios that
 * measure what it costs: `access-log` writes a combined access log to a file
 * in workDir (buffered where the server can), `admin` enables fastsrv's
 * metrics listener, `rules` serves the root that also holds generated
 * `_headers` and `_redirects` (fastsrv reads them; bench/fixtures.ts).
 */
export type LaunchVariant = 'plain' | 'access-log' | 'admin' | 'rules' | 'routes';

export interface LaunchPlan {
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Config files to write before starting. */
  files: { path: string; text: string }[];
  /** How `--workers N` was mapped for this server, for the report. */
  workerNote: string;
}

export type PlanOutcome = LaunchPlan | { skip: string };

/**
 * A reference point rather than an HTTP server (targets/reference.ts): not
 * gated, measured only in `scenarios`, labelled in the report.
 */
export interface ReferencePoint {
  /** Scenario names where its answer is the bytes a correct server sends. */
  readonly scenarios: readonly string[];
  /** Why it is left out of the other scenarios, for the report. */
  readonly note: string;
}

export interface TargetDefinition {
  name: string;
  /** One line for the report: what this target is. */
  describe: string;
  /** Set for reference points (the C floor, uws-minimal); absent for servers. */
  reference?: ReferencePoint;
  /** Variants beyond plain this target can be launched as. */
  variants?: readonly LaunchVariant[];
  plan(ctx: TargetContext): PlanOutcome;
}

/** Absolute path of an executable on PATH (or the path itself when absolute), or null. */
export function findExecutable(name: string): string | null {
  const candidates = name.includes('/') ? [name] : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; try the next PATH entry.
    }
  }
  return null;
}

/** True when the outcome is a skip. */
export function isSkip(outcome: PlanOutcome): outcome is { skip: string } {
  return 'skip' in outcome;
}

/** Common MIME types for configs of servers that have no system table. */
export const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.bin': 'application/octet-stream',
};
