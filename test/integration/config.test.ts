/** --config through the real CLI: the file's options, flags over the file, mistakes exit 2. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTree } from '../helpers/fixtures.js';
import { get, runCli, startCli } from '../helpers/server.js';

const tree = makeTree({ 'index.html': '<p>home</p>', 'app.js': 'x();\n', 'files/a.txt': 'a' });
const configPath = join(tree.root, '..', 'fastsrv.json');
afterAll(() => tree.remove());

describe('a config file round trip', () => {
  it('serves with the file options; flags given on the command line win', async () => {
    writeFileSync(configPath, JSON.stringify({ workers: 1, 'max-age': 600, header: ['X-From-File: yes'], listing: true, cors: true, root: 'www' }));
    // startCli adds --port 0 --host 127.0.0.1 --workers 2 and the root: --workers 2 overrides the file's 1.
    const server = await startCli(tree.root, ['--config', configPath, '--max-age', '60']);
    try {
      expect(server.banner).toContain('workers   2');
      expect(server.banner).toContain('listing   on');
      const js = await get(server.port, '/app.js');
      expect(js.headers['cache-control']).toBe('public, max-age=60');
      expect(js.headers['x-from-file']).toBe('yes');
      expect(js.headers['access-control-allow-origin']).toBe('*');
      expect((await get(server.port, '/files/')).body.toString()).toContain('href="a.txt"');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it.each([
    [{ port: 'eighty' }, '"port" must be a number, got a string'],
    [{ prot: 80 }, 'unknown key "prot"'],
    [{ 'max-age': 1e9 }, '"max-age": invalid --max-age "1000000000"'],
    [{ header: ['Vary: Cookie'] }, '"header": --header cannot set Vary'],
  ])('%j: one line naming the file and key, exit 2', async (object, message) => {
    writeFileSync(configPath, JSON.stringify(object));
    const { code, stderr } = await runCli([tree.root, '--config', configPath, '--port', '0']);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0].startsWith(`fastsrv: config file ${configPath}: ${message}`)).toBe(true);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
