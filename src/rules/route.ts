/**
 * Which `_redirects` rule answers a path: the first in file order whose
 * FROM matches. Pure. Called on the miss path only (a path with no file),
 * and at build time for forced rules over the paths that have one.
 */
import { matchPattern } from './pattern.js';
import type { RedirectRule } from './redirects-file.js';

export interface RuleMatch {
  readonly rule: RedirectRule;
  /** Decoded values of FROM's placeholders and splat, in its order. */
  readonly captures: readonly string[];
}

/** The first rule matching `key`; with `isForcedOnly`, the first forced one (the path has a file). */
export function findRule(rules: readonly RedirectRule[], key: string, isForcedOnly = false): RuleMatch | null {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (isForcedOnly && !rule.isForced) continue;
    const captures = matchPattern(rule.from, key);
    if (captures !== null) return { rule, captures };
  }
  return null;
}
