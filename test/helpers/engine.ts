/**
 * Which uWebSockets.js build fastsrv must pick on this machine, worked out
 * from the facts the README's engine matrix states (Node.js ABI and glibc),
 * independently of the loader under test.
 */
const CURRENT_ABIS = new Set(['115', '127', '137', '141']);
const LEGACY_ABIS = new Set(['93', '108', '115']);

function readGlibc(): number[] | null {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  const text = report?.header?.glibcVersionRuntime;
  return text === undefined ? null : text.split('.').map(Number);
}

/** True when glibc is at least major.minor (non-glibc systems: false). */
export function hasGlibc(major: number, minor: number): boolean {
  const glibc = readGlibc();
  return glibc !== null && (glibc[0] > major || (glibc[0] === major && glibc[1] >= minor));
}

/** The uWS version fastsrv must load here: '20.57.0', '20.30.0', or null (none loads). */
export function expectedEngineVersion(): '20.57.0' | '20.30.0' | null {
  const abi = process.versions.modules;
  if (process.platform === 'linux' && process.arch === 'x64') {
    if (CURRENT_ABIS.has(abi) && hasGlibc(2, 38)) return '20.57.0';
    if (LEGACY_ABIS.has(abi)) return '20.30.0';
    return null;
  }
  return null;
}

/** True when the current engine (uWS 20.57) serves this run's tests. */
export const isCurrentEngine = expectedEngineVersion() === '20.57.0';
