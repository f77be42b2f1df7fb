import { describe, expect, it } from 'vitest';
import { readServeOptions } from '../src/library.js';
import { OPTIONS } from '../src/setup/config.js';

describe('readServeOptions: the CLI options under camelCase names', () => {
  it('maps camelCase keys to the long options and validates them like the CLI', () => {
    const { config, inProcess } = readServeOptions({
      routes: {}, port: 0, host: '127.0.0.1', maxAge: 60, noCompress: true, header: ['X-A: b'], dotfiles: 'allow', drainTimeout: 1, workers: 3,
    });
    expect(inProcess).toBe(false);
    expect(config).toMatchObject({ root: null, port: 0, host: '127.0.0.1', maxAge: 60, compress: false, headers: [['X-A', 'b']], dotfiles: 'allow', drainTimeout: 1, workers: 3 });
  });

  it('defaults are the CLI\'s (port 8080, host 0.0.0.0, one worker), but $PORT is not read', () => {
    const { config } = readServeOptions({ routes: {} });
    expect(config).toMatchObject({ port: 8080, host: '0.0.0.0', workers: 1, maxAge: 0, compress: true, watch: true });
  });

  it('workers: 0 serves in this process; "auto" is one per CPU', () => {
    expect(readServeOptions({ routes: {}, workers: 0 })).toMatchObject({ inProcess: true, config: { workers: 0 } });
    expect(readServeOptions({ routes: {}, workers: 'auto' }).config.workers).toBeGreaterThan(0);
  });

  it('root is resolved against the current directory; undefined values count as not given', () => {
    const { config } = readServeOptions({ root: '.', maxAge: undefined });
    expect(config.root).toBe(process.cwd());
    expect(config.maxAge).toBe(0);
  });

  it('every option a config file takes is known under its camelCase name (a wrong kind of value names it)', () => {
    let checked = 0;
    for (const [name, def] of Object.entries(OPTIONS)) {
      if (!('json' in def)) continue;
      const camel = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
      expect(() => readServeOptions({ routes: {}, [camel]: { wrong: true } } as never)).toThrow(`serve(): "${camel}" must be a`);
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it.each([
    [{ routes: {}, port: 'http' }, 'serve(): "port" must be a number, got a string'],
    [{ routes: {}, workers: -1 }, 'serve(): "workers": invalid --workers "-1": expected auto or an integer from 1 to 1024'],
    [{ routes: {}, header: 'X-A: b' }, 'serve(): "header" must be an array of strings'],
    [{ routes: {}, maxAgee: 1 }, 'serve(): unknown key "maxAgee"'],
    [{ routes: {}, 'max-age': 1 }, 'serve(): unknown key "max-age"'],
    [{ routes: {}, config: 'x.json' }, 'serve(): "config" can only be given on the command line'],
    [{ root: 'no/such/dir' }, 'root directory "no/such/dir" does not exist'],
    [{ root: '' }, 'serve(): "root" must be a directory name'],
    [{}, 'serve() needs a root directory, routes, or both'],
    [{ routes: {}, workers: 0, admin: '127.0.0.1:9100' }, 'serve(): "admin" needs workers ≥ 1'],
  ])('%o → %s', (options, message) => {
    expect(() => readServeOptions(options as never)).toThrow(message);
  });
});
