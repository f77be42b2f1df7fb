/**
 * `_headers` and `_redirects` at the root, as the table builder uses them:
 * read with the scan, parsed once per change, headers resolved into one
 * policy per resource (shared between resources with equal headers).
 * Setup only.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { HEADERS_FILE, parseHeadersFile, type HeaderBlock } from '../rules/headers-file.js';
import { hasHeaderRules, resolveHeaders } from '../rules/headers.js';
import { parseRedirectsFile, REDIRECTS_FILE, type RedirectRule } from '../rules/redirects-file.js';
import type { HeaderPolicy } from './policy.js';
import { resolveInside, type ScannedFile } from './scan.js';

/** Keys of the rule files: never served (always 404). */
export const RULE_FILE_KEYS: readonly string[] = ['/' + HEADERS_FILE, '/' + REDIRECTS_FILE];

export class SiteRules {
  /**
   * Policies by their headers: resources with equal headers share one
   * object, and a rebuild with the same rules hands out the same objects,
   * so `entry.policy !== policy` means the headers changed.
   */
  private readonly policies = new Map<string, HeaderPolicy>();
  private readonly hasHeaders: boolean;

  constructor(
    /** The files' texts as last read ('' when absent). */
    readonly headersText: string,
    readonly redirectsText: string,
    readonly headerBlocks: readonly HeaderBlock[],
    /** In file order: the miss path takes the first that matches. */
    readonly redirects: readonly RedirectRule[],
  ) {
    this.hasHeaders = hasHeaderRules(headerBlocks);
  }

  /** The policy of a resource served at `keys` (its own key first, then its aliases). */
  resolvePolicy(keys: readonly string[], base: HeaderPolicy): HeaderPolicy {
    if (!this.hasHeaders) return base;
    const resolved = resolveHeaders(this.headerBlocks, keys, { cacheControl: base.cacheControl, extra: base.extraHeaders });
    const signature = JSON.stringify(resolved);
    let policy = this.policies.get(signature);
    if (policy === undefined) {
      policy = { ...base, cacheControl: resolved.cacheControl, extraHeaders: resolved.extra, isNosniff: resolved.isNosniff };
      this.policies.set(signature, policy);
    }
    return policy;
  }
}

export const NO_RULES = new SiteRules('', '', [], []);

/**
 * The rules in `scanned` (the scan's entries for the rule files, when
 * present). Unchanged texts reuse `previous` as it is; a malformed file
 * throws RuleError.
 */
export function loadSiteRules(scanned: ReadonlyMap<string, ScannedFile>, previous: SiteRules | null): SiteRules {
  const headersText = readRuleFile(scanned.get(RULE_FILE_KEYS[0]));
  const redirectsText = readRuleFile(scanned.get(RULE_FILE_KEYS[1]));
  if (previous !== null && previous.headersText === headersText && previous.redirectsText === redirectsText) return previous;
  if (headersText === '' && redirectsText === '') return NO_RULES;
  return new SiteRules(headersText, redirectsText, parseHeadersFile(headersText), parseRedirectsFile(redirectsText));
}

function readRuleFile(file: ScannedFile | undefined): string {
  if (file === undefined) return '';
  try {
    return readFileSync(file.absPath, 'utf8');
  } catch {
    return ''; // removed since the scan: as if absent
  }
}

/**
 * Parse the rule files of `root` as a worker will (regular files, links
 * only inside the root), so a mistake stops the start with its line.
 * Returns the rules; throws RuleError.
 */
export function checkSiteRules(root: string): SiteRules {
  const realRoot = realpathSync(root);
  const found = new Map<string, ScannedFile>();
  for (const key of RULE_FILE_KEYS) {
    const target = resolveInside(realRoot, join(realRoot, key));
    if (target !== null && target.stats.isFile()) {
      found.set(key, { key, absPath: target.real, size: target.stats.size, mtimeMs: target.stats.mtimeMs, ino: target.stats.ino });
    }
  }
  return loadSiteRules(found, null);
}

/** "_headers 3 blocks, _redirects 12 rules (2 forced)", or null without rules. */
export function describeSiteRules(rules: SiteRules): string | null {
  const parts: string[] = [];
  if (rules.headersText !== '') parts.push(`${HEADERS_FILE} ${rules.headerBlocks.length} blocks`);
  if (rules.redirectsText !== '') {
    const forced = rules.redirects.filter((r) => r.isForced).length;
    parts.push(`${REDIRECTS_FILE} ${rules.redirects.length} rules` + (forced > 0 ? ` (${forced} forced)` : ''));
  }
  return parts.length === 0 ? null : parts.join(', ');
}
