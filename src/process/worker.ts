/**
 * The command line's worker program: the primary forks it with
 * cluster.fork() and passes the Config in the environment.
 */
import type { Config } from '../setup/config.js';
import { CONFIG_ENV, WORKER_INDEX_ENV } from './messages.js';
import { failWorker, PROCESS_LINK, runSite } from './site.js';

const raw = process.env[CONFIG_ENV];
if (raw !== undefined) {
  process.on('uncaughtException', failWorker);
  runSite(JSON.parse(raw) as Config, Number(process.env[WORKER_INDEX_ENV] ?? 0), null, PROCESS_LINK).catch(failWorker);
}
