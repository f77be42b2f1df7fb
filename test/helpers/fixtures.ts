/** Fixture trees in temp directories. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Deterministic pseudo-random bytes (xorshift32), every byte value present. */
export function makeBytes(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = i < 256 ? i : x & 0xff;
  }
  return out;
}

export interface Tree {
  readonly root: string;
  /** Decoded URL path → file contents. */
  readonly files: Map<string, Buffer>;
  remove(): void;
}

/** Write `files` (URL path → contents) under a new temp directory. */
export function makeTree(files: Record<string, string | Buffer>): Tree {
  const base = mkdtempSync(join(tmpdir(), 'fastsrv-test-'));
  const root = join(base, 'www');
  mkdirSync(root);
  const map = new Map<string, Buffer>();
  for (const [path, contents] of Object.entries(files)) {
    const abs = join(root, path);
    mkdirSync(join(abs, '..'), { recursive: true });
    const bytes = typeof contents === 'string' ? Buffer.from(contents) : contents;
    writeFileSync(abs, bytes);
    map.set(path, bytes);
  }
  return { root, files: map, remove: () => rmSync(base, { recursive: true, force: true }) };
}

/** The standard tree: nested dirs, index files, odd names, dotfiles, binary, links. */
export function makeStandardTree(): Tree & { readonly secret: string } {
  const tree = makeTree({
    'index.html': '<!doctype html><title>home</title><p>home</p>\n',
    'about.html': '<!doctype html><title>about</title>\n',
    'style.css': 'body { color: red; }\n',
    'app.js': 'console.log("hi");\n',
    'data.json': '{"a":1}\n',
    'notes.txt': 'plain text\n',
    'image.png': makeBytes(2048, 7),
    'blob': makeBytes(1000, 9),
    'big.bin': makeBytes(300 * 1024, 3),
    'my file.txt': 'a name with a space\n',
    'café/menü.html': '<p>non-ASCII names</p>\n',
    'über/index.html': '<p>non-ASCII directory</p>\n',
    '100%.txt': 'percent in the name\n',
    'docs/index.html': '<p>docs index</p>\n',
    'docs/guide/intro.html': '<p>nested</p>\n',
    'empty-dir-with-file/readme.txt': 'no index here\n',
    'empty.txt': '',
    '404.html': '<p>custom not found</p>\n',
    '.env': 'SECRET=dotfile\n',
    '.git/config': '[core]\n',
    'sub/.hidden.txt': 'hidden\n',
  });
  const secretDir = join(tree.root, '..', 'outside');
  mkdirSync(secretDir);
  const secret = 'TOP-SECRET-OUTSIDE-ROOT';
  writeFileSync(join(secretDir, 'secret.txt'), secret);
  symlinkSync(join(secretDir, 'secret.txt'), join(tree.root, 'link-out.txt'));
  symlinkSync(join(tree.root, 'notes.txt'), join(tree.root, 'link-in.txt'));
  return { ...tree, secret };
}
