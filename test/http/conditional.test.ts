import { describe, expect, it } from 'vitest';
import {
  checkIfMatch,
  checkIfModifiedSince,
  checkIfNoneMatch,
  checkIfRange,
  checkIfUnmodifiedSince,
  COND_FALSE,
  COND_NONE,
  COND_TRUE,
  evaluatePreconditions,
  matchesEtagList,
  parseHttpDate,
  PRECONDITION_FAILED,
  PRECONDITION_NOT_MODIFIED,
  PRECONDITION_PASS,
} from '../../src/http/conditional.js';

const ETAG = '"abc123"';
const LAST_MODIFIED = 'Sun, 06 Nov 1994 08:49:37 GMT';
const MTIME = 784111777;

describe('matchesEtagList', () => {
  it.each([
    ['"abc123"', true, true],
    ['"abc123"', false, true],
    ['W/"abc123"', true, true],
    ['W/"abc123"', false, false],
    ['"x", "abc123"', true, true],
    ['"x","abc123"', true, true],
    ['"x" ,\t"abc123" ', true, true],
    ['"x", W/"abc123"', false, false],
    ['*', true, true],
    ['*', false, true],
    ['"abc12"', true, false],
    ['"abc1234"', true, false],
    ['abc123', true, false],
    ['"abc123', true, false],
    ['junk, "abc123"', true, true],
    ['"a,b", "abc123"', true, true],
    ['""', true, false],
    [',,,', true, false],
  ])('%j weak=%j → %j', (header, isWeak, expected) => {
    expect(matchesEtagList(header, ETAG, isWeak)).toBe(expected);
  });
});

describe('checkIfMatch / checkIfNoneMatch', () => {
  it('absent headers are COND_NONE', () => {
    expect(checkIfMatch('', ETAG)).toBe(COND_NONE);
    expect(checkIfNoneMatch('', ETAG)).toBe(COND_NONE);
  });
  it('If-Match uses strong comparison', () => {
    expect(checkIfMatch(ETAG, ETAG)).toBe(COND_TRUE);
    expect(checkIfMatch('W/' + ETAG, ETAG)).toBe(COND_FALSE);
    expect(checkIfMatch('"other"', ETAG)).toBe(COND_FALSE);
    expect(checkIfMatch('*', ETAG)).toBe(COND_TRUE);
  });
  it('If-None-Match uses weak comparison; TRUE means no match', () => {
    expect(checkIfNoneMatch(ETAG, ETAG)).toBe(COND_FALSE);
    expect(checkIfNoneMatch('W/' + ETAG, ETAG)).toBe(COND_FALSE);
    expect(checkIfNoneMatch('"other"', ETAG)).toBe(COND_TRUE);
    expect(checkIfNoneMatch('*', ETAG)).toBe(COND_FALSE);
  });
});

describe('parseHttpDate', () => {
  it.each([
    ['Sun, 06 Nov 1994 08:49:37 GMT', MTIME],
    ['Sunday, 06-Nov-94 08:49:37 GMT', MTIME],
    ['Sun Nov  6 08:49:37 1994', MTIME],
    ['0', NaN],
    ['2024', NaN],
    ['', NaN],
    ['yesterday', NaN],
    ['Sun, 06 Nov 1994 08:49:37 CET', NaN],
    ['Xyz, 99 Nov 1994 08:49:37 GMT', NaN],
  ])('%j → %j', (value, expected) => {
    expect(parseHttpDate(value)).toBe(expected);
  });
});

