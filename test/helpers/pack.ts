/**
 * The package as a user gets it: `npm pack` the repository and install the
 * tarball into an empty folder without dev dependencies (from npm's cache
 * after `npm ci`; the registry is asked only for what is not there).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const REPO = resolve(import.meta.dirname, '../..');

export interface InstalledPackage {
  /** The folder with node_modules/fastsrv. */
  readonly consumer: string;
  /** Paths inside the tarball. */
  readonly packedFiles: readonly string[];
}

/** Pack into `scratch` and install into `scratch`/consumer (an ESM package). */
export async function packAndInstall(scratch: string): Promise<InstalledPackage> {
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: REPO });
  const [info] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
  const consumer = join(scratch, 'consumer');
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await run('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', join(scratch, info.filename)], {
    cwd: consumer,
    maxBuffer: 16 * 1024 * 1024,
  });
  return { consumer, packedFiles: info.files.map((f) => f.path) };
}
