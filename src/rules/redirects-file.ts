/**
 * The `_redirects` file (Netlify / Cloudflare Pages syntax). Pure parser:
 *
 *   # comment
 *   FROM  TO  [STATUS[!]]
 *
 * STATUS 301 (default), 302, 303, 307, 308: a redirect; 200: a rewrite
 * (TO's file under FROM's URL); 404: TO's file as the not-found page. `!`
 * forces the rule over a real file. Rules are kept in file order: the
 * first that matches wins.
 */
import { compilePattern, type PathPattern } from './pattern.js';
import { listSourceLines, RuleError } from './syntax.js';
import { compileTarget, type Target } from './target.js';

export const REDIRECTS_FILE = '_redirects';

export type RuleStatus = 200 | 301 | 302 | 303 | 307 | 308 | 404;

export interface RedirectRule {
  readonly line: number;
  readonly from: PathPattern;
  readonly to: Target;
  readonly status: RuleStatus;
  /** `!`: applies even where a file exists (the hosts' "force", no shadowing). */
  readonly isForced: boolean;
}

/** The status line of each redirect status. */
export const REDIRECT_STATUS_TEXT: Readonly<Record<number, string>> = {
  301: '301 Moved Permanently',
  302: '302 Found',
  303: '303 See Other',
  307: '307 Temporary Redirect',
  308: '308 Permanent Redirect',
};

/** True for the statuses that answer with a Location. */
export function isRedirectStatus(status: RuleStatus): boolean {
  return status !== 200 && status !== 404;
}

/** Parse `_redirects`; throws RuleError naming the line. */
export function parseRedirectsFile(text: string): RedirectRule[] {
  const rules: RedirectRule[] = [];
  for (const { number, text: line } of listSourceLines(text)) {
    const fail: (reason: string) => never = (reason) => {
      throw new RuleError(REDIRECTS_FILE, number, reason);
    };
    const fields = line.trim().split(/\s+/);
    if (fields.length < 2) fail(`expected "FROM TO [STATUS]", got "${line.trim()}"`);
    const extra = fields.slice(1).find(isCondition);
    if (fields.length > 3 || extra !== undefined) {
      fail(extra !== undefined
        ? `query and condition matching (${extra}) is not supported; fastsrv takes "FROM TO [STATUS]"`
        : `expected "FROM TO [STATUS]", got ${fields.length} fields`);
    }
    const [from, to, statusField = '301'] = fields;
    const status = /^(\d{3})(!?)$/.exec(statusField);
    if (status === null || !(Number(status[1]) in STATUSES)) {
      fail(`unsupported status "${statusField}": expected 301, 302, 303, 307, 308 (redirects), 200 (rewrite) or 404, optionally with !`);
    }
    const code = Number(status[1]) as RuleStatus;
    let pattern: PathPattern;
    let target: Target;
    try {
      pattern = compilePattern(from);
      target = compileTarget(to, pattern.names);
    } catch (error) {
      fail((error as Error).message);
    }
    if (target.isAbsolute && !isRedirectStatus(code)) {
      fail(`a ${code} rule serves a file of this site, so its target must be a path, not "${to}" (fastsrv does not proxy)`);
    }
    rules.push({ line: number, from: pattern, to: target, status: code, isForced: status[2] === '!' });
  }
  return rules;
}

/** Netlify's `id=:id` (query matching) and `Country=au` (conditions): not a path, a URL or a status. */
function isCondition(field: string): boolean {
  return field.includes('=') && !field.startsWith('/') && !/^https?:\/\//i.test(field);
}

const STATUSES: Readonly<Record<number, true>> = { 200: true, 301: true, 302: true, 303: true, 307: true, 308: true, 404: true };
