/** Start a target from its plan as a process group, wait for its port, gate it. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runGate } from './gate.js';
import { findFreePort, spawnGroup, stopGroup, waitForPort } from './proc.js';
import { isSkip, type LaunchVariant, type TargetDefinition } from './targets/common.js';
import { probeTls, type TlsFiles } from './tls.js';
import type { GateResult, TargetStatus } from './types.js';

const START_TIMEOUT_MS = 30_000;
/** After the port accepts, let the remaining workers of a multi-process server bind too. */
const SETTLE_MS = 500;

export interface RunningTarget {
  name: string;
  pid: number;
  port: number;
  baseUrl: string;
  /** Which launch of the target this is. */
  variant: LaunchVariant;
  /** Null for a reference point, which is not gated. */
  gate: GateResult | null;
  /** Scenario names a reference point is measured in; null: every scenario. */
  scenarios: readonly string[] | null;
  stop(): Promise<void>;
}

export interface LaunchContext {
  root: string;
  tempDir: string;
  workers: number;
  /** Most concurrent connections any selected scenario opens. */
  connections: number;
  repoDir: string;
  serverCpus: string;
  /** Start the target serving HTTPS with these files; null: plain HTTP. */
  tls: TlsFiles | null;
  /** Default plain. */
  variant?: LaunchVariant;
}

function readLogTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-3).join(' | ').slice(-400);
  } catch {
    return '';
  }
}

/** Start, wait and gate one target; a status with started=false carries the reason. */
export async function launchTarget(def: TargetDefinition, ctx: LaunchContext): Promise<{ status: TargetStatus; running: RunningTarget | null }> {
  const variant = ctx.variant ?? 'plain';
  const status: TargetStatus = { name: def.name, started: false, skipReason: null, port: null, version: null, command: null, gate: null };
  if (ctx.tls) status.tls = null;
  if (variant !== 'plain') status.variant = variant;
  if (def.reference) status.reference = { scenarios: [...def.reference.scenarios], note: def.reference.note };
  const workDir = join(ctx.tempDir, ctx.tls ? `${def.name}-tls` : variant === 'plain' ? def.name : `${def.name}-${variant}`);
  mkdirSync(workDir, { recursive: true, mode: 0o755 });
  const port = await findFreePort();
  const tls = ctx.tls ? { cert: ctx.tls.cert, key: ctx.tls.key } : null;
  const plan = def.plan({ root: ctx.root, workDir, port, workers: ctx.workers, connections: ctx.connections, repoDir: ctx.repoDir, tls, variant });
  if (isSkip(plan)) return { status: { ...status, skipReason: plan.skip }, running: null };
  for (const file of plan.files) writeFileSync(file.path, file.text);
  const logPath = join(workDir, 'server.log');
  const child = spawnGroup({ command: plan.command, args: plan.args, env: plan.env, logPath, cpuList: ctx.serverCpus });
  const pid = child.pid;
  status.command = [plan.command, ...plan.args].join(' ') + ` (${plan.workerNote})`;
  if (pid === undefined) return { status: { ...status, skipReason: `failed to spawn ${plan.command}` }, running: null };
  try {
    await waitForPort(port, child, START_TIMEOUT_MS);
    await sleep(SETTLE_MS);
  } catch (error) {
    await stopGroup(pid);
    return { status: { ...status, skipReason: `failed to start: ${(error as Error).message}; log: ${readLogTail(logPath)}` }, running: null };
  }
  const baseUrl = `${ctx.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  if (ctx.tls) status.tls = await probeTls(port, ctx.tls.ca).catch(() => null);
  // A reference point answers by path alone: the gate would fail it by design.
  const gate = def.reference ? null : await runGate(baseUrl, ctx.root, ctx.repoDir, ctx.tls?.ca);
  const scenarios = def.reference ? def.reference.scenarios : null;
  const running: RunningTarget = { name: def.name, pid, port, baseUrl, variant, gate, scenarios, stop: () => stopGroup(pid) };
  return { status: { ...status, started: true, port, gate }, running };
}
