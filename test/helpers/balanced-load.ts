/**
 * A bounded keep-alive load loop against a load balancer: every response is
 * checked (status, body against its ETag) and counted by the host that
 * served it (X-Host) and by phase, so a test can cut the run into windows.
 */
import { Agent, request } from 'node:http';
import { computeEtag } from '../../src/cache/entry.js';

export interface PhaseStats {
  requests: number;
  /** Requests without a 200 whose body matches its ETag, described. */
  failures: string[];
  failureCount: number;
  byHost: Map<string, number>;
  etags: Set<string>;
  /** Body text of the responses, counted (to tell site versions apart). */
  bodies: Map<string, number>;
  /** The slowest request, ms. */
  slowestMs: number;
}

export interface LoadOptions {
  readonly host: string;
  readonly port: number;
  readonly paths: readonly string[];
  readonly concurrency: number;
  /** Hard caps: the loop stops at whichever comes first. */
  readonly maxMs: number;
  readonly maxRequests: number;
  readonly requestTimeoutMs: number;
}

function newPhase(): PhaseStats {
  return { requests: 0, failures: [], failureCount: 0, byHost: new Map(), etags: new Set(), bodies: new Map(), slowestMs: 0 };
}

function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export class BalancedLoad {
  /** Windows being counted: every response is recorded in each. */
  private readonly windows = new Set<PhaseStats>();
  private isHalted = false;
  /** While set, loops wait for it before their next request. */
  private gate: Promise<void> | null = null;
  private openGate: () => void = () => {};
  private inFlight = 0;
  private readonly loops: Promise<void>[];
  private readonly startedAt = Date.now();
  private total = 0;

  constructor(private readonly options: LoadOptions) {
    this.loops = Array.from({ length: options.concurrency }, (_, i) => this.loop(i));
  }

  /** Start counting a window; windows may overlap. */
  open(): PhaseStats {
    const window = newPhase();
    this.windows.add(window);
    return window;
  }

  /** Stop counting `window` and return it. */
  close(window: PhaseStats): PhaseStats {
    this.windows.delete(window);
    return window;
  }

  /** Wait `ms` and return what was counted meanwhile. */
  async measure(ms: number): Promise<PhaseStats> {
    const window = this.open();
    await new Promise((r) => setTimeout(r, ms));
    return this.close(window);
  }

  /** Hold every loop before its next request; resolves once none is in flight. */
  async pause(): Promise<void> {
    this.gate ??= new Promise((resolve) => (this.openGate = resolve));
    while (this.inFlight > 0) await new Promise((r) => setTimeout(r, 5));
  }

  resume(): void {
    this.gate = null;
    this.openGate();
  }

  async stop(): Promise<void> {
    this.resume();
    this.isHalted = true;
    await Promise.all(this.loops);
  }

  private async loop(index: number): Promise<void> {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const { paths, maxMs, maxRequests } = this.options;
    let i = index;
    while (!this.isHalted) {
      if (Date.now() - this.startedAt > maxMs || this.total >= maxRequests) {
        this.isHalted = true;
        break;
      }
      if (this.gate !== null) {
        await this.gate;
        continue;
      }
      this.inFlight++;
      await this.requestOnce(agent, paths[i++ % paths.length]);
      this.inFlight--;
    }
    agent.destroy();
  }

  private requestOnce(agent: Agent, path: string): Promise<void> {
    const windows = [...this.windows];
    const started = Date.now();
    const each = (record: (phase: PhaseStats) => void): void => windows.forEach(record);
    const fail = (what: string): void =>
      each((phase) => {
        phase.failureCount++;
        if (phase.failures.length < 20) phase.failures.push(`${path}: ${what}`);
      });
    return new Promise<void>((resolve) => {
      const req = request({ host: this.options.host, port: this.options.port, path, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const host = String(res.headers['x-host'] ?? '?');
          each((phase) => bump(phase.byHost, host));
          if (res.statusCode !== 200) fail(`${res.statusCode} from ${host}`);
          else if (res.headers.etag !== computeEtag(body)) fail(`body does not match ETag ${res.headers.etag} (${host})`);
          else {
            const etag = res.headers.etag;
            const text = body.toString();
            each((phase) => {
              phase.etags.add(etag);
              bump(phase.bodies, text);
            });
          }
          resolve();
        });
        res.on('error', (e: NodeJS.ErrnoException) => {
          fail(e.code ?? e.message);
          resolve();
        });
      });
      req.setTimeout(this.options.requestTimeoutMs, () => req.destroy(new Error('timeout')));
      req.on('error', (e: NodeJS.ErrnoException) => {
        fail(e.code ?? e.message);
        resolve();
      });
      req.end();
    }).then(() => {
      const ms = Date.now() - started;
      each((phase) => {
        phase.requests++;
        phase.slowestMs = Math.max(phase.slowestMs, ms);
      });
      this.total++;
    });
  }
}
