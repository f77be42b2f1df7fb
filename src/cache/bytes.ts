/**
 * Bytes handed to uWebSockets.js, as plain ArrayBuffers. uWS reads a
 * typed-array argument through view->Buffer()->GetBackingStore() plus the
 * view's offset and length, about 130 instructions more per argument than
 * an ArrayBuffer (bench/NOTES.md, "Instructions per request"), so header
 * names, header blocks and bodies are built once as whole ArrayBuffers.
 */

/** An ArrayBuffer holding exactly `bytes` (a copy: a Buffer may be a slice of a shared pool). */
export function copyToArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return copy;
}

/** Latin-1 text as an ArrayBuffer, one byte per character (header text is checked to be ≤ 0xFF). */
export function encodeLatin1(text: string): ArrayBuffer {
  return copyToArrayBuffer(Buffer.from(text, 'latin1'));
}

/** ArrayBuffer bytes as latin-1 text (tests, and heads derived from a block off the hot path). */
export function decodeLatin1(bytes: ArrayBuffer, start = 0): string {
  return Buffer.from(bytes).toString('latin1', start);
}
