/**
 * The `_headers` file (Netlify / Cloudflare Pages syntax). Pure parser:
 *
 *   # comment
 *   /path/pattern
 *     Name: value        indented: a header for the pattern above
 *     ! Name             removes a header a broader rule (or --header) added
 *
 * Blocks are kept in file order; resolveHeaders (headers.ts) applies every
 * block that matches.
 */
import { RESERVED_HEADERS } from '../setup/config.js';
import { compilePattern, type PathPattern } from './pattern.js';
import { hasControlCharacter, listSourceLines, RuleError } from './syntax.js';

export const HEADERS_FILE = '_headers';

export interface HeaderBlock {
  /** Line of the pattern, from 1. */
  readonly line: number;
  readonly pattern: PathPattern;
  /** Lower-case names this block removes (`! Name`), applied before `set`. */
  readonly remove: readonly string[];
  /** Headers this block adds, in file order; a name given twice is joined. */
  readonly set: ReadonlyArray<readonly [name: string, value: string]>;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Parse `_headers`; throws RuleError naming the line. */
export function parseHeadersFile(text: string): HeaderBlock[] {
  const blocks: { line: number; pattern: PathPattern; remove: string[]; set: [string, string][] }[] = [];
  for (const { number, text: line, isIndented } of listSourceLines(text)) {
    const fail: (reason: string) => never = (reason) => {
      throw new RuleError(HEADERS_FILE, number, reason);
    };
    if (!isIndented) {
      try {
        blocks.push({ line: number, pattern: compilePattern(line.trim()), remove: [], set: [] });
      } catch (error) {
        fail(`${(error as Error).message}; a header line must be indented under its path`);
      }
      continue;
    }
    const block = blocks[blocks.length - 1];
    if (block === undefined) fail('a header line before any path (write the path on its own, unindented line first)');
    const trimmed = line.trim();
    if (trimmed.startsWith('!')) {
      block.remove.push(checkName(trimmed.slice(1).trim(), 'remove', fail).toLowerCase());
      continue;
    }
    const colon = trimmed.indexOf(':');
    if (colon <= 0) fail(`expected "Name: value" or "! Name", got "${trimmed}"`);
    const name = checkName(trimmed.slice(0, colon).trim(), 'set', fail);
    const value = trimmed.slice(colon + 1).trim();
    if (hasControlCharacter(value) || /[^\t\x20-\x7e]/.test(value)) fail(`the value of ${name} must be printable ASCII`);
    block.set.push([name, value]);
  }
  return blocks;
}

function checkName(name: string, verb: 'set' | 'remove', fail: (reason: string) => never): string {
  if (!TOKEN.test(name)) fail(`invalid header name "${name}"`);
  if (RESERVED_HEADERS.has(name.toLowerCase())) fail(`cannot ${verb} ${name}: fastsrv computes it`);
  return name;
}
