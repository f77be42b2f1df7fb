/**
 * A site's observers: the access log and the metrics counters, as the
 * config asks; prom-client is loaded only with --admin.
 */
import type { Config } from '../setup/config.js';
import { openLogWriter } from '../log/writer.js';
import { ResponseCounters } from '../metrics/counters.js';
import { createObserver, type HandlerWrapper } from '../serve/observe.js';
import type { RunningServer } from '../serve/server.js';
import type { WorkerMessage } from './messages.js';
import type { WorkerLink } from './site.js';

export interface Observers {
  readonly observe: HandlerWrapper | null;
  /** After draining: hand the final counts to the primary. */
  beforeExit(): Promise<void>;
}

/**
 * The access log and the metrics counters, as the config asks; prom-client
 * is loaded only with --admin. The log is flushed on any exit (a crash
 * loses at most one batch) and reopened on the primary's `reopen`.
 */
export async function createObservers(
  config: Config,
  index: number,
  getServer: () => RunningServer | null,
  compression: { left: number },
  link: WorkerLink,
): Promise<Observers> {
  const report = (message: string): void => void process.stderr.write(`fastsrv worker ${process.pid}: ${message}\n`);
  const writer = config.accessLog === null ? null : openLogWriter(config.accessLog, report);
  if (writer !== null) {
    process.on('exit', () => writer.flush());
    link.onMessage((message) => {
      if (message?.type === 'reopen') writer.reopen();
    });
  }
  const counters = config.admin === null ? null : new ResponseCounters();
  if (counters !== null) {
    const { createWorkerMetrics } = await import('../metrics/worker.js');
    const metrics = createWorkerMetrics({
      counters,
      table: () => getServer()?.table ?? null,
      compressionPending: () => compression.left,
    });
    link.onMessage((message) => {
      if (message?.type !== 'metrics') return;
      void metrics.collect().then((json) => link.send({ type: 'metrics', id: message.id, metrics: json }));
    });
  }
  const log = writer === null ? null : { writer, format: config.logFormat };
  return {
    observe: createObserver({ log, counters, worker: index }),
    beforeExit: () => {
      writer?.flush();
      if (counters === null || !link.isProcess || !process.send || !process.connected) return Promise.resolve();
      const message: WorkerMessage = { type: 'counts', statuses: counters.listStatuses(), bytes: counters.bytes };
      return new Promise((resolve) => {
        process.send!(message, () => resolve());
        setTimeout(resolve, 1000).unref();
      });
    },
  };
}
