/** Shared shapes of `fastsrv check`. Types and tiny constructors only. */
import type { IncomingHttpHeaders } from 'node:http';

/** One line of the report. */
export interface CheckResult {
  readonly name: string;
  /** warn: works, but breaks a SHOULD of RFC 9110; does not fail the run. */
  readonly status: 'pass' | 'warn' | 'fail' | 'skip';
  readonly detail: string;
}

/** Everything one run found. */
export interface CheckReport {
  readonly url: string;
  readonly results: CheckResult[];
  readonly passed: number;
  readonly warned: number;
  readonly failed: number;
  readonly skipped: number;
}

/** A result without its name: what a check function decides. */
export interface Verdict {
  readonly status: CheckResult['status'];
  readonly detail: string;
}

/** Where to connect and how long to wait for each answer. */
export interface Endpoint {
  /** Host name or address for connect(), without IPv6 brackets. */
  readonly host: string;
  /** `host:port` as written in the URL, for the Host header. */
  readonly authority: string;
  readonly port: number;
  readonly timeoutMs: number;
  /** https:// (certificates are not verified: check tests HTTP, not the PKI). */
  readonly isTls: boolean;
}

/** A resource that answered 200, with the bytes it must serve. */
export interface Target {
  /** Percent-encoded request-target, e.g. `/docs/a%20b.html`. */
  readonly path: string;
  /** Identity bytes: the file on disk with --root, else the GET body. */
  readonly body: Buffer;
  /** Headers of the identity GET. */
  readonly headers: IncomingHttpHeaders;
}

/** What every check sees. */
export interface CheckContext extends Endpoint {
  /** Path of the base URL, always ending in `/`. */
  readonly basePath: string;
  /** The resource for the protocol checks, if any answered 200. */
  readonly target: Target | undefined;
  /** A text resource of at least 1 KiB for the compression checks. */
  readonly textTarget: Target | undefined;
  /** Runs `make` once per key, so checks can share one exchange. */
  memo<T>(key: string, make: () => Promise<T>): Promise<T>;
}

/** A named probe; `run` may throw, the runner turns that into a FAIL. */
export interface Check {
  readonly name: string;
  readonly run: (context: CheckContext) => Promise<Verdict>;
}

/** The name of the single result reported when the server cannot be reached. */
export const CONNECT_CHECK = 'connect';

export function pass(detail: string): Verdict {
  return { status: 'pass', detail };
}

export function fail(detail: string): Verdict {
  return { status: 'fail', detail };
}

export function warn(detail: string): Verdict {
  return { status: 'warn', detail };
}

export function skip(detail: string): Verdict {
  return { status: 'skip', detail };
}

/** A failure of the probe's own I/O: a timeout, a closed or garbled connection. */
export class ProbeError extends Error {
  constructor(
    message: string,
    readonly reason: 'timeout' | 'closed' | 'malformed' | 'network',
  ) {
    super(message);
    this.name = 'ProbeError';
  }
}

/** A one-line description of anything thrown, for a detail column. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (error.message) return error.message;
    if (code) return code;
    if (error instanceof AggregateError && error.errors.length > 0) return describeError(error.errors[0]);
    return error.name;
  }
  return String(error);
}
