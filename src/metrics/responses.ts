/** The response counters every registry of the tree exposes (workers, and the primary for workers that exited). */
import { Counter, type Registry } from 'prom-client';
import type { ResponseCounters } from './counters.js';

/**
 * fastsrv_requests_total{code} and fastsrv_response_bytes_total, filled from
 * `counters` (or, in the primary, from the counts of workers that exited).
 * Counters have no set(): collect() resets and adds the current totals.
 */
export function registerResponseMetrics(registry: Registry, counters: ResponseCounters): void {
  new Counter({
    name: 'fastsrv_requests_total',
    help: 'Responses sent, by status code.',
    labelNames: ['code'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [code, count] of counters.listStatuses()) this.inc({ code: String(code) }, count);
    },
  });
  new Counter({
    name: 'fastsrv_response_bytes_total',
    help: 'Response body bytes sent (HEAD and 304 send none; an aborted download counts what was written).',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(counters.bytes);
    },
  });
}
