/** --listing on the real CLI: hostile names, links that work, dotfiles, live updates. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTree, type Tree } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/proc.js';
import { get, startCli, type RunningCli } from '../helpers/server.js';

const FILES = {
  'index.html': '<p>home</p>',
  'files/<script>.txt': 'script name',
  'files/<img src=x onerror=alert(1)>': 'markup name',
  'files/a&b': 'ampersand',
  'files/my file.txt': 'space',
  'files/über café.txt': 'unicode',
  'files/100%.txt': 'percent',
  'files/q?x#y.txt': 'query and hash',
  'files/sub dir/inner.txt': 'inner',
  'files/.secret': 'dotfile',
  'files/.git/config': 'dot dir',
};

let tree: Tree | null = null;
let server: RunningCli | null = null;
afterEach(async () => {
  await server?.stop();
  tree?.remove();
  server = tree = null;
});

async function start(args: string[]): Promise<number> {
  tree = makeTree(FILES);
  server = await startCli(tree.root, args);
  return server.port;
}

/** [href, text] of each link in a listing page. */
function readLinks(html: string): [string, string][] {
  return [...html.matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)].map((m) => [m[1], m[2]]);
}

describe('--listing', () => {
  it('lists a directory without index.html: names escaped, links encoded, every link works', async () => {
    const port = await start(['--listing']);
    const page = await get(port, '/files/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers.etag).toMatch(/^"/);
    const html = page.body.toString();
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(readLinks(html)).toEqual([
      ['../', '../'],
      ['sub%20dir/', 'sub dir/'],
      ['100%25.txt', '100%.txt'],
      ['%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E', '&lt;img src=x onerror=alert(1)&gt;'],
      ['%3Cscript%3E.txt', '&lt;script&gt;.txt'],
      ['a%26b', 'a&amp;b'],
      ['my%20file.txt', 'my file.txt'],
      ['q%3Fx%23y.txt', 'q?x#y.txt'],
      ['%C3%BCber%20caf%C3%A9.txt', 'über café.txt'],
    ]);
    for (const [href, text] of readLinks(html).slice(2)) {
      const reply = await get(port, '/files/' + href);
      expect(reply.status, href).toBe(200);
      const name = text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
      expect(reply.body.equals(tree!.files.get(`files/${name}`)!), href).toBe(true);
    }
    expect((await get(port, '/files/sub%20dir/')).body.toString()).toContain('href="inner.txt"');
    expect((await get(port, '/')).body.toString()).toBe('<p>home</p>'); // an index wins
  });

  it('sizes and dates; /dir redirects to /dir/; 304 on the listing ETag', async () => {
    const port = await start(['--listing']);
    const page = await get(port, '/files/');
    expect(page.body.toString()).toMatch(/<a href="a%26b">a&amp;b<\/a><\/td><td class="size">9<\/td><td>\d{4}-\d\d-\d\d \d\d:\d\d<\/td>/);
    const redirect = await get(port, '/files?x=1');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('/files/?x=1');
    expect((await get(port, '/files/', { 'if-none-match': page.headers.etag as string })).status).toBe(304);
  });

  it('dotfiles are hidden unless --dotfiles allow', async () => {
    let port = await start(['--listing']);
    expect((await get(port, '/files/')).body.toString()).not.toMatch(/\.secret|\.git/);
    await server!.stop();
    tree!.remove();
    port = await start(['--listing', '--dotfiles', 'allow']);
    const links = readLinks((await get(port, '/files/')).body.toString()).map(([href]) => href);
    expect(links).toContain('.git/');
    expect(links).toContain('.secret');
  });

  it('off by default: a directory without index.html is a 404', async () => {
    const port = await start([]);
    expect((await get(port, '/files/')).status).toBe(404);
  });

  it('a new file appears in the listing on every worker', async () => {
    const port = await start(['--listing']);
    writeFileSync(join(tree!.root, 'files', 'new.txt'), 'new');
    mkdirSync(join(tree!.root, 'files', 'new dir'));
    const isListed = async (): Promise<boolean> => {
      const pages = await Promise.all(Array.from({ length: 8 }, () => get(port, '/files/')));
      return pages.every((p) => p.body.includes('href="new.txt"') && p.body.includes('href="new%20dir/"'));
    };
    expect(await waitFor(isListed, 3_000)).toBe(true);
    expect((await get(port, '/files/new%20dir/')).status).toBe(200);
  });
});
