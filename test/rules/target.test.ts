import { describe, expect, it } from 'vitest';
import { appendQuery, compileTarget, formatLocation, resolveTargetKey } from '../../src/rules/target.js';

describe('formatLocation', () => {
  // target, FROM names, captures, Location
  it.each<[string, string[], string[], string]>([
    ['/new', [], [], '/new'],
    ['/news/:splat', ['splat'], ['2024/a b'], '/news/2024/a%20b'],
    ['/blog-:year-:month.html', ['year', 'month'], ['2024', '05'], '/blog-2024-05.html'],
    ['/:b/:a', ['a', 'b'], ['one', 'two'], '/two/one'],
    ['https://example.com/:splat', ['splat'], ['x/ü?#'], 'https://example.com/x/%C3%BC%3F%23'],
    ['https://example.com:8443/p', [], [], 'https://example.com:8443/p'],
    ['https://en.wikipedia.org/wiki/Special:Search', ['splat'], ['x'], 'https://en.wikipedia.org/wiki/Special:Search'],
    ['/:splat', ['splat'], ['/evil.example/x'], '/evil.example/x'], // never //host
    ['/:splat', ['splat'], ['%0d%0aSet-Cookie: x'], '/%250d%250aSet-Cookie:%20x'],
    ['/:splat', ['splat'], ['a\r\nSet-Cookie: x'], '/a%0D%0ASet-Cookie:%20x'],
    ['/menü', [], [], '/men%C3%BC'],
    ['/caf%C3%A9', [], [], '/caf%C3%A9'], // already encoded: kept as written
    ['/search?q=:splat', ['splat'], ['a&b/c'], '/search?q=a%26b%2Fc'], // a value in the query cannot add parameters
    ['/s/:splat?q=:splat', ['splat'], ['a&b'], '/s/a&b?q=a%26b'],
  ])('%s with %j', (to, names, captures, location) => {
    const result = formatLocation(compileTarget(to, names), captures);
    expect(result).toBe(location);
    expect(result).not.toMatch(/[\r\n\s]/);
  });
});

describe('resolveTargetKey', () => {
  it.each<[string, string[], string[], string]>([
    ['/app/index.html', ['splat'], ['x'], '/app/index.html'],
    ['/posts/:splat', ['splat'], ['a b/c'], '/posts/a b/c'],
    ['/caf%C3%A9/404.html', [], [], '/café/404.html'],
    ['/:lang/404.html?x=1#y', ['lang'], ['en'], '/en/404.html'],
    ['/:splat', ['splat'], ['/x'], '/x'],
  ])('%s with %j → %s', (to, names, captures, key) => {
    expect(resolveTargetKey(compileTarget(to, names), captures)).toBe(key);
  });
});

describe('compileTarget refuses', () => {
  it.each([
    ['new', [], /must be a path/],
    ['ftp://x/y', [], /must be a path/],
    ['/a\\b', [], /control character or \\/],
    ['/a\x01b', [], /control character/],
    ['https://:sub.example.com/', ['sub'], /cannot be used in the host/],
    ['/caf%E9%', [], /invalid percent-encoding/],
  ])('%j', (to, names, reason) => {
    expect(() => compileTarget(to as string, names as string[])).toThrow(reason as RegExp);
  });
});

describe('appendQuery', () => {
  it.each([
    ['/new', '', '/new'],
    ['/new', 'a=1&b=2', '/new?a=1&b=2'],
    ['/new?x=1', 'a=1', '/new?x=1&a=1'],
    ['/new#part', 'a=1', '/new?a=1#part'],
    ['/new', 'a=\r\nSet-Cookie:%20x', '/new?a=%0D%0ASet-Cookie:%20x'],
    ['/new', 'q=ü#x', '/new?q=%C3%BC%23x'],
    ['/new', 'a b', '/new?a%20b'],
  ])('%s + %j → %s', (location, query, expected) => {
    expect(appendQuery(location, query)).toBe(expected);
  });
});
