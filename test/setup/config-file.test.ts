import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArguments } from '../../src/cli.js';
import { loadConfigFile, readOptionObject } from '../../src/setup/config-file.js';
import { OPTIONS, UsageError, type OptionDefinition } from '../../src/setup/config.js';
import { makeTree } from '../helpers/fixtures.js';

const tree = makeTree({ 'www/index.html': 'x' });
const base = join(tree.root, '..'); // fastsrv-test-*/, holding www/
afterAll(() => tree.remove());

function writeConfig(name: string, value: unknown): string {
  const path = join(tree.root, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

describe('readOptionObject', () => {
  it('every kind of value becomes what the command line would give', () => {
    const { raw, root } = readOptionObject(
      { port: 8081, host: '127.0.0.1', workers: 'auto', 'max-age': 600, spa: true, 'no-compress': false, header: ['X-A: 1', 'X-B: 2'], 'cache-size': '64M', 'max-file-size': 1048576, 'drain-timeout': 2.5, root: 'www' },
      'test',
      base,
    );
    expect(raw).toEqual({ port: '8081', host: '127.0.0.1', workers: 'auto', 'max-age': '600', spa: true, 'no-compress': false, header: ['X-A: 1', 'X-B: 2'], 'cache-size': '64M', 'max-file-size': '1048576', 'drain-timeout': '2.5' });
    expect(root).toBe(tree.root);
  });

  // object, message
  it.each<[unknown, string]>([
    [[], 'f: expected a JSON object of options'],
    [null, 'f: expected a JSON object of options'],
    [{ prot: 80 }, 'f: unknown key "prot"'],
    [{ maxAge: 60 }, 'f: unknown key "maxAge"'],
    [{ port: '8080' }, 'f: "port" must be a number, got a string'],
    [{ port: 70000 }, 'f: "port": invalid port "70000"'],
    [{ port: 1.5 }, 'f: "port": invalid port "1.5"'],
    [{ workers: true }, 'f: "workers" must be a number or string, got a boolean'],
    [{ workers: 0 }, 'f: "workers": invalid --workers "0"'],
    [{ spa: 'yes' }, 'f: "spa" must be a boolean, got a string'],
    [{ 'max-age': null }, 'f: "max-age" must be a number, got null'],
    [{ 'max-age': -1 }, 'f: "max-age": invalid --max-age "-1"'],
    [{ header: 'X-A: 1' }, 'f: "header" must be an array of strings'],
    [{ header: ['X-A: 1', 2] }, 'f: "header"[1] must be a string, got a number'],
    [{ header: ['Content-Type: text/x'] }, 'f: "header": --header cannot set Content-Type'],
    [{ dotfiles: 'show' }, 'f: "dotfiles": invalid --dotfiles "show"'],
    [{ 'cache-size': '12Q' }, 'f: "cache-size": invalid --cache-size "12Q"'],
    [{ host: ['a'] }, 'f: "host" must be a string, got an array'],
    [{ config: 'other.json' }, 'f: "config" can only be given on the command line'],
    [{ help: true }, 'f: "help" can only be given on the command line'],
    [{ root: 5 }, 'f: "root" must be a string'],
  ])('%j → %s', (object, message) => {
    expect(() => readOptionObject(object, 'f', base)).toThrow(UsageError);
    expect(() => readOptionObject(object, 'f', base)).toThrow(message);
  });

  it('file names are relative to the config file: cert, key, passphrase-file, sni', () => {
    const { raw } = readOptionObject(
      { cert: 'tls/cert.pem', key: '/etc/key.pem', 'passphrase-file': 'pass.txt', sni: ['a.example=a.pem,/abs/a.key'], 'http-port': 8081 },
      'test',
      base,
    );
    expect(raw).toEqual({
      cert: join(base, 'tls/cert.pem'),
      key: '/etc/key.pem',
      'passphrase-file': join(base, 'pass.txt'),
      sni: [`a.example=${join(base, 'a.pem')},/abs/a.key`],
      'http-port': '8081',
    });
    expect(() => readOptionObject({ sni: ['nope'] }, 'f', base)).toThrow('f: "sni": invalid --sni "nope"');
  });

  it('every option but the command-line ones can be given in a file', () => {
    const cliOnly = Object.entries(OPTIONS).filter(([, def]) => (def as OptionDefinition).json === undefined).map(([name]) => name);
    expect(cliOnly).toEqual(['config', 'help', 'version']);
  });
});

describe('--config', () => {
  it('reads the file; flags override it (a repeatable flag replaces the whole list)', () => {
    const path = writeConfig('site.json', { 'max-age': 600, workers: 3, header: ['X-File: 1'], listing: true, root: '.' });
    const fromFile = parseArguments(['--config', path]);
    expect(fromFile.kind === 'serve' && fromFile.config).toMatchObject({ maxAge: 600, workers: 3, headers: [['X-File', '1']], listing: true, root: tree.root });
    const overridden = parseArguments([base, '--config', path, '--max-age', '5', '--header', 'X-Flag: 2']);
    expect(overridden.kind === 'serve' && overridden.config).toMatchObject({ maxAge: 5, workers: 3, headers: [['X-Flag', '2']], root: base });
  });

  it('the file port beats $PORT; --port beats both', () => {
    const path = writeConfig('port.json', { port: 9001 });
    expect(parseArguments(['--config', path], { PORT: '3000' })).toMatchObject({ config: { port: 9001 } });
    expect(parseArguments(['--config', path, '-p', '9002'], { PORT: '3000' })).toMatchObject({ config: { port: 9002 } });
  });

  it('a missing or broken file is a usage error naming it', () => {
    expect(() => loadConfigFile(join(tree.root, 'nope.json'))).toThrow(/cannot read config file .*nope\.json: ENOENT/);
    expect(() => loadConfigFile(writeConfig('broken.json', '{"port": 80,'))).toThrow(/config file .*broken\.json is not valid JSON/);
  });
});
