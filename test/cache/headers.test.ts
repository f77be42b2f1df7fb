import { describe, expect, it } from 'vitest';
import { buildFileEntry, computeEtag } from '../../src/cache/entry.js';
import { decodeLatin1 } from '../../src/cache/bytes.js';
import { getCacheControl } from '../../src/cache/policy.js';
import { buildHeaderBlock, formatHttpDate } from '../../src/cache/headers.js';
import { getContentType } from '../../src/setup/mime.js';

describe('buildHeaderBlock', () => {
  it('status first, one line per header, no trailing CRLF', () => {
    const block = buildHeaderBlock('200 OK', [['A', '1'], ['B', 'two']]);
    expect(decodeLatin1(block)).toBe('200 OK\r\nA: 1\r\nB: two');
  });
  it.each(['a\r\nInjected: 1', 'a\nb', 'a\0b', 'caf\u20ac'])('refuses %j', (value) => {
    expect(() => buildHeaderBlock('200 OK', [['X', value]])).toThrow(/forbidden character/);
  });
});

describe('formatHttpDate', () => {
  it('IMF-fixdate', () => expect(formatHttpDate(784111777)).toBe('Sun, 06 Nov 1994 08:49:37 GMT'));
});

describe('getContentType', () => {
  it.each([
    ['/a.html', 'text/html; charset=utf-8'],
    ['/a.css', 'text/css; charset=utf-8'],
    ['/a.js', 'text/javascript; charset=utf-8'],
    ['/a.mjs', 'text/javascript; charset=utf-8'],
    ['/a.json', 'application/json; charset=utf-8'],
    ['/a.svg', 'image/svg+xml'],
    ['/a.wasm', 'application/wasm'],
    ['/a.PNG', 'image/png'],
    ['/a.woff2', 'font/woff2'],
    ['/a.mp4', 'video/mp4'],
    ['/README', 'application/octet-stream'],
    ['/dir.d/file', 'application/octet-stream'],
    ['/.bashrc', 'application/octet-stream'],
    ['/a.unknownext', 'application/octet-stream'],
  ])('%s → %s', (name, type) => expect(getContentType(name)).toBe(type));
});

describe('entries', () => {
  const policy = { maxAge: 60, immutable: false, cacheControl: null, extraHeaders: [['X-Extra', 'yes']] as const, isNosniff: true };
  const body = Buffer.from('body { }\n');
  const file = { key: '/a.css', contentType: 'text/css; charset=utf-8', mtimeMs: 784111777_500 };
  const entry = buildFileEntry(file, body, { gzip: null, br: null }, false, policy);

  it('content ETag: same bytes same tag, different bytes different tag', () => {
    expect(computeEtag(Buffer.from('x'))).toBe(computeEtag(Buffer.from('x')));
    expect(computeEtag(Buffer.from('x'))).not.toBe(computeEtag(Buffer.from('y')));
    expect(entry.identity.etag).toBe(computeEtag(body));
  });

  it('Last-Modified is the mtime truncated to seconds', () => {
    expect(entry.mtimeSec).toBe(784111777);
    expect(entry.lastModified).toBe('Sun, 06 Nov 1994 08:49:37 GMT');
  });

  it('200 block: all precomputed headers, no Content-Length', () => {
    expect(decodeLatin1(entry.identity.okBlock)).toBe(
      '200 OK\r\nContent-Type: text/css; charset=utf-8\r\n' +
        `ETag: ${entry.identity.etag}\r\nLast-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n` +
        'Cache-Control: public, max-age=60\r\nAccept-Ranges: bytes\r\nX-Content-Type-Options: nosniff\r\nX-Extra: yes',
    );
  });

  it('HEAD block adds Content-Length; 304 block has validators only', () => {
    expect(decodeLatin1(entry.identity.headBlock)).toMatch(/\r\nContent-Length: 9$/);
    expect(decodeLatin1(entry.identity.notModifiedBlock)).toBe(
      `304 Not Modified\r\nETag: ${entry.identity.etag}\r\nLast-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n` +
        'Cache-Control: public, max-age=60\r\nX-Extra: yes',
    );
  });

  it('HTML is always revalidated', () => {
    expect(getCacheControl('/a.html', 'text/html; charset=utf-8', policy)).toBe('no-cache');
    expect(getCacheControl('/a.png', 'image/png', policy)).toBe('public, max-age=60');
  });
});
