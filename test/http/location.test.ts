import { describe, expect, it } from 'vitest';
import { buildHttpsLocation, parseHostname } from '../../src/http/location.js';

type Row = [host: string, path: string, query: string, httpsPort: number, want: string | null];

const rows: Row[] = [
  // host, port
  ['example.com', '/', '', 443, 'https://example.com/'],
  ['example.com:80', '/', '', 443, 'https://example.com/'],
  ['example.com:8080', '/', '', 8443, 'https://example.com:8443/'],
  ['Example.COM', '/', '', 443, 'https://Example.COM/'],
  ['example.com:', '/', '', 443, 'https://example.com/'],
  ['127.0.0.1:8080', '/a', '', 8443, 'https://127.0.0.1:8443/a'],
  ['[::1]:8080', '/a', '', 8443, 'https://[::1]:8443/a'],
  ['[2001:db8::1]', '/', '', 443, 'https://[2001:db8::1]/'],
  ['localhost', '/', '', 0, 'https://localhost:0/'],
  ['a_b.internal', '/', '', 443, 'https://a_b.internal/'],
  [' example.com ', '/', '', 443, 'https://example.com/'],
  // path and query kept as sent
  ['h', '/dir/a%20b.txt', 'x=1&y=%2F', 443, 'https://h/dir/a%20b.txt?x=1&y=%2F'],
  ['h', '/a/../b', '', 443, 'https://h/a/../b'],
  ['h', '//double', '', 443, 'https://h//double'],
  ['h', '/p', 'q=a?b', 443, 'https://h/p?q=a?b'],
  // bytes outside visible ASCII are encoded: nothing can break the header
  ['h', '/caf\u00e9', '', 443, 'https://h/caf%C3%A9'],
  ['h', '/a b', 'c d', 443, 'https://h/a%20b?c%20d'],
  ['h', '/x\r\nSet-Cookie: a=b', '', 443, 'https://h/x%0D%0ASet-Cookie:%20a=b'],
  ['h', '/\u{1F600}', '', 443, 'https://h/%F0%9F%98%80'],
  ['h', '/\ud800', '', 443, 'https://h/%EF%BF%BD'],
  ['h', '/tab\there', '\u0000', 443, 'https://h/tab%09here?%00'],
  // Hosts that are not a host: 400
  ['', '/', '', 443, null],
  [':8080', '/', '', 443, null],
  ['bad host', '/', '', 443, null],
  ['a/b', '/', '', 443, null],
  ['user@example.com', '/', '', 443, null],
  ['example.com:port', '/', '', 443, null],
  ['example.com:123456', '/', '', 443, null],
  ['example.com:80:80', '/', '', 443, null],
  ['[::1', '/', '', 443, null],
  ['[::1]x', '/', '', 443, null],
  ['[zz::1]', '/', '', 443, null],
  ['-example.com', '/', '', 443, null],
  ['example.com.', '/', '', 443, null],
  ['a\r\nb', '/', '', 443, null],
  ['ex%41mple.com', '/', '', 443, null],
  ['x'.repeat(256), '/', '', 443, null],
  // a request-target that is not origin-form
  ['h', '*', '', 443, null],
  ['h', '', '', 443, null],
];

describe('buildHttpsLocation', () => {
  it.each(rows)('Host %j, path %j, query %j, port %i → %j', (host, path, query, port, want) => {
    expect(buildHttpsLocation(host, path, query, port)).toBe(want);
  });
});

describe('parseHostname', () => {
  it('drops the port and keeps the name as sent', () => {
    expect(parseHostname('Example.com:8080')).toBe('Example.com');
    expect(parseHostname('[::ffff:127.0.0.1]:1')).toBe('[::ffff:127.0.0.1]');
    expect(parseHostname('x')).toBe('x');
  });
});
