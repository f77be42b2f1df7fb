/** The machine a run happened on: CPU, kernel and the version of every peer. */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, hostname, release, totalmem, version } from 'node:os';
import { join } from 'node:path';
import { getClockTicks } from './procstat.js';
import { runCommand } from './proc.js';
import { findBun } from './targets/bun-binary.js';
import { findExecutable } from './targets/common.js';

/** First line of a command's output that matches, or 'not installed'. */
async function readVersion(command: string, args: string[], pattern: RegExp): Promise<string> {
  const { code, stdout, stderr } = await runCommand(command, args);
  if (code === -1) return 'not installed';
  const match = pattern.exec(`${stdout}\n${stderr}`);
  return match ? match[1]!.trim() : 'unknown';
}

function readCpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) return match[1]!.trim();
  } catch {
    // Not Linux; fall back to os.cpus().
  }
  return cpus()[0]?.model ?? 'unknown';
}

function readPackageVersion(repoDir: string, name: string): string {
  const path = join(repoDir, 'node_modules', name, 'package.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version : 'not installed';
}

/** Key/value facts for the report; versions come from each binary itself. */
export async function gatherMachineInfo(repoDir: string): Promise<Record<string, string>> {
  const bun = findBun();
  const [fastsrv, nginx, apache, lighttpd, h2o, caddy, bunVersion, wrk] = await Promise.all([
    // "fastsrv 0.2.0 (Node.js v24.22.3, uWebSockets.js 20.57.0 from …)": the engine is part of the result.
    readVersion(process.execPath, [join(repoDir, 'dist/src/cli.js'), '--version'], /^fastsrv (.+)$/m),
    readVersion('nginx', ['-v'], /nginx version: nginx\/(\S+)/),
    readVersion(findExecutable('apache2') ?? '/usr/sbin/apache2', ['-v'], /Server version: Apache\/(\S+)/),
    readVersion('lighttpd', ['-v'], /lighttpd\/(\S+)/),
    readVersion('h2o', ['--version'], /h2o version (\S+)/),
    readVersion('caddy', ['version'], /^(v?\d\S*)/m),
    bun !== null ? readVersion(bun, ['--version'], /^(\d\S*)/m) : Promise.resolve('not installed'),
    readVersion('wrk', ['-v'], /wrk (\S+)/),
  ]);
  return {
    date: new Date().toISOString(),
    hostname: hostname(),
    cpuModel: readCpuModel(),
    cores: String(cpus().length),
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    kernel: `${release()} (${version()})`,
    clockTicksPerSec: String(getClockTicks()),
    node: process.version,
    fastsrv,
    nginx, apache, lighttpd, h2o, caddy, bun: bunVersion, wrk,
    autocannon: readPackageVersion(repoDir, 'autocannon'),
  };
}
