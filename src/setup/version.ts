/** The package version, read once from package.json. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeEngine, loadEngine, NativeLoadError } from './uws.js';

let cached: string | null = null;

/** fastsrv's version (works from src/ under vitest and from dist/src/). */
export function getVersion(): string {
  if (cached !== null) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'fastsrv' && pkg.version) return (cached = pkg.version);
    }
    dir = dirname(dir);
  }
  return (cached = '0.0.0');
}

/** "fastsrv 0.2.0 (Node.js v24.22.3, uWebSockets.js 20.57.0 from @btc-vision/uwebsockets.js)". */
export function formatVersion(): string {
  let engine: string;
  try {
    engine = describeEngine(loadEngine(false));
  } catch (error) {
    if (!(error instanceof NativeLoadError)) throw error;
    engine = 'no native uWebSockets.js build loads here: run fastsrv for the reasons';
  }
  return `fastsrv ${getVersion()} (Node.js ${process.version}, ${engine})`;
}
