import { describe, expect, it } from 'vitest';
import { compileRoutes, resolveRouteKey } from '../../src/app/compile.js';
import { RouteError } from '../../src/app/result.js';
import { decodeLatin1 } from '../../src/cache/bytes.js';

const OPTIONS = {
  policy: { maxAge: 60, immutable: false, cacheControl: null, extraHeaders: [['X-Site', 'yes']] as const, isNosniff: true },
  compress: true,
  mtimeMs: Date.UTC(2026, 0, 2, 3, 4, 5),
  optionsHeaders: [],
};

describe('resolveRouteKey', () => {
  it.each([
    ['/', '/'],
    ['/api/time', '/api/time'],
    ['/dir/', '/dir/'],
    ['/a b', '/a b'],
    ['/a%20b', '/a b'],
    ['/caf%C3%A9', '/café'],
  ])('%s → %s', (given, key) => {
    expect(resolveRouteKey(given)).toBe(key);
  });

  it.each([
    ['api', /must start with "\/"/],
    ['', /must start with "\/"/],
    ['/a?b=1', /without "\?" or "#"/],
    ['/a#top', /without "\?" or "#"/],
    ['/a/../b', /"\." or "\.\." segments/],
    ['/a/./b', /"\." or "\.\." segments/],
    ['/a//b', /"\/\/"/],
    ['/..', /not a valid path/],
    ['/100%', /not a valid path/],
    ['/a%00b', /not a valid path/],
    ['/a\\b', /not a valid path/],
  ])('refuses %j', (given, message) => {
    expect(() => resolveRouteKey(given)).toThrow(RouteError);
    expect(() => resolveRouteKey(given)).toThrow(message);
  });
});

describe('compileRoutes', () => {
  it('fixed 200 bodies become entries with the site policy, an ETag and the given Last-Modified', () => {
    const app = compileRoutes({ '/': 'Hello, World!', '/data.json': { a: 1 } }, OPTIONS);
    const hello = app.entries.get('/')!;
    expect(hello.identity.body.toString()).toBe('Hello, World!');
    const head = decodeLatin1(hello.identity.okBlock);
    expect(head).toMatch(/^200 OK\r\nContent-Type: text\/plain; charset=utf-8\r\nETag: "[\w-]{16}"\r\n/);
    expect(head).toContain('\r\nLast-Modified: Fri, 02 Jan 2026 03:04:05 GMT');
    expect(head).toContain('\r\nCache-Control: public, max-age=60');
    expect(head).toContain('\r\nX-Site: yes');
    expect(decodeLatin1(app.entries.get('/data.json')!.identity.okBlock)).toContain('Content-Type: application/json; charset=utf-8');
    expect(app.responses.size).toBe(0);
    expect(app.functions.size).toBe(0);
  });

  it('a fixed 200 with headers: Cache-Control replaces the site\'s, the rest is added; computed headers are refused', () => {
    const app = compileRoutes({ '/x': { status: 200, headers: { 'Cache-Control': 'no-store', 'X-Route': '1' }, body: 'x' } }, OPTIONS);
    const head = decodeLatin1(app.entries.get('/x')!.identity.okBlock);
    expect(head).toContain('\r\nCache-Control: no-store');
    expect(head).not.toContain('max-age');
    expect(head).toContain('\r\nX-Site: yes\r\nX-Route: 1');
    expect(() => compileRoutes({ '/x': { status: 200, headers: { ETag: '"a"' }, body: 'x' } }, OPTIONS)).toThrow('route "/x": header ETag is computed for fixed routes');
  });

  it('only compressible bodies of 1 KiB and more are marked for compression', () => {
    const app = compileRoutes({ '/small': 'x', '/big.txt': 'x'.repeat(4096), '/bytes': Buffer.alloc(4096) }, OPTIONS);
    expect(app.entries.get('/small')!.isNegotiable).toBe(false);
    expect(app.entries.get('/big.txt')!.isNegotiable).toBe(true);
    expect(app.entries.get('/bytes')!.isNegotiable).toBe(false);
    expect(compileRoutes({ '/big.txt': 'x'.repeat(4096) }, { ...OPTIONS, compress: false }).entries.get('/big.txt')!.isNegotiable).toBe(false);
  });

  it('other statuses become fixed responses', () => {
    const app = compileRoutes({ '/health': { status: 204 }, '/gone': { status: 410, body: 'gone' } }, OPTIONS);
    expect(decodeLatin1(app.responses.get('/health')!.block)).toBe('204 No Content\r\nX-Content-Type-Options: nosniff\r\nX-Site: yes');
    expect(app.responses.get('/gone')!.status).toBe(410);
    expect(decodeLatin1(app.responses.get('/gone')!.headBlock)).toContain('Content-Length: 4');
  });

  it('functions and method objects become function routes with their Allow', () => {
    const get = () => 'x';
    const app = compileRoutes({ '/f': get, '/m': { POST: get, DELETE: get }, '/g': { GET: get, PUT: get } }, OPTIONS);
    expect([...app.functions.get('/f')!.handlers.keys()]).toEqual(['GET']);
    expect(decodeLatin1(app.functions.get('/f')!.methodNotAllowed.block)).toContain('Allow: GET, HEAD, OPTIONS');
    expect(decodeLatin1(app.functions.get('/m')!.methodNotAllowed.block)).toContain('Allow: POST, DELETE, OPTIONS');
    expect(decodeLatin1(app.functions.get('/g')!.options.block)).toContain('Allow: GET, HEAD, PUT, OPTIONS');
  });

  it.each([
    [{ '/m': { FETCH: () => 1 } }, 'route "/m": "FETCH" is not a method handlers can be given for'],
    [{ '/m': { GET: () => 1, POST: 'x' } }, 'route "/m": the POST handler is not a function'],
    [{ '/a b': 'x', '/a%20b': 'y' }, 'routes "/a b" and "/a%20b" are the same path'],
    [{ '/x': { status: 99 } }, 'route "/x": status 99 is not a final status code'],
    [{ '/x': 1n }, 'route "/x": cannot send a bigint'],
    [[], 'routes must be an object of paths'],
  ])('refuses %o', (routes, message) => {
    expect(() => compileRoutes(routes, OPTIONS)).toThrow(message);
  });

  it('the signature changes with a fixed body, a status or a method, not with the function', () => {
    const sign = (routes: Record<string, unknown>) => compileRoutes(routes, OPTIONS).signature;
    expect(sign({ '/': 'a' })).toBe(sign({ '/': 'a' }));
    expect(sign({ '/': 'a' })).not.toBe(sign({ '/': 'b' }));
    expect(sign({ '/': { status: 204 } })).not.toBe(sign({ '/': { status: 404 } }));
    expect(sign({ '/f': () => 1 })).toBe(sign({ '/f': () => 2 }));
    expect(sign({ '/f': { GET: () => 1 } })).not.toBe(sign({ '/f': { POST: () => 1 } }));
  });
});
