/**
 * Precomputed header blocks. uWS writes `HTTP/1.1 ` + status + CRLF for
 * `writeStatus(status)`, so a block that starts with the status text and
 * carries the header lines after it ("200 OK\r\nContent-Type: …") sends the
 * whole head in one native call. uWS then appends Date, `uWebSockets: 20`
 * and, from end()/tryEnd(), Content-Length and the blank line.
 */

import { encodeLatin1 } from './bytes.js';

export type HeaderList = ReadonlyArray<readonly [name: string, value: string]>;

/** Build "STATUS\r\nName: value\r\n…" without a trailing CRLF, as bytes. */
export function buildHeaderBlock(status: string, headers: HeaderList): ArrayBuffer {
  let text = status;
  for (const [name, value] of headers) {
    assertHeaderSafe(name);
    assertHeaderSafe(value);
    text += '\r\n' + name + ': ' + value;
  }
  return encodeLatin1(text);
}

/** "\r\nName: value" per header, for appending to a block's text. */
export function formatHeaderLines(headers: HeaderList): string {
  let text = '';
  for (const [name, value] of headers) text += '\r\n' + name + ': ' + value;
  return text;
}

/** Header values come from config and file names: refuse CR, LF and NUL. */
function assertHeaderSafe(text: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0 || c > 255) {
      throw new Error(`header text contains a forbidden character: ${JSON.stringify(text)}`);
    }
  }
}

const dates = new Map<number, string>();

/**
 * IMF-fixdate of a modification time in whole seconds. Files copied in one
 * deploy share a handful of seconds, so the strings are shared (bounded).
 */
export function formatHttpDate(seconds: number): string {
  let text = dates.get(seconds);
  if (text === undefined) {
    text = new Date(seconds * 1000).toUTCString();
    if (dates.size >= 4096) dates.clear();
    dates.set(seconds, text);
  }
  return text;
}
