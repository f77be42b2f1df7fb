/** A worker thread of `fastsrv compress`: one task in, one outcome out. */
import { parentPort } from 'node:worker_threads';
import { compressFile } from './job.js';
import type { CompressTask } from './plan.js';

parentPort?.on('message', (task: CompressTask) => parentPort!.postMessage(compressFile(task)));
