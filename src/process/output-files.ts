/** Files the primary writes before forking: the access log is created, the pid file written (and removed at exit). */
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Config } from '../setup/config.js';
import { describeError } from '../log/writer.js';

/** A file named on the command line cannot be written: exit 2, like a bad flag. */
export class OutputFileError extends Error {}

/**
 * Open the access log once (creating it) so a path that cannot be written
 * fails here, with a clear line, before any worker is forked; write the pid
 * file, removed again at exit.
 */
export function openOutputFiles(config: Config): void {
  if (config.accessLog !== null && config.accessLog !== '-') {
    try {
      closeSync(openSync(config.accessLog, 'a', 0o640));
    } catch (error) {
      throw new OutputFileError(`cannot open --access-log ${config.accessLog}: ${describeError(error)}`);
    }
  }
  const pidFile = config.pidFile;
  if (pidFile !== null) {
    try {
      writeFileSync(pidFile, `${process.pid}\n`);
    } catch (error) {
      throw new OutputFileError(`cannot write --pid-file ${pidFile}: ${describeError(error)}`);
    }
    process.on('exit', () => {
      try {
        if (readFileSync(pidFile, 'utf8').trim() === String(process.pid)) rmSync(pidFile);
      } catch {
        // already gone
      }
    });
  }
}
