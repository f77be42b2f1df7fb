/**
 * The one module that loads uWebSockets.js.
 *
 * The npm package (@trufflesuite/uws-js-unofficial, aliased as
 * uWebSockets.js) silently falls back to a pure-JS server when its native
 * binary does not load, or when UWS_USE_FALLBACK is set. That fallback is many
 * times slower than the native one, and fastsrv exists for speed, so loading
 * it is an error unless the user asks for it.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Uws from 'uWebSockets.js';

export type UwsModule = typeof Uws;
export type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket } from 'uWebSockets.js';

const require = createRequire(import.meta.url);

/** A start-up error with a code and a message meant for the user. */
export class NativeLoadError extends Error {
  readonly code = 'ENATIVE';
}

let loaded: UwsModule | null = null;

/**
 * Load uWebSockets.js and check it is the native build. Throws
 * NativeLoadError with the reason (and the way out) otherwise, unless
 * `allowFallback` is set, in which case the JS fallback is returned.
 */
export function loadUws(allowFallback: boolean): UwsModule {
  if (loaded !== null) return loaded;
  const problem = findNativeProblem();
  if (problem !== null && !allowFallback) {
    throw new NativeLoadError(
      `the native uWebSockets.js binary is not usable: ${problem}. ` +
        'The package would fall back to a slow pure-JavaScript server; fastsrv refuses to run on it. ' +
        'The package ships binaries for Node.js 16, 18 and 20 (ABI 93, 108, 115) on linux/darwin x64/arm64 and win32 x64; ' +
          'use one of those, ' +
        'or pass --allow-js-fallback to run slowly anyway.',
    );
  }
  // The package prints its own warning when it falls back; we said more above.
  const warn = console.warn;
  const log = console.log;
  console.warn = console.log = () => {};
  try {
    loaded = require('uWebSockets.js') as UwsModule;
  } finally {
    console.warn = warn;
    console.log = log;
  }
  return loaded;
}

/** True when the loaded module is the native binary, not the JS fallback. */
export function isNative(uws: UwsModule): boolean {
  // The fallback exports App and a couple of helpers; only the native addon
  // has H3App and getParts.
  const exports = uws as unknown as Record<string, unknown>;
  return typeof exports.H3App === 'function' && typeof exports.getParts === 'function';
}

/** Why the native binary cannot be used, or null when it loads. */
function findNativeProblem(): string | null {
  const flag = process.env.UWS_USE_FALLBACK;
  if (flag !== undefined && /^(1|true)$/i.test(flag)) {
    return 'the environment variable UWS_USE_FALLBACK is set';
  }
  const name = `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  let packageDir: string;
  try {
    packageDir = dirname(require.resolve('uWebSockets.js/package.json'));
  } catch {
    return 'the package uWebSockets.js is not installed (run npm ci)';
  }
  try {
    const native = require(join(packageDir, 'binaries', name)) as UwsModule;
    return isNative(native) ? null : `${name} does not look like the uWS addon`;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return `${name} (Node.js ${process.version}, ABI ${process.versions.modules}) failed to load: ${reason}`;
  }
}
