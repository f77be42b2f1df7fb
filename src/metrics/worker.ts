/**
 * A worker's prom-client registry. Loaded only with --admin. Nothing here
 * runs per request: every metric reads the plain counters (counters.ts) and
 * the worker's state in its collect() callback, when the primary asks for
 * this registry's JSON (a scrape of /metrics).
 */
import { collectDefaultMetrics, Gauge, Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import type { CacheTable } from '../cache/table.js';
import type { ResponseCounters } from './counters.js';
import { registerResponseMetrics } from './responses.js';

export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/** What the worker's gauges read. */
export interface WorkerState {
  readonly counters: ResponseCounters;
  /** The table served now (null before the server listens). */
  table(): CacheTable | null;
  /** Entries of the running compression pass not done yet. */
  compressionPending(): number;
}

export interface WorkerMetrics {
  /** The registry's metrics as JSON, for AggregatorRegistry.aggregate in the primary. */
  collect(): Promise<MetricsJson>;
}

export function createWorkerMetrics(state: WorkerState): WorkerMetrics {
  const registry = new Registry();
  const { counters } = state;
  registerResponseMetrics(registry, counters);
  new Gauge({
    name: 'fastsrv_cache_files',
    help: 'Files served from memory, per worker (every worker caches the same files: the maximum over workers).',
    registers: [registry],
    aggregator: 'max',
    collect() {
      const table = state.table();
      this.set(table === null ? 0 : table.fileCount - table.streamedCount);
    },
  });
  new Gauge({
    name: 'fastsrv_cache_bytes',
    help: 'Bytes of file bodies and compressed variants held in memory, summed over workers.',
    registers: [registry],
    collect() {
      this.set(state.table()?.byteCount ?? 0);
    },
  });
  new Gauge({
    name: 'fastsrv_streams_active',
    help: 'Responses still sending after their handler returned (big bodies under backpressure, files streamed from disk).',
    registers: [registry],
    collect() {
      this.set(counters.transfers);
    },
  });
  new Gauge({
    name: 'fastsrv_compression_pending',
    help: 'Files of the running compression pass (fast, then best) not compressed yet (the maximum over workers).',
    registers: [registry],
    aggregator: 'max',
    collect() {
      this.set(state.compressionPending());
    },
  });
  collectDefaultMetrics({ register: registry });
  return { collect: () => registry.getMetricsAsJSON() };
}
