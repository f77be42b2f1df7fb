/** Live progress on stderr: one rewritten line on a terminal, plain lines otherwise. */

let isLineOpen = false;
let lastPlain = 0;

/** Show a transient status (overwritten by the next one on a TTY; throttled to one line per 2 s otherwise). */
export function showStatus(text: string): void {
  if (process.stderr.isTTY) {
    process.stderr.write(`\r\x1b[2K${text.slice(0, (process.stderr.columns || 120) - 1)}`);
    isLineOpen = true;
    return;
  }
  const now = Date.now();
  if (now - lastPlain < 2000) return;
  lastPlain = now;
  process.stderr.write(`${text}\n`);
}

/** Print a line that stays. */
export function logLine(text: string): void {
  if (isLineOpen) process.stderr.write('\r\x1b[2K');
  isLineOpen = false;
  lastPlain = 0;
  process.stderr.write(`${text}\n`);
}
