/**
 * Issue 13, site rules on the real CLI (two workers): _headers merged into
 * every file response, _redirects redirects, rewrites and 404 pages,
 * shadowing and forced rules, live edits, malformed files.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTree, type Tree } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/proc.js';
import { get, runCli, sendRaw, startCli, type RunningCli } from '../helpers/server.js';

const HEADERS = `# site headers
/*
  X-Frame-Options: DENY
  Link: </static/style.css>; rel=preload; as=style

/static/*
  Cache-Control: public, max-age=31536000, immutable
  Link: </static/font.woff2>; rel=preload; as=font
  ! X-Frame-Options

/blog/:post
  X-Blog-Post: yes

/raw/*
  ! X-Content-Type-Options
`;

const REDIRECTS = `# redirects, first match wins
/home                 /
/old/*                /new/:splat              302
/posts/:year/:slug    /blog/:slug?year=:year   308
/blog/*               /news/:splat
/old-page.html        /new-page                301!
/app/*                /app/index.html          200
/docs/*               /docs/404.html           404
/ext/*                https://example.com/x/:splat 307
/see                  /other                   303
/r*                   /:splat                  302
/first                /one
/first                /two
/menü                 /speisekarte
`;

const FILES = {
  'index.html': '<p>home</p>',
  '404.html': '<p>site 404</p>',
  'app/index.html': '<p>app shell</p>',
  'app/real.js': 'export const real = 1;\n',
  'blog/real.html': '<p>real post</p>',
  'docs/guide.html': '<p>guide</p>',
  'docs/404.html': '<p>docs 404</p>',
  'static/style.css': 'body { color: red }\n'.repeat(100),
  'raw/data.txt': 'raw\n',
  'old-page.html': '<p>old page, forced away</p>',
  _headers: HEADERS,
  _redirects: REDIRECTS,
};

let tree: Tree;
let server: RunningCli;
let port: number;
beforeAll(async () => {
  tree = makeTree(FILES);
  server = await startCli(tree.root);
  port = server.port;
});
afterAll(async () => {
  await server?.stop();
  tree?.remove();
});

describe('_headers', () => {
  it('blocks combine: /* headers on every file, a name set twice is joined', async () => {
    const home = await get(port, '/');
    expect(home.headers['x-frame-options']).toBe('DENY');
    expect(home.headers.link).toBe('</static/style.css>; rel=preload; as=style');
    expect(home.headers['cache-control']).toBe('no-cache');
    expect(home.headers['x-content-type-options']).toBe('nosniff');
    const css = await get(port, '/static/style.css');
    expect(css.headers.link).toBe('</static/style.css>; rel=preload; as=style, </static/font.woff2>; rel=preload; as=font');
  });

  it('! removes a header a broader block added; Cache-Control replaces the policy', async () => {
    const css = await get(port, '/static/style.css');
    expect(css.headers['x-frame-options']).toBeUndefined();
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const raw = await get(port, '/raw/data.txt');
    expect(raw.headers['x-content-type-options']).toBeUndefined();
    expect(raw.headers['x-frame-options']).toBe('DENY');
  });

  it('placeholders match one segment', async () => {
    expect((await get(port, '/blog/real.html')).headers['x-blog-post']).toBe('yes');
    expect((await get(port, '/raw/data.txt')).headers['x-blog-post']).toBeUndefined();
  });

  it('the same headers on HEAD, 304, 206 and every encoding', async () => {
    const full = await get(port, '/static/style.css');
    const variants = [
      await get(port, '/static/style.css', {}, 'HEAD'),
      await get(port, '/static/style.css', { 'if-none-match': full.headers.etag as string }),
      await get(port, '/static/style.css', { range: 'bytes=0-9' }),
      await get(port, '/static/style.css', { 'accept-encoding': 'br, gzip' }),
    ];
    expect(variants.map((r) => r.status)).toEqual([200, 304, 206, 200]);
    for (const reply of variants) {
      expect(reply.headers.link).toBe(full.headers.link);
      expect(reply.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(reply.headers['x-frame-options']).toBeUndefined();
    }
  });

  it('the 404 page gets the headers of /404.html, and stays no-cache', async () => {
    const missing = await get(port, '/nothing-here.txt');
    expect(missing.status).toBe(404);
    expect(missing.body.toString()).toBe('<p>site 404</p>');
    expect(missing.headers['x-frame-options']).toBe('DENY');
    expect(missing.headers['cache-control']).toBe('no-cache');
  });
});

describe('_redirects', () => {
  // path, status, Location
  it.each([
    ['/home', 301, '/'],
    ['/home/', 301, '/'],
    ['/old/a/b c.html', 302, '/new/a/b%20c.html'],
    ['/old/x?utm=1&b=%20', 302, '/new/x?utm=1&b=%20'],
    ['/posts/2024/hello', 308, '/blog/hello?year=2024'],
    ['/posts/2024/hello?ref=feed', 308, '/blog/hello?year=2024&ref=feed'],
    ['/blog/gone', 301, '/news/gone'],
    ['/ext/a/b?q=1', 307, 'https://example.com/x/a/b?q=1'],
    ['/see', 303, '/other'],
    ['/first', 301, '/one'],
    ['/old-page.html', 301, '/new-page'],
    ['/men%C3%BC', 301, '/speisekarte'],
    ['/app', 301, '/app/'], // the directory's own redirect is a real route: it shadows /app/*
  ])('%s → %i %s', async (path, status, location) => {
    const reply = await get(port, path.replace(/ /g, '%20'));
    expect(reply.status).toBe(status);
    expect(reply.headers.location).toBe(location);
  });

  it('a real file shadows an unforced rule; ! forces it', async () => {
    expect((await get(port, '/blog/real.html')).body.toString()).toBe('<p>real post</p>');
    expect((await get(port, '/app/real.js')).status).toBe(200);
    expect((await get(port, '/old-page.html')).status).toBe(301);
  });

  it('200 rewrites: the target file under the requested URL', async () => {
    for (const path of ['/app/users/42', '/app/settings/']) {
      const reply = await get(port, path);
      expect(reply.status).toBe(200);
      expect(reply.body.toString()).toBe('<p>app shell</p>');
      expect(reply.headers.location).toBeUndefined();
    }
    expect((await get(port, '/app/users/42', {}, 'HEAD')).body.length).toBe(0);
  });

  it('404 rules: a custom not-found page for a subtree', async () => {
    const missing = await get(port, '/docs/nope.html');
    expect(missing.status).toBe(404);
    expect(missing.body.toString()).toBe('<p>docs 404</p>');
    expect(missing.headers['cache-control']).toBe('no-cache');
    expect((await get(port, '/docs/guide.html')).status).toBe(200);
    expect((await get(port, '/elsewhere/nope')).body.toString()).toBe('<p>site 404</p>');
  });

  it('the rule files are never served', async () => {
    for (const path of ['/_headers', '/_redirects', '/_headers/', '/%5Fredirects']) {
      const reply = await get(port, path);
      expect(reply.status).toBe(404);
      expect(reply.body.toString()).not.toContain('/old/*');
      expect(reply.body.toString()).not.toContain('X-Frame-Options');
    }
  });

  it('never a Location to another host, never CR/LF', async () => {
    for (const path of ['/r/evil.example/x', '/r%2F%2Fevil.example', '/r//evil.example']) {
      const reply = await get(port, path);
      expect(reply.status).toBe(302);
      expect(reply.headers.location).toMatch(/^\/[^/\\]/);
    }
    const injected = await sendRaw(port, 'GET /old/%0d%0aSet-Cookie:%20a=1?x=%0d%0aX-Evil:%201 HTTP/1.1\r\nHost: x\r\n\r\n');
    const text = injected.toString('latin1');
    expect(text).toMatch(/^HTTP\/1\.1 302 /);
    expect(text).toContain('\r\nLocation: /new/%0D%0ASet-Cookie:%20a=1?x=%0d%0aX-Evil:%201\r\n');
    expect(text).not.toMatch(/\r\nSet-Cookie:/i);
    expect(text).not.toMatch(/\r\nX-Evil:/i);
  });
});

describe('changes on disk', () => {
  /** Poll fresh connections (spread over both workers) until 8 in a row pass. */
  const untilAllWorkers = (path: string, check: (headers: Record<string, unknown>, status: number) => boolean): Promise<boolean> =>
    waitFor(async () => (await Promise.all(Array.from({ length: 8 }, () => get(port, path)))).every((r) => check(r.headers, r.status)), 3_000);

  it('an edited _headers and _redirects take effect on every worker within a second', async () => {
    const started = Date.now();
    writeFileSync(join(tree.root, '_headers'), HEADERS + '/index.html\n  X-Live: 1\n');
    writeFileSync(join(tree.root, '_redirects'), '/live /landed 302\n' + REDIRECTS);
    expect(await untilAllWorkers('/', (h) => h['x-live'] === '1')).toBe(true);
    expect(await untilAllWorkers('/live', (h, s) => s === 302 && h.location === '/landed')).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('a malformed edit keeps the previous rules and says so on stderr', async () => {
    writeFileSync(join(tree.root, '_redirects'), '/live /landed 302\n/broken\n');
    expect(await waitFor(() => server.output().includes('_redirects line 2: expected "FROM TO [STATUS]"'), 3_000)).toBe(true);
    expect(server.output()).toContain('still serving the previous rules');
    const reply = await get(port, '/old/x');
    expect(reply.status).toBe(302);
    expect((await get(port, '/live')).headers.location).toBe('/landed');
    writeFileSync(join(tree.root, '_redirects'), '/fixed /ok 307\n');
    expect(await untilAllWorkers('/fixed', (h, s) => s === 307 && h.location === '/ok')).toBe(true);
    expect((await get(port, '/old/x')).status).toBe(404);
  });
});

describe('a malformed rule file at start', () => {
  it.each([
    ['_redirects', '/a /b\n/c /d 299\n', '_redirects line 2: unsupported status "299": expected 301, 302, 303, 307, 308 (redirects), 200 (rewrite) or 404, optionally with !'],
    ['_headers', '# c\n/x\n  Content-Length: 1\n', '_headers line 3: cannot set Content-Length: fastsrv computes it'],
  ])('%s: exit 2, file, line and reason', async (name, text, message) => {
    const bad = makeTree({ 'index.html': 'x', [name]: text });
    try {
      const { code, stderr } = await runCli([bad.root, '--port', '0', '--host', '127.0.0.1']);
      expect(code).toBe(2);
      expect(stderr).toBe(`fastsrv: ${message}\n`);
    } finally {
      bad.remove();
    }
  });
});
