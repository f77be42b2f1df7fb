/**
 * Process groups of the harness: every server is started as its own group leader so
 * the whole tree can be stopped with one signal, and a registry lets an exit hook kill
 * whatever is still alive after an error or Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { readAllStats } from './procstat.js';

const liveGroups = new Set<number>();
const liveChildren = new Set<ChildProcess>();

/** Remember a plain child (a load client) so an interrupted run kills it too. */
export function trackChild(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

/** How to start a process, and where its stdout/stderr go. */
export interface SpawnSpec {
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  logPath: string;
  /** `taskset -c` CPU list; empty for no pinning. */
  cpuList: string;
}

/** Start a command as the leader of a new process group, output appended to its log. */
export function spawnGroup(spec: SpawnSpec): ChildProcess {
  const [command, args] = spec.cpuList
    ? ['taskset', ['-c', spec.cpuList, spec.command, ...spec.args]]
    : [spec.command, spec.args];
  const fd = openSync(spec.logPath, 'a');
  try {
    const child = spawn(command, args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    if (child.pid !== undefined) liveGroups.add(child.pid);
    child.on('error', () => undefined);
    return child;
  } finally {
    closeSync(fd);
  }
}

/**
 * Start a command as the leader of a new process group with stdout piped to the caller
 * and stderr piped to the caller (for output that must be seen as it arrives: a banner).
 */
export function spawnGroupPiped(command: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(command, args, { env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid !== undefined) liveGroups.add(child.pid);
  child.on('error', () => undefined);
  return child;
}

/** Pids of the live (non-zombie) members of a process group. */
export function listGroup(pgid: number): number[] {
  return readAllStats()
    .filter((s) => s.pgrp === pgid && s.state !== 'Z' && s.state !== 'X')
    .map((s) => s.pid);
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** SIGTERM the group, wait up to `graceMs` for it to empty, then SIGKILL what is left. */
export async function stopGroup(pgid: number, graceMs = 5000): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && listGroup(pgid).length > 0) await sleep(50);
  if (listGroup(pgid).length > 0) {
    signalGroup(pgid, 'SIGKILL');
    const hardDeadline = Date.now() + 2000;
    while (Date.now() < hardDeadline && listGroup(pgid).length > 0) await sleep(50);
  }
  liveGroups.delete(pgid);
}

/** Kill every group and tracked child still alive; synchronous so it can run in an exit hook. */
export function killAllGroupsSync(): void {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  liveGroups.clear();
  for (const child of liveChildren) child.kill('SIGKILL');
  liveChildren.clear();
}

/**
 * On SIGINT/SIGTERM: say `message`, kill every started group, remove
 * `tempDir`, exit 130; on any exit, kill what is left.
 */
export function installCleanup(tempDir: string, message: (signal: NodeJS.Signals) => void): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    message(signal);
    killAllGroupsSync();
    rmSync(tempDir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', killAllGroupsSync);
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Resolve once 127.0.0.1:port accepts a connection; reject if the child exits or time runs out. */
export async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited early (code ${child.exitCode ?? child.signalCode})`);
    }
    if (await tryConnect(port)) return;
    await sleep(100);
  }
  throw new Error(`port ${port} did not accept connections within ${timeoutMs} ms`);
}

/** Output of a short command; never throws (a missing binary gives code -1). */
export function runCommand(command: string, args: string[], timeoutMs = 10_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', () => resolve({ code: -1, stdout, stderr }));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Live processes whose command name is one of `names` (used to verify nothing is left behind). */
export function findProcessesNamed(names: readonly string[]): { pid: number; comm: string; pgrp: number }[] {
  return readAllStats()
    .filter((s) => names.includes(s.comm) && s.state !== 'Z')
    .map((s) => ({ pid: s.pid, comm: s.comm, pgrp: s.pgrp }));
}
