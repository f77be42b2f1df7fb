import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatUsage, parseArguments } from '../src/cli.js';
import { parseSni, UsageError } from '../src/setup/config.js';
import { makeTree } from './helpers/fixtures.js';
import { runCli, startCli } from './helpers/server.js';

const tree = makeTree({ 'index.html': 'hi\n' });
const aFile = resolve(tree.root, 'index.html');
afterAll(() => tree.remove());

describe('parseArguments', () => {
  it('defaults: root ., port 8080, host 0.0.0.0, 1 worker', () => {
    const command = parseArguments([]);
    expect(command).toEqual({
      kind: 'serve',
      config: {
        root: process.cwd(),
        host: '0.0.0.0',
        port: 8080,
        workers: 1,
        allowJsFallback: false,
        drainTimeout: 5,
        maxAge: 0,
        immutable: false,
        spa: false,
        cleanUrls: false,
        dotfiles: 'ignore',
        cors: false,
        headers: [],
        listing: false,
        compress: true,
        compressStore: join(tmpdir(), `fastsrv-${process.getuid!()}`, 'compressed'),
        compressStoreSize: 1024 ** 3,
        cacheSize: 256 * 1024 * 1024,
        maxFileSize: 8 * 1024 * 1024,
        accessLog: null,
        logFormat: 'combined',
        admin: null,
        pidFile: null,
        watch: true,
        tls: null,
        httpPort: null,
      },
    });
  });

  it('reads every option', () => {
    const command = parseArguments([tree.root, '--port', '0', '--host', '127.0.0.1', '--workers', '3', '--drain-timeout', '2']);
    expect(command.kind === 'serve' && command.config).toMatchObject({ root: tree.root, port: 0, host: '127.0.0.1', workers: 3, drainTimeout: 2 });
  });

  it('--workers auto is os.availableParallelism()', () => {
    const command = parseArguments(['--workers', 'auto']);
    expect(command.kind === 'serve' && command.config.workers).toBe(availableParallelism());
  });

  it('PORT from the environment, overridden by --port', () => {
    expect(parseArguments([], { PORT: '3000' })).toMatchObject({ config: { port: 3000 } });
    expect(parseArguments(['--port', '4000'], { PORT: '3000' })).toMatchObject({ config: { port: 4000 } });
  });

  it('help, version, check', () => {
    expect(parseArguments(['--help'])).toEqual({ kind: 'help' });
    expect(parseArguments(['-v'])).toEqual({ kind: 'version' });
    expect(parseArguments(['check', 'http://127.0.0.1:8080/', '--root', 'x'])).toEqual({
      kind: 'check',
      url: 'http://127.0.0.1:8080/',
      root: 'x',
    });
  });

  it.each([
    [['--port', 'abc'], /invalid port "abc"/],
    [['--port', '65536'], /invalid port/],
    [['--port', '-1'], /invalid port|argument is ambiguous/],
    [['--port', '1.5'], /invalid port/],
    [['--workers', '0'], /invalid --workers "0"/],
    [['--workers', 'two'], /invalid --workers/],
    [['--workers', '-2'], /invalid --workers|argument is ambiguous/],
    [['--drain-timeout', 'x'], /invalid --drain-timeout/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['--port'], /argument missing/],
    [['/definitely/not/here'], /root directory "\/definitely\/not\/here" does not exist/],
    [[aFile], /is not a directory/],
    [['a', 'b'], /expected one root directory/],
    [['check'], /check needs exactly one URL/],
    [['--max-age', '-5'], /invalid --max-age|argument is ambiguous/],
    [['--max-age', '1e3'], /invalid --max-age/],
    [['--dotfiles', 'show'], /invalid --dotfiles "show"/],
    [['--header', 'NoColon'], /invalid --header "NoColon"/],
    [['--header', 'Bad Name: x'], /invalid --header/],
    [['--header', 'Content-Length: 5'], /--header cannot set Content-Length/],
    [['--header', 'ETag: "x"'], /--header cannot set ETag/],
    [['check', 'ftp://x'], /http:\/\//],
    [['--cert', 'c.pem'], /^--cert needs --key/],
    [['--key', 'k.pem'], /^--key needs --cert/],
    [['--passphrase-file', 'p'], /^--passphrase-file needs --cert and --key/],
    [['--sni', 'a.test=c,k'], /^--sni needs --cert and --key/],
    [['--http-port', '80'], /^--http-port redirects to https:\/\/ and needs --cert and --key/],
    [['--cert', 'c', '--key', 'k', '--http-port', '8443', '--port', '8443'], /--http-port 8443 is also --port/],
    [['--cert', 'c', '--key', 'k', '--http-port', 'x'], /invalid port "x"/],
    [['--cert', 'c', '--key', 'k', '--sni', 'a.test=c,k', '--sni', 'A.test=d,e'], /--sni a\.test is given twice/],
    [['--access-log', ''], /invalid --access-log ""/],
    [['--log-format', 'json'], /--log-format needs --access-log/],
    [['--access-log', 'x.log', '--log-format', 'common'], /invalid --log-format "common": expected combined or json/],
    [['--pid-file', '-'], /invalid --pid-file "-"/],
    [['--admin', '9100'], /invalid --admin "9100": expected HOST:PORT/],
    [['--admin', '127.0.0.1'], /invalid --admin "127.0.0.1": expected HOST:PORT/],
    [['--admin', ':9100'], /invalid --admin ":9100"/],
    [['--admin', '127.0.0.1:'], /invalid --admin/],
    [['--admin', '127.0.0.1:65536'], /invalid --admin "127.0.0.1:65536": expected HOST:PORT \(port 0 to 65535\)/],
    [['--admin', '127.0.0.1:-1'], /invalid --admin/],
    [['--admin', '127.0.0.1:91OO'], /invalid --admin/],
    [['--admin', 'http://127.0.0.1:9100'], /invalid --admin/],
    [['--admin', '::1:9100'], /invalid --admin "::1:9100"/],
    [['--admin', '[::1]9100'], /invalid --admin/],
    [['--admin', '127.0.0.1:8080'], /--admin port 8080 is the site's --port/],
    [['--admin', '127.0.0.1:3000', '--port', '3000'], /--admin port 3000 is the site's --port/],
    [['--cert', 'c', '--key', 'k', '--http-port', '8081', '--admin', '127.0.0.1:8081'], /--admin port 8081 is also --http-port/],
    [['--compress-store', aFile], /--compress-store ".*index.html" is not a directory/],
    [['--compress-store', ''], /invalid --compress-store ""/],
    [['--compress-store-size', '0'], /invalid --compress-store-size "0": expected more than 0 bytes/],
    [['--compress-store-size', 'lots'], /invalid --compress-store-size "lots"/],
    [['compress'], /compress needs exactly one directory/],
    [['compress', 'a', 'b'], /compress needs exactly one directory/],
    [['compress', '/definitely/not/here'], /root directory "\/definitely\/not\/here" does not exist/],
    [['compress', aFile], /is not a directory/],
    [['compress', tree.root, '--port', '1'], /Unknown option '--port'/],
  ])('%j → UsageError %s', (argv, message) => {
    expect(() => parseArguments(argv)).toThrow(UsageError);
    expect(() => parseArguments(argv)).toThrow(message);
  });

  it('reads the serving options', () => {
    const command = parseArguments([
      '--max-age', '600', '--immutable', '--spa', '--clean-urls', '--dotfiles', 'deny', '--cors',
      '--header', 'X-A: 1', '--header', 'X-B:  two words ', '--no-compress',
    ]);
    expect(command.kind === 'serve' && command.config).toMatchObject({
      maxAge: 600,
      immutable: true,
      spa: true,
      cleanUrls: true,
      dotfiles: 'deny',
      cors: true,
      headers: [['X-A', '1'], ['X-B', 'two words']],
      compress: false,
    });
  });

  it('TLS options: absolute paths, SNI names lower-case, --http-port', () => {
    const command = parseArguments([
      '--cert', 'c.pem', '--key', '/k.pem', '--passphrase-file', 'pass', '--sni', 'Www.Example.com=s.pem,s.key',
      '--sni', '*.example.org=/w.pem,/w.key', '--http-port', '8080', '--port', '8443',
    ]);
    expect(command.kind === 'serve' && command.config).toMatchObject({
      port: 8443,
      httpPort: 8080,
      tls: {
        cert: resolve('c.pem'),
        key: '/k.pem',
        passphraseFile: resolve('pass'),
        sni: [
          { name: 'www.example.com', cert: resolve('s.pem'), key: resolve('s.key') },
          { name: '*.example.org', cert: '/w.pem', key: '/w.key' },
        ],
      },
    });
  });

  it.each([
    [['--access-log', 'logs/access.log'], { accessLog: resolve('logs/access.log'), logFormat: 'combined' }],
    [['--access-log', '-', '--log-format', 'json'], { accessLog: '-', logFormat: 'json' }],
    [['--access-log', '/var/log/a.log', '--log-format', 'combined'], { accessLog: '/var/log/a.log', logFormat: 'combined' }],
    [['--admin', '127.0.0.1:9100'], { admin: { host: '127.0.0.1', port: 9100 } }],
    [['--admin', '127.0.0.1:0'], { admin: { host: '127.0.0.1', port: 0 } }],
    [['--admin', '[::1]:9100'], { admin: { host: '::1', port: 9100 } }],
    [['--admin', '10.0.0.5:9100'], { admin: { host: '10.0.0.5', port: 9100 } }],
    [['--admin', 'localhost:9100'], { admin: { host: 'localhost', port: 9100 } }],
    [['--admin', '0.0.0.0:9100', '--port', '0'], { admin: { host: '0.0.0.0', port: 9100 } }],
    [['--admin', '127.0.0.1:0', '--port', '0'], { admin: { host: '127.0.0.1', port: 0 } }],
    [['--pid-file', 'run/fastsrv.pid'], { pidFile: resolve('run/fastsrv.pid') }],
  ])('%j → %j', (argv, expected) => {
    const command = parseArguments(argv);
    expect(command.kind === 'serve' && command.config).toMatchObject(expected);
  });

  it('--admin is checked against $PORT too', () => {
    expect(() => parseArguments(['--admin', '127.0.0.1:3000'], { PORT: '3000' })).toThrow(/is the site's --port/);
  });

  it('compress DIR: the directory as given and its absolute path', () => {
    expect(parseArguments(['compress', tree.root])).toEqual({ kind: 'compress', dir: tree.root, root: tree.root });
    const relative = parseArguments(['compress', '.']);
    expect(relative).toEqual({ kind: 'compress', dir: '.', root: process.cwd() });
    expect(parseArguments(['compress', '--help'])).toEqual({ kind: 'help' });
  });

  it('--compress-store (resolved, may not exist yet) and --compress-store-size', () => {
    const command = parseArguments(['--compress-store', 'some/new/dir', '--compress-store-size', '64M']);
    expect(command.kind === 'serve' && command.config).toMatchObject({ compressStore: resolve('some/new/dir'), compressStoreSize: 64 * 1024 * 1024 });
  });

  it('usage lists every option', () => {
    const usage = formatUsage();
    for (const flag of ['--port', '--host', '--workers', '--help', '--version', '--allow-js-fallback', '--cert', '--key', '--passphrase-file', '--sni', '--http-port', '--access-log', '--log-format', '--admin', '--pid-file', '--compress-store', '--compress-store-size', 'compress DIR']) {
      expect(usage).toContain(flag);
    }
  });
});

describe('parseSni', () => {
  it.each([
    ['example.com=/c.pem,/k.pem', { name: 'example.com', cert: '/c.pem', key: '/k.pem' }],
    ['EXAMPLE.com.=/c.pem,/k.pem', { name: 'example.com', cert: '/c.pem', key: '/k.pem' }],
    ['*.example.com=/c,/k', { name: '*.example.com', cert: '/c', key: '/k' }],
    ['a-b.c-d.example=/c,/k', { name: 'a-b.c-d.example', cert: '/c', key: '/k' }],
    ['localhost=rel/c.pem,rel/k.pem', { name: 'localhost', cert: resolve('rel/c.pem'), key: resolve('rel/k.pem') }],
    ['x.test=/a=b.pem,/k', { name: 'x.test', cert: '/a=b.pem', key: '/k' }],
  ])('%s', (text, want) => {
    expect(parseSni(text)).toEqual(want);
  });

  it.each([
    ['example.com', /expected NAME=CERT,KEY/],
    ['=c,k', /expected NAME=CERT,KEY/],
    ['example.com=c', /expected NAME=CERT,KEY/],
    ['example.com=c,', /expected NAME=CERT,KEY/],
    ['example.com=,k', /expected NAME=CERT,KEY/],
    ['example.com=a,b,c', /file names without commas/],
    ['exa mple.com=c,k', /invalid --sni name "exa mple.com"/],
    ['-example.com=c,k', /invalid --sni name/],
    ['example-.com=c,k', /invalid --sni name/],
    ['a..b=c,k', /invalid --sni name/],
    ['*=c,k', /invalid --sni name/],
    ['a.*.b=c,k', /invalid --sni name/],
    ['127.0.0.1=c,k', /clients send no SNI for IP addresses/],
    ['[::1]=c,k', /invalid --sni name/],
    [`${'a'.repeat(64)}.com=c,k`, /invalid --sni name/],
  ])('%s → UsageError %s', (text, message) => {
    expect(() => parseSni(text)).toThrow(UsageError);
    expect(() => parseSni(text)).toThrow(message);
  });
});

describe('the CLI process', () => {
  it('--help exits 0 with usage on stdout', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: fastsrv');
  });

  it('--version prints the package version', async () => {
    const { code, stdout } = await runCli(['--version']);
    expect(code).toBe(0);
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(stdout).toMatch(new RegExp(`^fastsrv ${version.replace(/\./g, '\\.')} \\(Node\\.js v\\d+\\S*, [^\\n]+\\)\\n$`));
  });

  it.each([
    [['--workers', '0'], 'invalid --workers "0"'],
    [['--port', 'abc'], 'invalid port "abc"'],
    [['--frobnicate'], "Unknown option '--frobnicate'"],
    [['/no/such/dir'], 'does not exist'],
    [[aFile], 'is not a directory'],
  ])('%j: one clear line, the usage, exit 2, no stack trace', async (argv, message) => {
    const { code, stderr, stdout } = await runCli(argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')[0]).toBe(`fastsrv: ${stderr.split('\n')[0].slice('fastsrv: '.length)}`);
    expect(stderr.split('\n')[0]).toContain(message);
    expect(stderr).toContain('Usage: fastsrv');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('a port already in use: clear message, non-zero exit', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const { code, stderr } = await runCli([tree.root, '--host', '127.0.0.1', '--port', String(port)]);
    blocker.close();
    expect(code).toBe(1);
    expect(stderr).toBe(`fastsrv: 127.0.0.1:${port} is already in use\n`);
  });

  it('refuses to start on the uWS JS fallback, with the reason', async () => {
    const { code, stderr } = await runCli([tree.root, '--port', '0'], { UWS_USE_FALLBACK: '1' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^fastsrv: no native uWebSockets.js build loads on /);
    expect(stderr).toContain(': the environment variable UWS_USE_FALLBACK is set\n');
    expect(stderr).toContain('--allow-js-fallback');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('--allow-js-fallback starts anyway and says it is slow', async () => {
    const server = await startCli(tree.root, ['--allow-js-fallback', '--workers', '1'], { UWS_USE_FALLBACK: '1' });
    try {
      expect(server.banner).toContain('SLOW: uWebSockets.js JS fallback');
    } finally {
      await server.stop();
    }
  });

  it('the banner says version, root, files, bytes, workers and the URL', async () => {
    writeFileSync(resolve(tree.root, 'two.txt'), '12345');
    const server = await startCli(tree.root);
    try {
      expect(server.banner).toMatch(/^fastsrv \d+\.\d+\.\d+ ready in \d+ ms\n/);
      expect(server.banner).toContain(`root      ${tree.root}`);
      expect(server.banner).toContain('cache     2 files, 8 B per worker');
      expect(server.banner).toContain('workers   2');
      expect(server.banner).toContain(`open      http://127.0.0.1:${server.port}/`);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
