/**
 * `fastsrv compress DIR` through the real CLI: siblings that decode to the
 * originals, a second run that writes nothing, the 10% rule, errors that
 * name the file.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressVariantSync } from '../../src/cache/compress.js';
import { makeBytes, makeTree, type Tree } from '../helpers/fixtures.js';
import { runCli } from '../helpers/server.js';

const text = (n: number, word: string): Buffer =>
  Buffer.from(Array.from({ length: n }, (_, i) => `${word}-${i} = { value: ${(i * 7919) % 1000}, label: "${word} ${i}" };\n`).join(''));

/** Every file under `root` → its mtime. */
function listMtimes(root: string, dir = root, out = new Map<string, number>()): Map<string, number> {
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, name.name);
    if (name.isDirectory()) listMtimes(root, path, out);
    else out.set(relative(root, path), statSync(path).mtimeMs);
  }
  return out;
}

describe('fastsrv compress on a build tree', () => {
  let tree: Tree;
  let first: Awaited<ReturnType<typeof runCli>>;
  const old = new Date('2020-01-01T00:00:00Z');
  const future = new Date(Date.now() + 3600_000);

  beforeAll(async () => {
    tree = makeTree({
      'index.html': text(40, 'page'),
      'app.js': text(300, 'app'),
      'css/site.css': text(100, 'rule'),
      'small.css': 'a { color: red }\n',
      'random.txt': makeBytes(8192, 3),
      'image.png': makeBytes(4096, 4),
      'stale.js': text(50, 'stale'),
      'stale.js.br': 'not the current file',
      'gone.txt': makeBytes(4096, 5),
      'gone.txt.gz': 'a stale sibling of a file that no longer compresses',
      'future.js': text(60, 'future'),
      '.hidden/secret.js': text(60, 'secret'),
    });
    for (const name of ['stale.js.br', 'gone.txt.gz']) utimesSync(join(tree.root, name), old, old);
    utimesSync(join(tree.root, 'future.js'), future, future);
    first = await runCli(['compress', tree.root]);
  });
  afterAll(() => tree?.remove());

  it('exits 0 with a summary on stdout', () => {
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^fastsrv compress .*: 7 compressible files of 1 KiB or more\n/);
    expect(first.stdout).toMatch(/\n {2}br {8}5 written, [\d.]+ KiB → [\d.]+ (KiB|B) \(\d+% smaller\)\n/);
    expect(first.stdout).toContain('\n  gzip      5 written, ');
    expect(first.stdout).toContain('\n  not kept  4 variants saved less than 10% (no sibling); 1 stale siblings of those removed\n');
    expect(first.stdout).toMatch(/\n {2}time {6}\d+\.\d\d s on \d+ threads?\n$/);
  });

  it('siblings decode to the originals, at the best level', () => {
    for (const name of ['index.html', 'app.js', 'css/site.css', 'stale.js', 'future.js']) {
      const original = readFileSync(join(tree.root, name));
      const br = readFileSync(join(tree.root, name + '.br'));
      expect(brotliDecompressSync(br).equals(original)).toBe(true);
      expect(br.equals(compressVariantSync(original, 'br', 'best')!)).toBe(true);
      expect(gunzipSync(readFileSync(join(tree.root, name + '.gz'))).equals(original)).toBe(true);
      // fastsrv's freshness rule: a sibling not older than its file
      expect(statSync(join(tree.root, name + '.br')).mtimeMs).toBeGreaterThanOrEqual(statSync(join(tree.root, name)).mtimeMs);
    }
  });

  it('no sibling for small, incompressible, binary or dot files; a stale sibling that would not be rewritten is removed', () => {
    for (const name of ['small.css', 'random.txt', 'image.png', 'gone.txt', '.hidden/secret.js']) {
      expect(existsSync(join(tree.root, name + '.br'))).toBe(false);
      expect(existsSync(join(tree.root, name + '.gz'))).toBe(false);
    }
    expect(readdirSync(tree.root).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('a second run rewrites nothing (every mtime unchanged)', async () => {
    const before = listMtimes(tree.root);
    const second = await runCli(['compress', tree.root]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('\n  br        none written\n');
    expect(second.stdout).toContain('\n  gzip      none written\n');
    expect(second.stdout).toContain('\n  fresh     5 files already had fresh siblings (untouched)\n');
    expect(listMtimes(tree.root)).toEqual(before);
  });

  it('a changed file gets new siblings', async () => {
    const updated = text(310, 'app2');
    writeFileSync(join(tree.root, 'app.js'), updated);
    const third = await runCli(['compress', tree.root]);
    expect(third.stdout).toContain('\n  br        1 written, ');
    expect(brotliDecompressSync(readFileSync(join(tree.root, 'app.js.br'))).equals(updated)).toBe(true);
  });
});

describe('fastsrv compress errors', () => {
  let tree: Tree;
  beforeAll(() => {
    tree = makeTree({ 'ok.js': text(100, 'ok'), 'blocked.js': text(100, 'blocked'), 'sub/fine.css': text(50, 'fine') });
    symlinkSync(join(tree.root, 'missing.js'), join(tree.root, 'dangling.js'));
    execFileSync('mkfifo', [join(tree.root, 'pipe.css')]);
    mkdirSync(join(tree.root, 'blocked.js.br'));
  });
  afterAll(() => tree?.remove());

  it('names each file it cannot read or write, compresses the rest, exits 1', async () => {
    const { code, stdout, stderr } = await runCli(['compress', tree.root]);
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n').sort();
    expect(lines).toEqual([
      `fastsrv compress: ${join(tree.root, 'blocked.js')}.br: cannot write: not a regular file`,
      `fastsrv compress: ${join(tree.root, 'dangling.js')}: cannot read (a dangling link, or no permission)`,
      `fastsrv compress: ${join(tree.root, 'pipe.css')}: not a regular file (a FIFO, socket or device)`,
    ]);
    expect(stdout).toContain('\n  errors    3 files (see above)\n');
    for (const name of ['ok.js', 'sub/fine.css']) expect(existsSync(join(tree.root, name + '.br'))).toBe(true);
  });

  it('usage errors exit 2', async () => {
    for (const argv of [['compress'], ['compress', join(tree.root, 'nope')], ['compress', join(tree.root, 'ok.js')], ['compress', tree.root, '--bogus']]) {
      const { code, stderr } = await runCli(argv);
      expect(code).toBe(2);
      expect(stderr).toMatch(/^fastsrv: /);
    }
  });
});
