/**
 * Where the bench finds Bun. Bun is a bench peer, not a dependency of
 * fastsrv: `npm install fastsrv` must not pull its 100 MB binary. So the
 * bench takes $BUN_BINARY, else `bun` on PATH, else a pinned build it
 * installs from npm into a cache folder on first use.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The Bun build the bench installs when none is on the machine (pinned for comparable runs). */
export const BUN_PACKAGE = '@oven/bun-linux-x64@1.4.5';

function getCacheDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'fastsrv-bench', BUN_PACKAGE.replace(/[@/]/g, '_'));
}

/** The Bun binary already on this machine, or null. */
export function findBun(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.BUN_BINARY) return existsSync(env.BUN_BINARY) ? env.BUN_BINARY : null;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, 'bun'))) return join(dir, 'bun');
  }
  const cached = join(getCacheDir(env), 'node_modules/@oven/bun-linux-x64/bin/bun');
  return existsSync(cached) ? cached : null;
}

/** Bun's path, installing the pinned build on first use; a reason string when it cannot. */
export function ensureBun(env: NodeJS.ProcessEnv = process.env): { path: string } | { skip: string } {
  const found = findBun(env);
  if (found !== null) return { path: found };
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return { skip: 'Bun not found: set BUN_BINARY or put bun on PATH (the bench installs it itself only on linux-x64)' };
  }
  const dir = getCacheDir(env);
  process.stderr.write(`bench: installing ${BUN_PACKAGE} into ${dir} (first use)\n`);
  try {
    execFileSync('npm', ['install', '--prefix', dir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', BUN_PACKAGE], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 300_000,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { skip: `Bun not found and installing ${BUN_PACKAGE} failed: ${reason}` };
  }
  const path = findBun(env);
  return path === null ? { skip: `installed ${BUN_PACKAGE} but its binary is missing` } : { path };
}
