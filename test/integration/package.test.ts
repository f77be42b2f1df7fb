/**
 * The published package, as a user gets it: `npm pack` the repository,
 * install the tarball into an empty folder without dev dependencies, and
 * serve a request through `npx fastsrv`. Checks that the package holds the
 * server and its types and nothing of the bench.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedEngineVersion } from '../helpers/engine.js';
import { get } from '../helpers/server.js';
import { packAndInstall } from '../helpers/pack.js';

const scratch = mkdtempSync(join(tmpdir(), 'fastsrv-package-'));
let consumer = '';
let packedFiles: readonly string[] = [];

beforeAll(async () => {
  ({ consumer, packedFiles } = await packAndInstall(scratch));
}, 240_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the npm package', () => {
  it('ships the server, its type declarations, README and LICENSE, and nothing of the bench or tests', () => {
    expect(packedFiles).toEqual(expect.arrayContaining([
      'package.json', 'README.md', 'LICENSE', 'dist/src/cli.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/setup/uws.js',
    ]));
    expect(packedFiles.filter((f) => !/^(package\.json|README\.md|LICENSE|dist\/src\/.*\.(js|d\.ts))$/.test(f))).toEqual([]);
  });

  it('installs only what serving needs: no bench peers, no dev tools', () => {
    const installed = readdirSync(join(consumer, 'node_modules')).flatMap((name) =>
      name.startsWith('@') ? readdirSync(join(consumer, 'node_modules', name)).map((sub) => `${name}/${sub}`) : [name],
    );
    expect(installed).toEqual(expect.arrayContaining(['fastsrv', 'uws-current', 'uws-legacy', 'mime-types']));
    for (const name of ['@oven/bun-linux-x64', 'autocannon', 'vitest', 'typescript', 'tinybench', 'playwright-core']) {
      expect(installed).not.toContain(name);
    }
    expect(existsSync(join(consumer, 'node_modules/fastsrv/dist/bench'))).toBe(false);
  });

  it.runIf(expectedEngineVersion() !== null)('npx fastsrv serves a request with 2 workers', async () => {
    const site = join(scratch, 'site');
    mkdirSync(site, { recursive: true });
    writeFileSync(join(site, 'index.html'), '<!doctype html><p>from the package</p>\n');
    const proc = spawn('npx', ['--no-install', 'fastsrv', site, '--host', '127.0.0.1', '--port', '0', '--workers', '2'], {
      cwd: consumer,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    try {
      const port = await new Promise<number>((resolvePort, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner after 30 s:\n${out}`)), 30_000);
        proc.stdout!.on('data', () => {
          const match = /open\s+http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
          if (match) {
            clearTimeout(timer);
            resolvePort(Number(match[1]));
          }
        });
        proc.on('exit', (code) => reject(new Error(`npx fastsrv exited with ${code}:\n${out}`)));
      });
      expect(out).toContain(`engine    uWebSockets.js ${expectedEngineVersion()}`);
      const reply = await get(port, '/');
      expect(reply.status).toBe(200);
      expect(reply.body.toString()).toBe('<!doctype html><p>from the package</p>\n');
    } finally {
      // npx runs fastsrv as a child: signal the whole group.
      if (proc.pid !== undefined && proc.exitCode === null) process.kill(-proc.pid, 'SIGTERM');
      await new Promise((r) => (proc.exitCode === null ? proc.on('exit', r) : r(null)));
    }
  }, 60_000);
});
