/**
 * Path patterns of `_headers` and `_redirects` (Netlify / Cloudflare Pages
 * syntax), matched against decoded cache keys. Pure.
 *
 * - `*` (one per pattern) is the splat: any characters, `/` included; a
 *   trailing `/*` also matches the directory itself (`/app/*` matches `/app`).
 * - A segment `:name` is a placeholder: one whole segment, no `/`.
 * - Literal text is percent-decoded once, as request paths are, and
 *   compared case-sensitively.
 * - A trailing slash does not matter (`/about` matches `/about/` and the
 *   other way round), as the hosts normalise it.
 */

export interface PathPattern {
  /** As written in the file. */
  readonly source: string;
  /** Placeholder names in capture order; `splat` stands for the `*`. */
  readonly names: readonly string[];
  /** The decoded path without a trailing slash when there is nothing to capture; else null. */
  readonly literal: string | null;
  readonly regex: RegExp | null;
}

const PLACEHOLDER = /^:([A-Za-z_][A-Za-z0-9_]*)$/;
const NO_CAPTURES: readonly string[] = [];

/** Compile a pattern; throws an Error whose message is the reason. */
export function compilePattern(source: string): PathPattern {
  if (!source.startsWith('/')) {
    const what = /^https?:\/\//.test(source) ? 'host-specific rules (https://host/…) are not supported' : 'a path must start with /';
    throw new Error(`${what}: "${source}"`);
  }
  if (/[?#\\]/.test(source)) throw new Error(`a path pattern cannot contain ?, # or \\: "${source}" (percent-encode them)`);
  const segments = source.slice(1).split('/');
  if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop(); // trailing slash
  if ((source.match(/\*/g) ?? []).length > 1) throw new Error(`only one * is allowed in a pattern: "${source}"`);
  const names: string[] = [];
  let regex = '^';
  let literal = '';
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const placeholder = PLACEHOLDER.exec(segment);
    if (placeholder !== null) {
      if (placeholder[1] === 'splat' || names.includes(placeholder[1])) {
        throw new Error(`placeholder :${placeholder[1]} is ${placeholder[1] === 'splat' ? 'reserved for *' : 'used twice'}`);
      }
      names.push(placeholder[1]);
      regex += '/([^/]+)';
    } else if (segment === '*' && i === segments.length - 1) {
      names.push('splat');
      regex += '(?:/(.*))?';
    } else {
      if ((segment === '' && segments.length > 1) || segment === '.' || segment === '..') {
        throw new Error(`empty, . or .. segments never match a request path: "${source}"`);
      }
      const parts = segment.split('*').map((part) => escapeRegExp(decodeLiteral(part, source)));
      if (parts.length > 1) names.push('splat');
      regex += '/' + parts.join('(.*)');
      literal += '/' + decodeLiteral(segment, source);
    }
  }
  if (names.length === 0) return { source, names: NO_CAPTURES, literal: literal === '' ? '/' : literal, regex: null };
  // dotAll: a decoded path may hold any character, CR and LF included.
  return { source, names, literal: null, regex: new RegExp(regex + '/?$', 's') };
}

/** Decoded values captured by `pattern` from `key`, in the order of its names, or null. */
export function matchPattern(pattern: PathPattern, key: string): readonly string[] | null {
  const literal = pattern.literal;
  if (literal !== null) {
    if (key === literal) return NO_CAPTURES;
    return key.length === literal.length + 1 && key.endsWith('/') && key.startsWith(literal) && literal !== '/' ? NO_CAPTURES : null;
  }
  const match = pattern.regex!.exec(key);
  if (match === null) return null;
  const values: string[] = [];
  for (let i = 1; i < match.length; i++) values.push(match[i] ?? '');
  return values;
}

function decodeLiteral(text: string, source: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new Error(`invalid percent-encoding in "${source}"`);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
