/** _headers, _redirects and listings as the table builder compiles them. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeLatin1 } from '../../src/cache/bytes.js';
import { checkSiteRules } from '../../src/cache/site-rules.js';
import { buildCacheTable, type BuildOptions } from '../../src/cache/table.js';
import { RuleError } from '../../src/rules/syntax.js';
import { makeTree, type Tree } from '../helpers/fixtures.js';

const OPTIONS: BuildOptions = {
  includeDotfiles: false,
  cleanUrls: false,
  compress: false,
  cacheSize: 1 << 30,
  maxFileSize: 1 << 30,
  optionsHeaders: [],
  listing: false,
  policy: { maxAge: 0, immutable: false, cacheControl: null, extraHeaders: [['X-Cli', '1']], isNosniff: true },
};

let tree: Tree | null = null;
afterEach(() => {
  tree?.remove();
  tree = null;
});

function build(files: Record<string, string>, options: Partial<BuildOptions> = {}) {
  tree = makeTree(files);
  return buildCacheTable(tree.root, { ...OPTIONS, ...options });
}

const head = (block: ArrayBuffer): string => decodeLatin1(block);

describe('_headers in the header blocks', () => {
  const files = {
    'index.html': 'home',
    'assets/app.js': 'js',
    'docs/index.html': 'docs',
    '404.html': 'missing',
    _headers: ['/*', '  X-Frame-Options: DENY', '/assets/*', '  Cache-Control: public, max-age=31536000, immutable', '  ! X-Cli', '/docs/', '  X-Docs: 1', '/404.html', '  X-Page: not-found', '  Cache-Control: max-age=99'].join('\n'),
  };

  it('200, HEAD and 304 blocks carry the merged headers; Cache-Control replaces the policy', () => {
    const table = build(files);
    const js = table.files.get('/assets/app.js')!.identity;
    expect(head(js.okBlock)).toContain('\r\nCache-Control: public, max-age=31536000, immutable\r\n');
    expect(head(js.okBlock)).toContain('\r\nX-Frame-Options: DENY');
    expect(head(js.okBlock)).not.toContain('X-Cli');
    expect(head(js.headBlock)).toContain('\r\nX-Frame-Options: DENY');
    expect(head(js.notModifiedBlock)).toMatch(/^304 Not Modified\r\n.*Cache-Control: public, max-age=31536000, immutable.*X-Frame-Options: DENY/s);
    const home = table.files.get('/index.html')!.identity;
    expect(head(home.okBlock)).toContain('\r\nCache-Control: no-cache\r\n');
    expect(head(home.okBlock)).toContain('\r\nX-Cli: 1\r\nX-Frame-Options: DENY');
  });

  it('a rule for /docs/ applies to docs/index.html, which is served there', () => {
    const table = build(files);
    expect(head(table.files.get('/docs/')!.identity.okBlock)).toContain('X-Docs: 1');
    expect(table.files.get('/docs/index.html')).toBe(table.files.get('/docs/'));
  });

  it('the 404 page gets the headers of /404.html but stays no-cache', () => {
    const table = build(files);
    const notFound = head(table.fixed.notFound.block);
    expect(notFound).toContain('X-Page: not-found');
    expect(notFound).toContain('Cache-Control: no-cache');
    expect(notFound).not.toContain('max-age=99');
    expect(head(table.fixed.badRequest.block)).not.toContain('X-Page');
  });

  it('the rule files are not served, and answer 404 before any rule', () => {
    const table = build({ ...files, _redirects: '/* /index.html 200' });
    expect(table.files.has('/_headers')).toBe(false);
    expect(table.files.has('/_redirects')).toBe(false);
    expect(table.notFoundRoutes.get('/_headers')).toBe(table.fixed.notFound);
    expect(table.notFoundRoutes.get('/_redirects')).toBe(table.fixed.notFound);
    expect(table.fileCount).toBe(4);
  });

  it('a rebuild after a _headers edit rebuilds the blocks and keeps bodies and ETags', () => {
    const table = build(files);
    const before = table.files.get('/assets/app.js')!;
    writeFileSync(join(tree!.root, '_headers'), '/assets/*\n  X-New: yes\n');
    const next = buildCacheTable(tree!.root, OPTIONS, table, new Set(['/_headers']));
    const after = next.files.get('/assets/app.js')!;
    expect(after).not.toBe(before);
    expect(after.identity.body).toBe(before.identity.body);
    expect(after.identity.etag).toBe(before.identity.etag);
    expect(head(after.identity.okBlock)).toContain('X-New: yes');
    expect(head(after.identity.okBlock)).not.toContain('X-Frame-Options');
    // Unchanged rules: entries are reused as they are.
    expect(buildCacheTable(tree!.root, OPTIONS, next, new Set()).files.get('/assets/app.js')).toBe(after);
  });
});

describe('malformed rule files', () => {
  it('throw RuleError at the first build and in checkSiteRules', () => {
    tree = makeTree({ 'a.txt': 'a', _redirects: '/ok /fine\n/bad\n' });
    expect(() => buildCacheTable(tree!.root, OPTIONS)).toThrow(RuleError);
    expect(() => checkSiteRules(tree!.root)).toThrow('_redirects line 2: expected "FROM TO [STATUS]"');
  });

  it('after start, keep the previous rules and say why', () => {
    const table = build({ 'a.txt': 'a', _headers: '/a.txt\n  X-A: 1\n' });
    writeFileSync(join(tree!.root, '_headers'), '/a.txt\n  Content-Type: text/x\n');
    writeFileSync(join(tree!.root, 'b.txt'), 'b');
    const next = buildCacheTable(tree!.root, OPTIONS, table, new Set(['/_headers', '/b.txt']));
    expect(next.rulesError?.message).toBe('_headers line 2: cannot set Content-Type: fastsrv computes it');
    expect(next.rules).toBe(table.rules);
    expect(head(next.files.get('/a.txt')!.identity.okBlock)).toContain('X-A: 1');
    expect(next.files.has('/b.txt')).toBe(true); // the rest of the change still lands
  });
});

describe('forced _redirects rules are compiled per path', () => {
  const files = {
    'index.html': 'home',
    'old.html': 'old',
    'app/index.html': 'app',
    'app/real.js': 'real',
    'gone/page.html': 'gone',
    'docs/404.html': 'docs missing',
    'docs/page.html': 'page',
    _redirects: [
      '/old.html /new 308!',
      '/app/* /app/index.html 200!',
      '/gone/* /docs/404.html 404!',
      '/docs/page.html /unused 301',
    ].join('\n'),
  };

  it('redirect, rewrite and 404 replace what the path had; unforced rules leave files alone', () => {
    const table = build(files);
    expect(table.files.has('/old.html')).toBe(false);
    expect(head(table.redirects.get('/old.html')!.block)).toBe('308 Permanent Redirect\r\nLocation: /new');
    expect(table.files.get('/app/real.js')).toBe(table.files.get('/app/index.html'));
    expect(Buffer.from(table.notFoundRoutes.get('/gone/page.html')!.body).toString()).toBe('docs missing');
    expect(table.files.get('/docs/page.html')?.identity.body.toString()).toBe('page');
  });

  it('a rewrite target served under another path keeps it after precompression swaps', () => {
    const table = build(files);
    const entry = table.files.get('/app/index.html')!;
    table.replaceEntry(entry);
    expect(table.files.get('/app/real.js')).toBe(entry);
  });
});

describe('--listing', () => {
  it('a directory without index.html gets a page and a /dir redirect; one with an index keeps it', () => {
    const table = build({ 'index.html': 'home', 'files/a.txt': 'aaa', 'files/sub/b.txt': 'b', 'files/.hidden': 'h' }, { listing: true });
    const page = table.files.get('/files/')!;
    expect(page.contentType).toBe('text/html; charset=utf-8');
    const html = page.identity.body.toString();
    expect(html).toContain('href="sub/"');
    expect(html).toContain('href="a.txt"');
    expect(html).not.toContain('.hidden');
    expect(table.redirects.get('/files')?.location).toBe('/files/');
    expect(table.files.get('/')?.identity.body.toString()).toBe('home');
    expect(table.listingCount).toBe(2); // /files/ and /files/sub/
    expect(table.fileCount).toBe(3);
  });

  it('off by default; the root listing hides the rule files', () => {
    expect(build({ 'd/a.txt': 'a' }).files.has('/d/')).toBe(false);
    tree?.remove();
    const table = build({ 'a.txt': 'a', _headers: '/a.txt\n  X-A: 1\n' }, { listing: true });
    const html = table.files.get('/')!.identity.body.toString();
    expect(html).toContain('href="a.txt"');
    expect(html).not.toContain('_headers');
  });
});
