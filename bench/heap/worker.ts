/**
 * Child process of bench/heap.ts: one fastsrv worker, exactly as the primary starts it
 * (src/process/worker.ts reads its Config from FASTSRV_CONFIG and reports `listening` over IPC),
 * plus an in-process inspector session that runs V8's sampling heap profiler when the
 * parent asks. No inspector port is opened.
 *
 * The profiler is started with includeObjectsCollectedByMajorGC/MinorGC: without them
 * V8 drops the samples of objects that died before the profile was taken, which is
 * exactly the per-request garbage this looks for (`node --heap-prof` does not set them).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/** Parent → child. */
export type HeapCommand = { type: 'heap-start'; interval: number } | { type: 'heap-stop'; path: string };
/** Child → parent (besides the worker's own `listening` and `fatal`). */
export type HeapReply = { type: 'heap-started' } | { type: 'heap-stopped'; path: string } | { type: 'heap-error'; message: string };

const session = new Session();
session.connect();

function reply(message: HeapReply): void {
  process.send?.(message);
}

async function start(interval: number): Promise<void> {
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.collectGarbage');
  // Fields newer than @types/node's protocol typings; V8 in Node 20 knows them.
  const params = { samplingInterval: interval, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true };
  await session.post('HeapProfiler.startSampling', params);
  reply({ type: 'heap-started' });
}

async function stop(path: string): Promise<void> {
  const { profile } = await session.post('HeapProfiler.stopSampling');
  writeFileSync(path, JSON.stringify(profile));
  reply({ type: 'heap-stopped', path });
}

process.on('message', (message: HeapCommand) => {
  const done = message?.type === 'heap-start' ? start(message.interval) : message?.type === 'heap-stop' ? stop(message.path) : null;
  done?.catch((error: unknown) => reply({ type: 'heap-error', message: (error as Error).message }));
});

await import('../../src/process/worker.js');
