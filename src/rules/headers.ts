/**
 * Which headers a resource gets from `_headers`, on top of what the command
 * line gives every response. Pure; run at build time, once per file.
 *
 * Every block whose pattern matches one of the resource's URLs applies, in
 * file order (as Cloudflare Pages does it): its `! Name` lines remove that
 * header as earlier blocks, `--header`, `--cors` or fastsrv's default
 * `X-Content-Type-Options: nosniff` set it; then its headers are added. A
 * name set by an earlier block is joined with `, ` (Set-Cookie gets a line
 * each); the first block to set a name replaces the command line's value.
 * Cache-Control replaces fastsrv's policy; removing it restores the policy.
 */
import type { HeaderBlock } from './headers-file.js';
import { matchPattern } from './pattern.js';

type Header = readonly [name: string, value: string];

/** What the command line gives every file response. */
export interface BaseHeaders {
  /** `--header "Cache-Control: …"`, or null for fastsrv's policy. */
  readonly cacheControl: string | null;
  /** `--cors` and `--header` headers, Cache-Control excluded. */
  readonly extra: readonly Header[];
}

export interface ResolvedHeaders {
  /** null: fastsrv's policy (no-cache for HTML, max-age for assets). */
  readonly cacheControl: string | null;
  /** Still send fastsrv's `X-Content-Type-Options: nosniff`. */
  readonly isNosniff: boolean;
  readonly extra: readonly Header[];
}

const NOSNIFF: Header = ['X-Content-Type-Options', 'nosniff'];

/** The headers of a resource served at `keys` (its file key and aliases). */
export function resolveHeaders(blocks: readonly HeaderBlock[], keys: readonly string[], base: BaseHeaders): ResolvedHeaders {
  let list: Header[] = [NOSNIFF, ...base.extra];
  let cacheControl = base.cacheControl;
  const setByRules = new Set<string>();
  for (const block of blocks) {
    if (!keys.some((key) => matchPattern(block.pattern, key) !== null)) continue;
    for (const name of block.remove) {
      list = list.filter(([n]) => n.toLowerCase() !== name);
      setByRules.delete(name);
      if (name === 'cache-control') cacheControl = null;
    }
    for (const [name, value] of block.set) {
      const lower = name.toLowerCase();
      const isAgain = setByRules.has(lower);
      setByRules.add(lower);
      if (lower === 'cache-control') {
        cacheControl = isAgain && cacheControl !== null ? cacheControl + ', ' + value : value;
      } else if (isAgain && lower !== 'set-cookie') {
        list = list.map((h) => (h[0].toLowerCase() === lower ? [h[0], h[1] + ', ' + value] : h));
      } else {
        if (!isAgain) list = list.filter(([n]) => n.toLowerCase() !== lower);
        list.push([name, value]);
      }
    }
  }
  return { cacheControl, isNosniff: list.includes(NOSNIFF), extra: list.filter((h) => h !== NOSNIFF) };
}

/** True when some block sets or removes a header (else every resource gets the base headers). */
export function hasHeaderRules(blocks: readonly HeaderBlock[]): boolean {
  return blocks.some((block) => block.remove.length > 0 || block.set.length > 0);
}
