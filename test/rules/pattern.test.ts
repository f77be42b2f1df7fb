import { describe, expect, it } from 'vitest';
import { compilePattern, matchPattern } from '../../src/rules/pattern.js';

describe('matchPattern', () => {
  // pattern, key, captures (null = no match)
  it.each<[string, string, string[] | null]>([
    ['/', '/', []],
    ['/', '/index.html', null],
    ['/about', '/about', []],
    ['/about', '/about/', []],
    ['/about/', '/about', []],
    ['/about', '/about/x', null],
    ['/about', '/About', null], // case-sensitive
    ['/about', '/aboutx', null],
    ['/*', '/', ['']],
    ['/*', '/a/b/c.txt', ['a/b/c.txt']],
    ['/app/*', '/app', ['']],
    ['/app/*', '/app/', ['']],
    ['/app/*', '/app/users/42', ['users/42']],
    ['/app/*', '/application', null],
    ['/*.css', '/a/b.css', ['a/b']],
    ['/*.css', '/a/b.css.map', null],
    ['/img/*.png', '/img/x/y.png', ['x/y']],
    ['/blog/:year/:slug', '/blog/2024/hello', ['2024', 'hello']],
    ['/blog/:year/:slug', '/blog/2024/hello/', ['2024', 'hello']],
    ['/blog/:year/:slug', '/blog/2024', null],
    ['/blog/:year/:slug', '/blog/2024/a/b', null],
    ['/:lang/docs/*', '/en/docs/a/b', ['en', 'a/b']],
    ['/:lang/docs/*', '/docs/a', null],
    ['/caf%C3%A9/*', '/café/menü.html', ['menü.html']],
    ['/café/:name', '/café/x y', ['x y']],
    ['/100%25.txt', '/100%.txt', []],
    ['/a.b', '/aXb', null], // dots are literal
    ['/a+b/(x)', '/a+b/(x)', []],
    ['/a:b', '/a:b', []], // a colon inside a segment is literal
  ])('%s ~ %s → %j', (pattern, key, captures) => {
    expect(matchPattern(compilePattern(pattern), key)).toEqual(captures);
  });

  it('names captures in order, * as splat', () => {
    expect(compilePattern('/:lang/*').names).toEqual(['lang', 'splat']);
    expect(compilePattern('/static/x.css').names).toEqual([]);
  });
});

describe('compilePattern refuses', () => {
  it.each([
    ['about', /must start with \//],
    ['https://example.com/*', /host-specific rules/],
    ['/a/*/b/*', /only one \*/],
    ['/a?x=1', /cannot contain \?/],
    ['/a#top', /cannot contain \?, #/],
    ['/a\\b', /cannot contain/],
    ['/a//b', /empty, \. or \.\. segments/],
    ['/a/../b', /segments never match/],
    ['/%E0%A4%A', /invalid percent-encoding/],
    ['/:id/:id', /:id is used twice/],
    ['/:splat', /reserved for \*/],
  ])('%s', (pattern, reason) => {
    expect(() => compilePattern(pattern)).toThrow(reason);
  });
});

describe('decoded paths with any character', () => {
  it('a splat and a placeholder capture CR and LF (the Location encodes them)', () => {
    expect(matchPattern(compilePattern('/old/*'), '/old/a\r\nb')).toEqual(['a\r\nb']);
    expect(matchPattern(compilePattern('/old/:x'), '/old/a\nb')).toEqual(['a\nb']);
  });
});