describe('date conditions', () => {
  it('If-Modified-Since', () => {
    expect(checkIfModifiedSince('', LAST_MODIFIED, MTIME)).toBe(COND_NONE);
    expect(checkIfModifiedSince(LAST_MODIFIED, LAST_MODIFIED, MTIME)).toBe(COND_FALSE);
    expect(checkIfModifiedSince('Sun, 06 Nov 1994 08:49:36 GMT', LAST_MODIFIED, MTIME)).toBe(COND_TRUE);
    expect(checkIfModifiedSince('Sun, 06 Nov 1994 08:49:38 GMT', LAST_MODIFIED, MTIME)).toBe(COND_FALSE);
    expect(checkIfModifiedSince('garbage', LAST_MODIFIED, MTIME)).toBe(COND_NONE);
  });
  it('If-Unmodified-Since', () => {
    expect(checkIfUnmodifiedSince('', LAST_MODIFIED, MTIME)).toBe(COND_NONE);
    expect(checkIfUnmodifiedSince(LAST_MODIFIED, LAST_MODIFIED, MTIME)).toBe(COND_TRUE);
    expect(checkIfUnmodifiedSince('Sun, 06 Nov 1994 08:49:36 GMT', LAST_MODIFIED, MTIME)).toBe(COND_FALSE);
    expect(checkIfUnmodifiedSince('Mon, 07 Nov 1994 08:49:37 GMT', LAST_MODIFIED, MTIME)).toBe(COND_TRUE);
    expect(checkIfUnmodifiedSince('garbage', LAST_MODIFIED, MTIME)).toBe(COND_NONE);
  });
  it('If-Range', () => {
    expect(checkIfRange('', ETAG, LAST_MODIFIED, MTIME)).toBe(COND_NONE);
    expect(checkIfRange(ETAG, ETAG, LAST_MODIFIED, MTIME)).toBe(COND_TRUE);
    expect(checkIfRange('"stale"', ETAG, LAST_MODIFIED, MTIME)).toBe(COND_FALSE);
    expect(checkIfRange('W/' + ETAG, ETAG, LAST_MODIFIED, MTIME)).toBe(COND_FALSE);
    expect(checkIfRange(LAST_MODIFIED, ETAG, LAST_MODIFIED, MTIME)).toBe(COND_TRUE);
    expect(checkIfRange('Sun Nov  6 08:49:37 1994', ETAG, LAST_MODIFIED, MTIME)).toBe(COND_TRUE);
    expect(checkIfRange('Mon, 07 Nov 1994 08:49:37 GMT', ETAG, LAST_MODIFIED, MTIME)).toBe(COND_FALSE);
    expect(checkIfRange('nonsense', ETAG, LAST_MODIFIED, MTIME)).toBe(COND_FALSE);
  });
});

describe('evaluatePreconditions (RFC 9110 §13.2.2 order)', () => {
  const OLD = 'Sat, 05 Nov 1994 08:49:37 GMT';
  const table: Array<[string, [string, string, string, string], number]> = [
    ['no conditions', ['', '', '', ''], PRECONDITION_PASS],
    ['If-None-Match matches', ['', '', ETAG, ''], PRECONDITION_NOT_MODIFIED],
    ['If-None-Match differs', ['', '', '"x"', ''], PRECONDITION_PASS],
    ['If-Modified-Since = Last-Modified', ['', '', '', LAST_MODIFIED], PRECONDITION_NOT_MODIFIED],
    ['If-Modified-Since older', ['', '', '', OLD], PRECONDITION_PASS],
    ['If-None-Match wins over If-Modified-Since', ['', '', '"x"', LAST_MODIFIED], PRECONDITION_PASS],
    ['If-Match fails → 412', [`"x"`, '', '', ''], PRECONDITION_FAILED],
    ['If-Match passes', [ETAG, '', '', ''], PRECONDITION_PASS],
    ['If-Match fails before If-None-Match', ['"x"', '', ETAG, ''], PRECONDITION_FAILED],
    ['If-Unmodified-Since older → 412', ['', OLD, '', ''], PRECONDITION_FAILED],
    ['If-Unmodified-Since ignored when If-Match present', [ETAG, OLD, '', ''], PRECONDITION_PASS],
    ['If-Match passes then If-None-Match 304', [ETAG, '', ETAG, ''], PRECONDITION_NOT_MODIFIED],
  ];
  it.each(table)('%s', (_name, [ifMatch, ifUnmodified, ifNoneMatch, ifModified], expected) => {
    expect(evaluatePreconditions(ifMatch, ifUnmodified, ifNoneMatch, ifModified, ETAG, LAST_MODIFIED, MTIME)).toBe(expected);
  });
});
