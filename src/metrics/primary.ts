/**
 * The primary's side of /metrics: its own registry (worker supervision,
 * counts carried over from workers that exited, its process metrics) and
 * prom-client's cluster aggregation, AggregatorRegistry.aggregate, over it
 * and the registries' JSON the workers sent.
 *
 * The primary gathers the workers' JSON itself (primary.ts) rather than
 * with AggregatorRegistry#clusterMetrics(), which asks every connected
 * worker, including ones still loading (which never answer, so the scrape
 * fails after 5 s), and cannot drop a worker that exits mid-scrape.
 */
import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { ResponseCounters } from './counters.js';
import { registerResponseMetrics } from './responses.js';

/** What the primary knows about its workers. */
export interface TreeState {
  readonly workersConfigured: number;
  /** Slots whose worker listens. */
  workersUp(): number;
  /** Workers replaced after dying. */
  restarts(): number;
  /** Rolling reloads (SIGHUP) finished, by result. */
  reloads(): { readonly ok: number; readonly failed: number };
}

export interface PrimaryMetrics {
  /** Totals of workers that exited after draining: their counts stay in the sums. */
  readonly departed: ResponseCounters;
  readonly contentType: string;
  /** The exposition text of the primary plus `workers` (getMetricsAsJSON() results). */
  render(workers: readonly object[][]): Promise<string>;
}

export function createPrimaryMetrics(tree: TreeState): PrimaryMetrics {
  const registry = new Registry();
  const departed = new ResponseCounters();
  registerResponseMetrics(registry, departed);
  new Gauge({
    name: 'fastsrv_workers',
    help: 'Workers listening (one per slot; /healthz is 503 while fewer than fastsrv_workers_configured).',
    registers: [registry],
    collect() {
      this.set(tree.workersUp());
    },
  });
  new Gauge({
    name: 'fastsrv_workers_configured',
    help: 'Workers the tree runs (--workers).',
    registers: [registry],
    collect() {
      this.set(tree.workersConfigured);
    },
  });
  new Counter({
    name: 'fastsrv_worker_restarts_total',
    help: 'Workers restarted after dying (crash, OOM kill, SIGKILL).',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(tree.restarts());
    },
  });
  new Counter({
    name: 'fastsrv_reloads_total',
    help: 'Rolling reloads (SIGHUP) finished: ok, or failed (a new worker did not start; the old ones kept serving).',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      const { ok, failed } = tree.reloads();
      this.reset();
      this.inc({ result: 'ok' }, ok);
      this.inc({ result: 'failed' }, failed);
    },
  });
  collectDefaultMetrics({ register: registry });
  return {
    departed,
    contentType: registry.contentType,
    async render(workers) {
      const own = await registry.getMetricsAsJSON();
      return AggregatorRegistry.aggregate([own, ...workers]).metrics();
    },
  };
}
