import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanDirectory } from '../../src/cache/scan.js';
import { buildCacheTable } from '../../src/cache/table.js';
import { makeTree } from '../helpers/fixtures.js';

const tree = makeTree({
  'index.html': 'home',
  'a/index.html': 'a',
  'a/b/c.txt': 'c',
  'noindex/x.txt': 'x',
  '.env': 'secret',
  '.git/HEAD': 'ref',
  'a/.hidden': 'h',
  '404.html': 'custom',
  'sp ace/ü.txt': 'u',
});
mkdirSync(join(tree.root, 'loop'));
symlinkSync(tree.root, join(tree.root, 'loop', 'back')); // a directory loop
symlinkSync('/etc/hostname', join(tree.root, 'out.txt'));
symlinkSync(join(tree.root, 'a/b/c.txt'), join(tree.root, 'in.txt'));
symlinkSync(join(tree.root, 'missing'), join(tree.root, 'dangling'));
writeFileSync(join(tree.root, 'noindex', 'y.txt'), 'y');
afterAll(() => tree.remove());

describe('scanDirectory', () => {
  const scan = scanDirectory(tree.root, { includeDotfiles: false });
  const keys = scan.files.map((f) => f.key).sort();

  it('lists regular files by decoded URL path, skipping dotfiles and links out of the root', () => {
    expect(keys).toEqual([
      '/404.html',
      '/a/b/c.txt',
      '/a/index.html',
      '/in.txt',
      '/index.html',
      '/noindex/x.txt',
      '/noindex/y.txt',
      '/sp ace/ü.txt',
    ]);
  });

  it('lists directories with a trailing slash and survives a link loop', () => {
    expect(scan.directories).toContain('/');
    expect(scan.directories).toContain('/a/b/');
    expect(scan.directories).toContain('/loop/');
    expect(scan.directories.filter((d) => d.startsWith('/loop/back'))).toEqual([]);
  });

  it('includes dotfiles when asked', () => {
    const all = scanDirectory(tree.root, { includeDotfiles: true }).files.map((f) => f.key);
    expect(all).toContain('/.env');
    expect(all).toContain('/.git/HEAD');
    expect(all).toContain('/a/.hidden');
  });
});

describe('buildCacheTable', () => {
  const table = buildCacheTable(tree.root, {
    includeDotfiles: false,
    cleanUrls: false,
    compress: false,
    cacheSize: 1 << 30,
    maxFileSize: 1 << 30,
    optionsHeaders: [],
    listing: false,
    policy: { maxAge: 0, immutable: false, cacheControl: null, extraHeaders: [], isNosniff: true },
  });

  it('maps /dir/ to its index and /dir to a redirect', () => {
    expect(table.files.get('/')).toBe(table.files.get('/index.html'));
    expect(table.files.get('/a/')).toBe(table.files.get('/a/index.html'));
    expect(table.redirects.get('/a')?.location).toBe('/a/');
    expect(table.files.has('/noindex/')).toBe(false);
    expect(table.redirects.has('/noindex')).toBe(false);
  });

  it('counts files and bytes once (aliases excluded)', () => {
    expect(table.fileCount).toBe(8);
    // 404.html 6, a/b/c.txt 1, a/index.html 1, in.txt 1, index.html 4, x 1, y 1, ü 1
    expect(table.byteCount).toBe(16);
  });

  it('uses 404.html as the 404 body', () => {
    expect(Buffer.from(table.fixed.notFound.body).toString()).toBe('custom');
  });
});
