/**
 * What the rule-file parsers share: the error they throw and line splitting.
 * Pure: text in, values out.
 */

/** A malformed line of `_headers` or `_redirects`; `line` counts from 1. */
export class RuleError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file} line ${line}: ${reason}`);
  }
}

/** A meaningful line: its number (from 1), its text without the line end, and whether it is indented. */
export interface SourceLine {
  readonly number: number;
  readonly text: string;
  readonly isIndented: boolean;
}

/** The lines that are neither blank nor `#` comments (a leading BOM is dropped). */
export function listSourceLines(text: string): SourceLine[] {
  const lines: SourceLine[] = [];
  const raw = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < raw.length; i++) {
    const line = raw[i];
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const first = line.charCodeAt(0);
    lines.push({ number: i + 1, text: line, isIndented: first === 32 || first === 9 });
  }
  return lines;
}

/** True when `text` has a character a header or URL must never carry (controls, DEL). */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127) return true;
  }
  return false;
}
