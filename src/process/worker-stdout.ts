/** A worker's stdout, passed on without the engine's noise. */
import { createInterface } from 'node:readline';

/**
 * uWS 20.30 prints "finding NAME", "Browsed to SNI: NAME" and "Cannot
 * browse to SNI: " on stdout when a worker attaches routes to SNI names;
 * everything else a worker prints on stdout is passed on.
 */
const UWS_SNI_NOISE = /^(finding .*|Browsed to SNI: .*|Cannot browse to SNI: .*)$/;

export function filterWorkerStdout(stdout: NodeJS.ReadableStream): void {
  createInterface({ input: stdout, crlfDelay: Infinity }).on('line', (line) => {
    if (!UWS_SNI_NOISE.test(line)) process.stdout.write(line + '\n');
  });
}
