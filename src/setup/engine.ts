/**
 * What the engine loader (uws.ts) tells a user when a uWebSockets.js build
 * does not load: pure text from facts, so every case has a table test.
 */

/** One build the loader tried, and why it is not usable here. */
export interface CandidateFailure {
  /** npm package name, or `FASTSRV_UWS=path`. */
  readonly label: string;
  readonly version: string | null;
  readonly reason: string;
}

/** Node.js major version of each native-module ABI a uWS build may ship. */
const NODE_BY_ABI: Readonly<Record<string, string>> = {
  '93': '16', '108': '18', '115': '20', '127': '22', '137': '24', '141': '25',
};

/** "Node.js 20" for ABI 115, "ABI 150" when unknown. */
export function nameAbi(abi: string): string {
  const major = NODE_BY_ABI[abi];
  return major === undefined ? `ABI ${abi}` : `Node.js ${major}`;
}

/** Why a build has no binary for this Node.js: the ABIs it does have. */
export function describeAbi(abi: string, available: readonly string[]): string {
  const have = available.length === 0 ? 'none for this platform' : available.map(nameAbi).join(', ');
  return `no binary for ${nameAbi(abi)} (ABI ${abi}); it has: ${have}`;
}

/**
 * Why a binary failed to load, from the dynamic loader's message. The usual
 * case is a build linked against a newer glibc than the system's
 * ("version `GLIBC_2.38' not found"): say which glibc it needs.
 */
export function describeLoadError(file: string, message: string, glibc: string | null): string {
  const firstLine = message.split('\n')[0];
  const needed = /GLIBC_(\d+\.\d+)'? not found/.exec(firstLine);
  if (needed !== null) {
    const system = glibc === null ? 'this system does not report one' : `this system has ${glibc}`;
    return `${file} needs glibc ≥ ${needed[1]} (${system})`;
  }
  return `${file} failed to load: ${firstLine}`;
}

/** The start-up error when no native build loads: each candidate, then the way out. */
export function formatNoEngineMessage(failures: readonly CandidateFailure[], runtime: string): string {
  const lines = [`no native uWebSockets.js build loads on ${runtime}:`];
  for (const { label, version, reason } of failures) {
    lines.push(`  - ${label}${version === null ? '' : ` ${version}`}: ${reason}`);
  }
  lines.push(
    'uWebSockets.js 20.57 needs Node.js 20, 22, 24 or 25 and, on Linux, glibc ≥ 2.38 (Debian 13, Ubuntu 24.04); ' +
      '20.30 needs Node.js 16, 18 or 20 (any glibc). ' +
      'Use one of those, or set FASTSRV_UWS to a uWebSockets.js build for this Node.js, ' +
      'or pass --allow-js-fallback to run on the slow pure-JavaScript server.',
  );
  return lines.join('\n');
}
