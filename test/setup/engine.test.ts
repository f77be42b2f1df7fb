import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeAbi, describeLoadError, formatNoEngineMessage, nameAbi } from '../../src/setup/engine.js';
import { expectedEngineVersion } from '../helpers/engine.js';
import { makeTree } from '../helpers/fixtures.js';
import { get, runCli, startCli } from '../helpers/server.js';

const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

describe('nameAbi', () => {
  it.each([
    ['93', 'Node.js 16'], ['108', 'Node.js 18'], ['115', 'Node.js 20'], ['127', 'Node.js 22'],
    ['137', 'Node.js 24'], ['141', 'Node.js 25'], ['147', 'ABI 147'], ['', 'ABI '],
  ])('%s → %s', (abi, name) => expect(nameAbi(abi)).toBe(name));
});

describe('describeAbi', () => {
  it('lists the Node.js versions a build has binaries for', () => {
    expect(describeAbi('137', ['93', '108', '115'])).toBe('no binary for Node.js 24 (ABI 137); it has: Node.js 16, Node.js 18, Node.js 20');
  });
  it('an unknown ABI and a build without binaries for this platform', () => {
    expect(describeAbi('147', [])).toBe('no binary for ABI 147 (ABI 147); it has: none for this platform');
  });
});

describe('describeLoadError', () => {
  const glibcError =
    "/x/uws_linux_x64_137.node: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found (required by /x/uws_linux_x64_137.node)";
  it.each([
    [glibcError, '2.36', 'uws_linux_x64_137.node needs glibc ≥ 2.38 (this system has 2.36)'],
    [glibcError, null, 'uws_linux_x64_137.node needs glibc ≥ 2.38 (this system does not report one)'],
    ['/x/a.node: invalid ELF header\nmore', '2.36', 'uws_linux_x64_137.node failed to load: /x/a.node: invalid ELF header'],
    ['', '2.36', 'uws_linux_x64_137.node failed to load: '],
  ])('%#', (message, glibc, expected) => expect(describeLoadError('uws_linux_x64_137.node', message, glibc)).toBe(expected));
});

describe('formatNoEngineMessage', () => {
  it('one line per candidate, then what to do', () => {
    const text = formatNoEngineMessage(
      [
        { label: 'FASTSRV_UWS=/opt/uws', version: null, reason: 'not found (no package.json at or above /opt/uws)' },
        { label: '@btc-vision/uwebsockets.js', version: '20.57.0', reason: 'needs glibc ≥ 2.38' },
      ],
      'Node.js v24.0.0 (ABI 137, linux-x64, glibc 2.36)',
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe('no native uWebSockets.js build loads on Node.js v24.0.0 (ABI 137, linux-x64, glibc 2.36):');
    expect(lines[1]).toBe('  - FASTSRV_UWS=/opt/uws: not found (no package.json at or above /opt/uws)');
    expect(lines[2]).toBe('  - @btc-vision/uwebsockets.js 20.57.0: needs glibc ≥ 2.38');
    expect(lines[3]).toMatch(/glibc ≥ 2\.38.*Node\.js 16, 18 or 20.*FASTSRV_UWS.*--allow-js-fallback/);
    expect(lines).toHaveLength(4);
  });
});

describe('the engine fastsrv loads on this machine', () => {
  const tree = makeTree({ 'index.html': 'hi\n' });
  const scratch = mkdtempSync(join(tmpdir(), 'fastsrv-engine-'));
  afterAll(() => {
    tree.remove();
    rmSync(scratch, { recursive: true, force: true });
  });
  const expected = expectedEngineVersion();
  const expectedPackage = expected === '20.57.0' ? '@btc-vision/uwebsockets.js' : '@trufflesuite/uws-js-unofficial';

  it.runIf(expected !== null)('--version names fastsrv, Node.js and the engine the matrix says', async () => {
    const { code, stdout } = await runCli(['--version']);
    expect(code).toBe(0);
    expect(stdout).toBe(`fastsrv ${VERSION} (Node.js ${process.version}, uWebSockets.js ${expected} from ${expectedPackage})\n`);
  });

  it.runIf(expected !== null)('the banner names the engine', async () => {
    const server = await startCli(tree.root);
    try {
      expect(server.banner).toContain(`  engine    uWebSockets.js ${expected} from ${expectedPackage} on Node.js ${process.version}\n`);
      expect((await get(server.port, '/')).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it.runIf(expected === null)('no build loads: one message lists each candidate', async () => {
    const { code, stderr } = await runCli([tree.root, '--port', '0']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^fastsrv: no native uWebSockets.js build loads on Node.js/);
  });

  it.runIf(expected !== null)('FASTSRV_UWS names a package to load first', async () => {
    const dir = resolve(`node_modules/${expected === '20.57.0' ? 'uws-current' : 'uws-legacy'}`);
    const { code, stdout } = await runCli(['--version'], { FASTSRV_UWS: dir });
    expect(code).toBe(0);
    expect(stdout).toBe(`fastsrv ${VERSION} (Node.js ${process.version}, uWebSockets.js ${expected} from FASTSRV_UWS=${dir})\n`);
  });

  it.runIf(expected !== null)('a FASTSRV_UWS build that does not load is passed over, and the banner says why', async () => {
    // A package whose binary for this Node.js is not a shared object.
    const fake = join(scratch, 'broken-uws');
    mkdirSync(fake, { recursive: true });
    writeFileSync(join(fake, 'package.json'), JSON.stringify({ name: 'uWebSockets.js', version: '20.99.0', main: 'uws.js' }));
    writeFileSync(join(fake, 'uws.js'), 'throw new Error("never required");\n');
    writeFileSync(join(fake, `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`), 'not an ELF file');
    const server = await startCli(tree.root, ['--workers', '1'], { FASTSRV_UWS: join(fake, 'uws.js') });
    try {
      expect(server.banner).toContain(`uWebSockets.js ${expected} from ${expectedPackage}`);
      expect(server.banner).toMatch(
        new RegExp(`note      not used: FASTSRV_UWS=.*broken-uws/uws\\.js: uws_\\w+\\.node failed to load: .*`),
      );
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('UWS_USE_FALLBACK refuses every native build: exit 1, each candidate and the way out', async () => {
    const { code, stderr } = await runCli([tree.root, '--port', '0'], { UWS_USE_FALLBACK: '1', FASTSRV_UWS: join(scratch, 'none') });
    expect(code).toBe(1);
    const lines = stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^fastsrv: no native uWebSockets.js build loads on Node.js v\d+\S* \(ABI \d+, /);
    expect(lines[1]).toMatch(/^ {2}- FASTSRV_UWS=.*none: not found \(no package\.json at or above /);
    expect(lines[2]).toBe('  - @btc-vision/uwebsockets.js 20.57.0: the environment variable UWS_USE_FALLBACK is set');
    expect(lines[3]).toBe('  - @trufflesuite/uws-js-unofficial 20.30.0-unofficial.0: the environment variable UWS_USE_FALLBACK is set');
    expect(lines[4]).toContain('--allow-js-fallback');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
