import { describe, expect, it } from 'vitest';
import { escapeHtml, formatListingPage, groupDirectories, type ListingItem } from '../../src/cache/listing.js';

const T = Date.UTC(2024, 0, 2, 3, 4, 5);
const file = (name: string, size = 1): ListingItem => ({ name, isDirectory: false, size, mtimeMs: T });
const dir = (name: string): ListingItem => ({ name, isDirectory: true, size: 0, mtimeMs: T });

/** The rows of a page as [href, text, size]. */
function readRows(html: string): [string, string, string][] {
  return [...html.matchAll(/<tr><td><a href="([^"]*)">([^<]*)<\/a><\/td><td[^>]*>([^<]*)<\/td>/g)].map((m) => [m[1], m[2], m[3]]);
}

describe('formatListingPage', () => {
  it('directories first, then files, each by name; a parent link; sizes; dates in UTC', () => {
    const html = formatListingPage('/docs/', [file('b.txt', 20), dir('zeta'), file('A.txt', 3), dir('alpha')]);
    expect(readRows(html)).toEqual([
      ['../', '../', ''],
      ['alpha/', 'alpha/', '-'],
      ['zeta/', 'zeta/', '-'],
      ['A.txt', 'A.txt', '3'],
      ['b.txt', 'b.txt', '20'],
    ]);
    expect(html).toContain('<td>2024-01-02 03:04</td>');
    expect(html).toContain('<title>Index of /docs/</title>');
  });

  it('no parent link at the root; an empty directory has no rows but the table', () => {
    expect(readRows(formatListingPage('/', [file('a')]))).toEqual([['a', 'a', '1']]);
    expect(formatListingPage('/', [])).toContain('<tbody>\n\n</tbody>');
  });

  // name, href, text
  it.each([
    ['<script>alert(1)</script>.txt', '%3Cscript%3Ealert(1)%3C%2Fscript%3E.txt', '&lt;script&gt;alert(1)&lt;/script&gt;.txt'],
    ['a&b', 'a%26b', 'a&amp;b'],
    ['my file.txt', 'my%20file.txt', 'my file.txt'],
    ['über.txt', '%C3%BCber.txt', 'über.txt'],
    ['"quote\'s".txt', '%22quote\'s%22.txt', '&quot;quote&#39;s&quot;.txt'],
    ['100%.txt', '100%25.txt', '100%.txt'],
    ['a?b#c', 'a%3Fb%23c', 'a?b#c'],
    ['javascript:alert(1)', 'javascript%3Aalert(1)', 'javascript:alert(1)'],
  ])('%j is escaped in the text and encoded in the link', (name, href, text) => {
    const html = formatListingPage('/', [file(name)]);
    expect(readRows(html)).toEqual([[href, text, '1']]);
    expect(html).not.toContain('<script>');
  });

  it('escapes the directory name in the title', () => {
    expect(formatListingPage('/<b>/', [])).toContain('<title>Index of /&lt;b&gt;/</title>');
  });
});

describe('escapeHtml', () => {
  it('replaces the five characters and nothing else', () => {
    expect(escapeHtml(`<a href="x">'&'</a> ü`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt; ü');
  });
});

describe('groupDirectories', () => {
  it('puts each file and subdirectory under its parent', () => {
    const groups = groupDirectories(
      ['/', '/a/', '/a/b/', '/c/'],
      new Map([['/', 1], ['/a/', 2], ['/a/b/', 3], ['/c/', 4]]),
      new Map([['/x.txt', { size: 5, mtimeMs: 9 }], ['/a/b/y.txt', { size: 6, mtimeMs: 8 }]]),
    );
    const byKey = new Map(groups.map((g) => [g.key, g.items.map((i) => `${i.name}${i.isDirectory ? '/' : ''}`)]));
    expect(Object.fromEntries(byKey)).toEqual({ '/': ['a/', 'c/', 'x.txt'], '/a/': ['b/'], '/a/b/': ['y.txt'], '/c/': [] });
    expect(groups.find((g) => g.key === '/a/b/')?.mtimeMs).toBe(3);
  });
});
