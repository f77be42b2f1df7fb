import { describe, expect, it } from 'vitest';
import { encodePath, hasDotSegment, isPlainPath, resolveRequestPath } from '../../src/http/path.js';

describe('resolveRequestPath', () => {
  const table: Array<[string, string | null]> = [
    ['/', '/'],
    ['/index.html', '/index.html'],
    ['/dir/', '/dir/'],
    ['/dir', '/dir'],
    ['/a/b/c.txt', '/a/b/c.txt'],
    ['/my%20file.txt', '/my file.txt'],
    ['/caf%C3%A9.html', '/café.html'],
    ['/%E2%82%AC', '/€'],
    ['/a%2Fb', '/a/b'], // an encoded slash is just a slash: the key is looked up, never opened
    ['/%2e%2e/etc/passwd', null],
    ['/../etc/passwd', null],
    ['/a/../../etc/passwd', null],
    ['/a/../b', '/b'],
    ['/a/./b', '/a/b'],
    ['/a/b/..', '/a/'],
    ['/a/b/.', '/a/b/'],
    ['/a//b', '/a/b'],
    ['//a', '/a'],
    ['/a%2F..%2F..%2Fetc', null],
    ['/..%2fetc', null],
    ['/%2e%2e%5c%2e%2e%5cetc', null],
    ['/a\\b', null],
    ['/a%5cb', null],
    ['/a%00b', null],
    ['/a%', null],
    ['/a%zz', null],
    ['/a%C3', null], // truncated UTF-8
    ['/%FF', null], // invalid UTF-8
    ['/%252e%252e/x', '/%2e%2e/x'], // decoded once only
    ['', null],
    ['a', null],
    ['/.hidden', '/.hidden'],
    ['/a/.git/config', '/a/.git/config'],
  ];
  it.each(table)('%j → %j', (raw, expected) => {
    expect(resolveRequestPath(raw)).toBe(expected);
  });
});

describe('isPlainPath', () => {
  it.each([
    ['/', true],
    ['/a/b.html', true],
    ['/a.b/c', true],
    ['/a%20', false],
    ['/a//b', false],
    ['/.x', false],
    ['/a/..', false],
    ['/a\\b', false],
  ])('%j → %j', (raw, expected) => {
    expect(isPlainPath(raw)).toBe(expected);
  });
});

describe('hasDotSegment', () => {
  it.each([
    ['/.env', true],
    ['/a/.git/config', true],
    ['/a/b.c', false],
    ['/a./b', false],
    ['/', false],
  ])('%j → %j', (key, expected) => {
    expect(hasDotSegment(key)).toBe(expected);
  });
});

describe('encodePath', () => {
  it.each([
    ['/a b.txt', '/a%20b.txt'],
    ['/café/', '/caf%C3%A9/'],
    ['/100%.txt', '/100%25.txt'],
    ['/what?.txt', '/what%3F.txt'],
    ['/c#.txt', '/c%23.txt'],
  ])('%j → %j', (key, expected) => {
    expect(encodePath(key)).toBe(expected);
    expect(resolveRequestPath(expected)).toBe(key);
  });
});
