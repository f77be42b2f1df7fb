import { describe, expect, it } from 'vitest';
import { parseHeadersFile } from '../../src/rules/headers-file.js';
import { resolveHeaders, type BaseHeaders } from '../../src/rules/headers.js';
import { findRule } from '../../src/rules/route.js';
import { parseRedirectsFile } from '../../src/rules/redirects-file.js';

const NONE: BaseHeaders = { cacheControl: null, extra: [] };
const FILE = [
  '/*',
  '  X-Frame-Options: DENY',
  '  Link: </style.css>; rel=preload',
  '/blog/*',
  '  Link: </blog.css>; rel=preload',
  '  ! X-Frame-Options',
  '  Cache-Control: public, max-age=60',
  '/blog/:slug',
  '  X-Post: yes',
  '  Cache-Control: must-revalidate',
  '/raw/*',
  '  ! X-Content-Type-Options',
  '  ! Access-Control-Allow-Origin',
  '/cookies/*',
  '  Set-Cookie: a=1',
  '/cookies/x',
  '  Set-Cookie: b=2',
  '/plain/*',
  '  X-Content-Type-Options: nosniff',
  '  ! Cache-Control',
].join('\n');
const blocks = parseHeadersFile(FILE);

describe('resolveHeaders', () => {
  // keys, base, expected
  it.each<[string[], BaseHeaders, { cacheControl: string | null; isNosniff: boolean; extra: [string, string][] }]>([
    [['/index.html', '/'], NONE, { cacheControl: null, isNosniff: true, extra: [['X-Frame-Options', 'DENY'], ['Link', '</style.css>; rel=preload']] }],
    [['/blog/'], NONE, { cacheControl: 'public, max-age=60', isNosniff: true, extra: [['Link', '</style.css>; rel=preload, </blog.css>; rel=preload']] }],
    [['/blog/post'], NONE, {
      cacheControl: 'public, max-age=60, must-revalidate',
      isNosniff: true,
      extra: [['Link', '</style.css>; rel=preload, </blog.css>; rel=preload'], ['X-Post', 'yes']],
    }],
    [['/raw/a'], { cacheControl: null, extra: [['Access-Control-Allow-Origin', '*'], ['X-Custom', '1']] }, {
      cacheControl: null,
      isNosniff: false,
      extra: [['X-Custom', '1'], ['X-Frame-Options', 'DENY'], ['Link', '</style.css>; rel=preload']],
    }],
    [['/cookies/x'], NONE, {
      cacheControl: null,
      isNosniff: true,
      extra: [['X-Frame-Options', 'DENY'], ['Link', '</style.css>; rel=preload'], ['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2']],
    }],
    [['/plain/p'], { cacheControl: 'max-age=5', extra: [['X-Frame-Options', 'SAMEORIGIN']] }, {
      cacheControl: null,
      isNosniff: false,
      extra: [['X-Frame-Options', 'DENY'], ['Link', '</style.css>; rel=preload'], ['X-Content-Type-Options', 'nosniff']],
    }],
  ])('%j', (keys, base, expected) => {
    expect(resolveHeaders(blocks, keys, base)).toEqual(expected);
  });

  it('a rule matching any URL of a resource applies (alias / for /index.html)', () => {
    const only = parseHeadersFile('/\n  X-Home: 1');
    expect(resolveHeaders(only, ['/index.html'], NONE).extra).toEqual([]);
    expect(resolveHeaders(only, ['/index.html', '/'], NONE).extra).toEqual([['X-Home', '1']]);
  });

  it('without blocks, the base headers as they are', () => {
    const base: BaseHeaders = { cacheControl: 'no-store', extra: [['X-A', '1']] };
    expect(resolveHeaders([], ['/a'], base)).toEqual({ cacheControl: 'no-store', isNosniff: true, extra: [['X-A', '1']] });
  });
});

describe('findRule', () => {
  const rules = parseRedirectsFile([
    '/a/* /first/:splat 302',
    '/a/b /second',
    '/f/* /forced 301!',
    '/f/x /later 301!',
  ].join('\n'));

  it('the first match wins, top to bottom', () => {
    expect(findRule(rules, '/a/b')?.rule.line).toBe(1);
    expect(findRule(rules, '/a/b')?.captures).toEqual(['b']);
    expect(findRule(rules, '/b')).toBeNull();
  });

  it('for a path that has a file, only forced rules apply', () => {
    expect(findRule(rules, '/a/b', true)).toBeNull();
    expect(findRule(rules, '/f/x', true)?.rule.line).toBe(3);
  });
});
