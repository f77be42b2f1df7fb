/**
 * The TO side of a `_redirects` rule: a path or an absolute http(s) URL
 * with `:placeholder` / `:splat` references, compiled once. Pure.
 *
 * Safety: captured values come from the request path; they are inserted
 * percent-encoded, only where the rule puts a reference, never into an
 * absolute URL's host; a path Location never starts with `//` (which a
 * browser would read as another host), and no Location carries a control
 * character (CR/LF), the request's query included.
 */
import { encodePath } from '../http/path.js';
import { hasControlCharacter } from './syntax.js';

export interface Target {
  readonly source: string;
  readonly isAbsolute: boolean;
  /** Location text: literal strings (as written, non-ASCII encoded) and references. */
  readonly parts: ReadonlyArray<string | Reference>;
  /** Decoded cache key of a path target (query and fragment dropped): strings and capture indexes. */
  readonly keyParts: ReadonlyArray<string | number>;
}

/** A capture inserted into a Location: path-encoded, or component-encoded after the `?`. */
interface Reference {
  readonly index: number;
  readonly isQuery: boolean;
}

const REFERENCE = /:([A-Za-z_][A-Za-z0-9_]*)/g;

/** Compile `source`; `names` are the FROM pattern's captures. Throws an Error with the reason. */
export function compileTarget(source: string, names: readonly string[]): Target {
  const isAbsolute = /^https?:\/\/[^/?#]/i.test(source);
  if (!isAbsolute && !source.startsWith('/')) throw new Error(`the target must be a path (/…) or an http(s):// URL: "${source}"`);
  if (hasControlCharacter(source) || source.includes('\\')) throw new Error(`the target contains a control character or \\: "${source}"`);
  // References may not build a host: only after the authority of an absolute URL.
  const pathStart = isAbsolute ? findPathStart(source) : 0;
  const queryStart = source.indexOf('?');
  const parts = splitReferences(source, names, pathStart).map((p): string | Reference =>
    typeof p === 'string' ? encodeLiteral(p) : { index: p.index, isQuery: queryStart !== -1 && p.at > queryStart },
  );
  const pathEnd = source.search(/[?#]/);
  const keyParts = isAbsolute ? [] : splitReferences(pathEnd === -1 ? source : source.slice(0, pathEnd), names, 0).map((p) =>
    typeof p === 'string' ? decodeLiteral(p, source) : p.index,
  );
  return { source, isAbsolute, parts, keyParts };
}

/** The Location for `captures` (decoded values, in FROM's order). */
export function formatLocation(target: Target, captures: readonly string[]): string {
  let text = '';
  for (const part of target.parts) {
    if (typeof part === 'string') text += part;
    else text += part.isQuery ? encodeURIComponent(captures[part.index]) : encodePath(captures[part.index]);
  }
  return target.isAbsolute ? text : text.replace(/^\/{2,}/, '/');
}

/** The decoded cache key a rewrite or 404 rule serves for `captures`. */
export function resolveTargetKey(target: Target, captures: readonly string[]): string {
  let key = '';
  for (const part of target.keyParts) key += typeof part === 'string' ? part : captures[part];
  return key.replace(/^\/{2,}/, '/');
}

/**
 * Add the request's query to a Location (before any fragment), joined with
 * `&` when the target has a query of its own. Characters outside visible
 * ASCII, and `#`, are percent-encoded (as UTF-8 bytes).
 */
export function appendQuery(location: string, query: string): string {
  if (query === '') return location;
  const safe = isSafeQuery(query) ? query : encodeQuery(query);
  const hash = location.indexOf('#');
  const base = hash === -1 ? location : location.slice(0, hash);
  const fragment = hash === -1 ? '' : location.slice(hash);
  return base + (base.includes('?') ? '&' : '?') + safe + fragment;
}

function isSafeQuery(query: string): boolean {
  for (let i = 0; i < query.length; i++) {
    const c = query.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x23) return false;
  }
  return true;
}

function encodeQuery(query: string): string {
  let out = '';
  for (const byte of Buffer.from(query, 'utf8')) {
    out += byte < 0x21 || byte > 0x7e || byte === 0x23 ? '%' + byte.toString(16).toUpperCase().padStart(2, '0') : String.fromCharCode(byte);
  }
  return out;
}

function findPathStart(url: string): number {
  const slash = url.indexOf('/', url.indexOf('//') + 2);
  const end = slash === -1 ? url.length : slash;
  const query = url.slice(0, end).search(/[?#]/);
  return query === -1 ? end : query;
}

/** Literal text and capture indexes; references before `from` stay literal text, or are refused when known. */
function splitReferences(text: string, names: readonly string[], from: number): Array<string | { index: number; at: number }> {
  const parts: Array<string | { index: number; at: number }> = [];
  let last = 0;
  for (const match of text.matchAll(REFERENCE)) {
    const index = names.indexOf(match[1]);
    if (index === -1) continue; // `:8080`, `Special:Search`: literal text
    if (match.index! < from) throw new Error(`:${match[1]} cannot be used in the host of "${text}"`);
    if (match.index! > last) parts.push(text.slice(last, match.index));
    parts.push({ index, at: match.index! });
    last = match.index! + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

function encodeLiteral(text: string): string {
  return text.replace(/[^\x21-\x7e]+/gu, (run) => encodeURI(run));
}

function decodeLiteral(text: string, source: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new Error(`invalid percent-encoding in "${source}"`);
  }
}
