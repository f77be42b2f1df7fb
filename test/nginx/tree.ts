/** The fixture tree both servers serve, with fixed modification times. */
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeBytes, makeTree, type Tree } from '../helpers/fixtures.js';

/** Every file's mtime: whole seconds, so both servers' Last-Modified agree. */
export const MTIME = new Date('2024-03-10T12:00:00Z');

const css = Buffer.from('.rule { color: #123456; margin: 0 auto; }\n'.repeat(400).slice(0, 16 * 1024));

export const FILES: Record<string, string | Buffer> = {
  'index.html': '<!doctype html><title>home</title><p>home</p>\n',
  'page.html': `<!doctype html><title>page</title>\n<p>${'x'.repeat(1024 - 43)}</p>\n`,
  'style.css': css,
  // Same mtime as style.css: fastsrv uses a sibling not older than its file.
  'style.css.gz': gzipSync(css, { level: 9 }),
  'app.js': 'console.log("app");\n',
  'data.json': '{"a":1}\n',
  'data.bin': makeBytes(100 * 1024, 5),
  'my file.txt': 'a name with a space\n',
  'café.html': '<p>non-ASCII name</p>\n',
  'a%20b.txt': 'a literal percent in the name\n',
  'empty.txt': '',
  '404.html': '<!doctype html><title>missing</title><p>custom not found</p>\n',
  '.env': 'SECRET=dotfile\n',
  '.git/config': '[core]\n',
  'sub/index.html': '<p>sub index</p>\n',
  'sub/page.html': '<p>sub page</p>\n',
  'sub/deeper/file.txt': 'deeper, no index\n',
  'noindex/readme.txt': 'a directory without index.html\n',
  'with space/index.html': '<p>directory with a space</p>\n',
};

/** Write FILES to a temp dir and give every file the same mtime. */
export function makeCompareTree(): Tree {
  const tree = makeTree(FILES);
  for (const path of tree.files.keys()) utimesSync(join(tree.root, path), MTIME, MTIME);
  return tree;
}
