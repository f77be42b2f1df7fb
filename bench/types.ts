/** Shared shapes of the load harness: options, scenarios, measurements. */

export type ClientName = 'wrk' | 'autocannon';

/** Settings of one `npm run bench` invocation, after defaults are applied. */
export interface Options {
  duration: number;
  warmup: number;
  connections: number;
  pipelining: number;
  rounds: number;
  workers: number;
  targets: string[];
  scenarios: string[];
  client: ClientName;
  pin: boolean;
  out: string;
  compare: string | null;
  current: string | null;
  tolerance: number;
  help: boolean;
}

/** A file written into the fixture root. */
export interface Fixture {
  urlPath: string;
  size: number;
  contentType: string;
}

/** One measured load pattern. `paths` rotate when there are several. */
export interface Scenario {
  name: string;
  title: string;
  paths: string[];
  expectStatus: number;
  /** Set for the 304 scenario: send If-None-Match with the target's own ETag. */
  isConditional: boolean;
  /** Smallest plausible mean response body, used to catch wrong statuses under wrk. */
  minBodyBytes: number;
  maxBodyBytes: number;
  /**
   * Throughput scenario (big files): the table adds server CPU per MiB, rows are ranked by
   * it and ratios use CPU/MiB and MB/s instead of CPU/req and req/s. Absent in old records.
   */
  isBulk?: boolean;
  /** Connections for this scenario instead of `--connections` (a 1 GiB response per connection is plenty). */
  connections?: number;
  /** wrk `--timeout` in seconds (default 10): one 1 GiB response can take longer than that. */
  timeoutSec?: number;
  /** Measured against the targets started with TLS (the run's certificate), over https://. */
  isTls?: boolean;
  /** `Connection: close` on every request: each request is a new connection (and TLS handshake). */
  isNewConnection?: boolean;
  /**
   * Measured against launches with this feature on (targets/common.ts LaunchVariant), beside
   * the plain ones; targets without the variant are not measured. Absent: plain.
   */
  variant?: 'access-log' | 'admin' | 'rules' | 'routes';
}

/** What a load client reports for one window. */
export interface LoadResult {
  requests: number;
  durationSec: number;
  bytes: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Socket errors and timeouts. */
  socketErrors: number;
  /** Responses whose status differed from the scenario's expected one (as far as the client can tell). */
  badStatus: number;
  /** CPU seconds the client used during the window (user + system). */
  clientCpuSec: number;
  /** wrk's own printed Transfer/sec in bytes/s (1024-based units, rounded), to cross-check `bytes`. */
  transferPerSec?: number;
}

/** One target × scenario × round, with the server-side numbers. */
export interface Measurement {
  target: string;
  scenario: string;
  round: number;
  load: LoadResult;
  reqPerSec: number;
  mbPerSec: number;
  serverCpuSec: number;
  serverCpuUsPerReq: number;
  /** Server CPU µs per MiB received by the client (bytes include partly read responses). Absent in old records. */
  serverCpuUsPerMiB?: number;
  serverCpuPct: number;
  clientCpuPct: number;
  /** CPU used by other processes (not server, not client) during the window, % of one core. */
  backgroundCpuPct: number;
  /** irq + softirq time of the machine (charged to no process; mostly loopback networking), % of one core. */
  irqCpuPct: number;
  isClientBound: boolean;
  peakRssBytes: number;
  flags: string[];
}

/** Gate outcome for one target. */
export interface GateResult {
  ok: boolean;
  source: 'fastsrv check' | 'bench probe';
  reasons: string[];
  etag: string | null;
}

/** What a TLS launch negotiated with the harness's own client (Node, OpenSSL defaults). */
export interface TlsStatus {
  /** "TLSv1.3" */
  protocol: string;
  /** IANA name, e.g. "TLS_AES_256_GCM_SHA384". */
  cipher: string;
  /** Key exchange group, e.g. "X25519". */
  group: string;
}

/** How a target was started, or why it was not. */
export interface TargetStatus {
  name: string;
  started: boolean;
  skipReason: string | null;
  port: number | null;
  version: string | null;
  command: string | null;
  gate: GateResult | null;
  /** Set for the launch that serves the TLS scenarios (null until it negotiated). Absent in old records. */
  tls?: TlsStatus | null;
  /** The launch variant (absent: plain, and in old records). */
  variant?: 'access-log' | 'admin' | 'rules' | 'routes';
  /** Set for a reference point (not an HTTP server, not gated): where it is measured and why not elsewhere. */
  reference?: { scenarios: string[]; note: string };
}

/** Everything a run produced; this is the raw JSON written to results/. */
export interface RunRecord {
  schema: 1;
  startedAt: string;
  finishedAt: string;
  machine: Record<string, string>;
  settings: Options & { clientCores: number; serverCpus: string; clientCpus: string; pinning: string };
  targets: TargetStatus[];
  scenarios: Scenario[];
  measurements: Measurement[];
  warnings: string[];
}
