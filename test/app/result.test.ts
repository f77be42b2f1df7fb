import { describe, expect, it } from 'vitest';
import { formatStatusLine, getTypeByName, isRouteResponse, RouteError, toResponseParts } from '../../src/app/result.js';

describe('isRouteResponse: a response object, or JSON data', () => {
  it.each([
    [{ status: 204 }, true],
    [{ status: 200, body: 'x' }, true],
    [{ status: 302, headers: { Location: '/' } }, true],
    [{ status: '200' }, false],
    [{ status: 200, extra: 1 }, false],
    [{ body: 'x' }, false],
    [{ a: 1 }, false],
    [[1, 2], false],
    [null, false],
    ['text', false],
    [Buffer.from('x'), false],
  ])('%j → %s', (value, expected) => {
    expect(isRouteResponse(value)).toBe(expected);
  });
});

describe('toResponseParts', () => {
  const text = (parts: ReturnType<typeof toResponseParts>) => parts.body?.toString() ?? null;

  it.each([
    ['a string at /', 'Hello', '/', 200, 'text/plain; charset=utf-8', 'Hello'],
    ['a string at a name with an extension', '<p>', '/page.html', 200, 'text/html; charset=utf-8', '<p>'],
    ['bytes', Buffer.from([1, 2]), '/blob', 200, 'application/octet-stream', '\u0001\u0002'],
    ['an ArrayBuffer', new Uint8Array([65, 66]).buffer, '/ab', 200, 'application/octet-stream', 'AB'],
    ['a Uint8Array view', new Uint8Array([0, 67, 68, 0]).subarray(1, 3), '/v', 200, 'application/octet-stream', 'CD'],
    ['an object', { a: 1 }, '/api', 200, 'application/json; charset=utf-8', '{"a":1}'],
    ['an array', [1, 'two'], '/api', 200, 'application/json; charset=utf-8', '[1,"two"]'],
    ['a number', 42, '/n', 200, 'application/json; charset=utf-8', '42'],
    ['null', null, '/n', 200, 'application/json; charset=utf-8', 'null'],
    ['false', false, '/n', 200, 'application/json; charset=utf-8', 'false'],
    ['undefined', undefined, '/n', 204, null, null],
    ['{ status: 204 }', { status: 204 }, '/h', 204, null, null],
    ['{ status: 304 }', { status: 304 }, '/h', 304, null, null],
    ['{ status: 404 } without body', { status: 404 }, '/h', 404, null, ''],
    ['a response with a JSON body', { status: 201, body: { id: 7 } }, '/h', 201, 'application/json; charset=utf-8', '{"id":7}'],
    ['JSON that looks like a response, in body', { status: 200, body: { status: 200 } }, '/h', 200, 'application/json; charset=utf-8', '{"status":200}'],
  ])('%s', (_, value, key, status, contentType, body) => {
    const parts = toResponseParts(value, getTypeByName(key));
    expect(parts.status).toBe(status);
    expect(parts.contentType).toBe(contentType);
    expect(text(parts)).toBe(body);
  });

  it('a Content-Type header replaces the chosen type and is not repeated among the headers', () => {
    const parts = toResponseParts({ status: 200, headers: { 'content-type': 'text/csv', 'X-A': 'b' }, body: 'a,b' }, null);
    expect(parts.contentType).toBe('text/csv');
    expect(parts.headers).toEqual([['X-A', 'b']]);
  });

  it.each([
    ['status 199', { status: 199 }, /not a final status code/],
    ['status 600', { status: 600 }, /not a final status code/],
    ['status 200.5', { status: 200.5 }, /not a final status code/],
    ['a body on 204', { status: 204, body: 'x' }, /a 204 response has no body/],
    ['a bad header name', { status: 200, headers: { 'a b': 'x' } }, /invalid header name/],
    ['a header value with CR LF', { status: 200, headers: { 'X-A': 'a\r\nSet-Cookie: x' } }, /must be a one-line string/],
    ['a non-string header value', { status: 200, headers: { 'X-A': 1 } }, /must be a one-line string/],
    ['Content-Length', { status: 200, headers: { 'Content-Length': '5' } }, /set by the server/],
    ['Transfer-Encoding', { status: 200, headers: { 'transfer-encoding': 'chunked' } }, /set by the server/],
    ['headers as an array', { status: 200, headers: [['a', 'b']] }, /headers must be an object/],
    ['a function body', () => 1, /cannot send a function/],
    ['a bigint', 1n, /cannot send a bigint/],
    ['a symbol', Symbol('x'), /cannot send a symbol/],
  ])('refuses %s', (_, value, message) => {
    expect(() => toResponseParts(value, null)).toThrow(RouteError);
    expect(() => toResponseParts(value, null)).toThrow(message);
  });

  it('refuses JSON it cannot encode (a cycle)', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => toResponseParts(cycle, null)).toThrow(/cannot encode the body as JSON/);
  });
});

describe('formatStatusLine', () => {
  it.each([
    [200, '200 OK'],
    [204, '204 No Content'],
    [418, "418 I'm a Teapot"],
    [599, '599 Unknown'],
  ])('%d → %s', (status, line) => {
    expect(formatStatusLine(status)).toBe(line);
  });
});
