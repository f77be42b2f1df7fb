/**
 * Instructions per request, the noise-free measure (issue 17): each server
 * runs under `valgrind --tool=callgrind --trace-children=yes`; per scenario
 * the load client sends warm-up requests over keep-alive connections, the
 * counters of the server's processes are zeroed, the counted requests are
 * sent, the counters dumped, and the busiest process's total is divided by
 * the request count. Servers: fastsrv (1 worker), nginx, lighttpd, a
 * minimal uWebSockets.js handler and a C epoll floor.
 *
 *   npm run bench:instructions -- [--targets fastsrv,nginx] [--out results]
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFixtures } from './fixtures.js';
import { gatherMachineInfo } from './machine.js';
import { findFreePort, installCleanup, listGroup, runCommand, spawnGroup, stopGroup, waitForPort } from './proc.js';
import { readStat } from './procstat.js';
import { buildValgrindArgs, dumpTotals, listCallgrindPids, zeroCounters } from './instructions/callgrind.js';
import { runLoad } from './instructions/client.js';
import { INSTRUCTIONS_HELP, parseInstructionOptions, type InstructionOptions } from './instructions/options.js';
import { formatInstructionTable, type InstructionRow } from './instructions/report.js';
import { buildRequest, findEtag, INSTRUCTION_SCENARIOS, type InstructionScenario } from './instructions/scenarios.js';
import { isSkip, type LaunchPlan, type TargetContext } from './targets/common.js';
import { fastsrv } from './targets/launchers.js';
import { lighttpd } from './targets/lighttpd.js';
import { nginx } from './targets/nginx.js';
import { floor, uwsMinimal } from './targets/reference.js';

const REPO_DIR = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const START_TIMEOUT_MS = 300_000;
const LOAD_TIMEOUT_MS = 900_000;

interface Planned {
  readonly plan: LaunchPlan | null;
  readonly skip: string;
  /** Answers by path alone (floor servers). */
  readonly isFloor: boolean;
}

function planTarget(name: string, ctx: TargetContext): Planned {
  const fromDefinition = (outcome: ReturnType<typeof fastsrv.plan>): Planned =>
    isSkip(outcome) ? { plan: null, skip: outcome.skip, isFloor: false } : { plan: outcome, skip: '', isFloor: false };
  switch (name) {
    case 'fastsrv':
      return fromDefinition(fastsrv.plan(ctx));
    case 'nginx': {
      // Under valgrind the worker nginx forks never accepted a connection;
      // without a master the one process runs the same request path.
      const planned = fromDefinition(nginx.plan(ctx));
      for (const file of planned.plan?.files ?? []) file.text = file.text.replace('master_process on;', 'master_process off;');
      return planned;
    }
    case 'lighttpd':
      return fromDefinition(lighttpd.plan(ctx));
    case 'uws-minimal':
      return { ...fromDefinition(uwsMinimal.plan(ctx)), isFloor: true };
    case 'floor':
      return { ...fromDefinition(floor.plan(ctx)), isFloor: true };
    default: {
      // variant:NAME, an alternative handler of bench/instructions/uws-variants.ts.
      const script = join(REPO_DIR, 'dist/bench/instructions/uws-variants.js');
      const args = [script, ctx.root, '--port', String(ctx.port), '--variant', name.slice('variant:'.length)];
      return { plan: { command: process.execPath, args, files: [], workerNote: 'one process' }, skip: '', isFloor: true };
    }
  }
}

/** The ETag a plain GET of `path` returns. */
function fetchEtag(port: number, path: string): Promise<string | null> {
  return new Promise((resolveEtag, reject) => {
    get({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      const raw = res.rawHeaders;
      let head = '';
      for (let i = 0; i < raw.length; i += 2) head += `\r\n${raw[i]}: ${raw[i + 1]}`;
      res.on('end', () => resolveEtag(findEtag(head)));
    }).on('error', reject);
  });
}

/** CPU ticks of a process group: used to wait until start-up work (compression) is over. */
function readGroupTicks(pgid: number): number {
  let ticks = 0;
  for (const pid of listGroup(pgid)) {
    const stat = readStat(pid);
    if (stat !== null) ticks += stat.utime + stat.stime;
  }
  return ticks;
}

async function waitUntilIdle(pgid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = readGroupTicks(pgid);
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 2000));
    const now = readGroupTicks(pgid);
    if (now - last <= 20) return; // under 10 % of a CPU for 2 s
    last = now;
  }
}

async function buildScenarioRequest(scenario: InstructionScenario, port: number, isFloor: boolean): Promise<string> {
  const path = isFloor ? scenario.floorPath : scenario.path;
  const etag = !isFloor && scenario.isConditional ? await fetchEtag(port, path) : null;
  if (!isFloor && scenario.isConditional && etag === null) throw new Error('no ETag to send');
  return buildRequest(path, etag);
}

async function warmScenario(scenario: InstructionScenario, port: number, isFloor: boolean, options: InstructionOptions): Promise<void> {
  const request = await buildScenarioRequest(scenario, port, isFloor);
  await runLoad(port, request, options.connections, Math.max(options.warmup, 1), LOAD_TIMEOUT_MS);
}

async function measureScenario(
  scenario: InstructionScenario, pgid: number, port: number, isFloor: boolean, dumpDir: string, options: InstructionOptions,
): Promise<InstructionRow> {
  const request = await buildScenarioRequest(scenario, port, isFloor);
  const expected = scenario.status;
  await runLoad(port, request, options.connections, Math.max(options.warmup, 1), LOAD_TIMEOUT_MS);
  const callgrind = new Set(listCallgrindPids());
  const pids = listGroup(pgid).filter((pid) => callgrind.has(pid));
  if (pids.length === 0) throw new Error('no process of the server runs under callgrind');
  for (const pid of pids) zeroCounters(pid);
  const load = await runLoad(port, request, options.connections, options.requests, LOAD_TIMEOUT_MS);
  const totals: number[] = [];
  for (const pid of pids) totals.push(await dumpTotals(dumpDir, pid));
  const wrong = Object.entries(load.statuses).filter(([status]) => Number(status) !== expected);
  const note = wrong.length === 0 ? '' : `statuses ${JSON.stringify(load.statuses)}`;
  return {
    target: '',
    scenario: scenario.name,
    perRequest: Math.max(...totals) / options.requests,
    treePerRequest: totals.reduce((a, b) => a + b, 0) / options.requests,
    note,
  };
}

async function runTarget(name: string, root: string, tempDir: string, options: InstructionOptions, scenarios: readonly InstructionScenario[]): Promise<InstructionRow[]> {
  const workDir = join(tempDir, name);
  const dumpDir = join(workDir, 'callgrind');
  mkdirSync(dumpDir, { recursive: true });
  chmodSync(workDir, 0o777);
  chmodSync(dumpDir, 0o777); // nginx workers drop to nobody and write their own dumps
  const port = await findFreePort();
  const ctx: TargetContext = { root, workDir, port, workers: 1, connections: options.connections, repoDir: REPO_DIR, tls: null };
  const planned = planTarget(name, ctx);
  const skipRows = (note: string): InstructionRow[] =>
    scenarios.map((s) => ({ target: name, scenario: s.name, perRequest: null, treePerRequest: null, note }));
  if (planned.plan === null) return skipRows(planned.skip);
  for (const file of planned.plan.files) writeFileSync(file.path, file.text);
  const child = spawnGroup({
    command: 'valgrind',
    args: buildValgrindArgs(dumpDir, planned.plan.command, planned.plan.args),
    env: planned.plan.env,
    logPath: join(workDir, 'server.log'),
    cpuList: '',
  });
  const rows: InstructionRow[] = [];
  try {
    await waitForPort(port, child, START_TIMEOUT_MS);
    await waitUntilIdle(child.pid!, START_TIMEOUT_MS);
    // JIT tiering goes on past the first few thousand requests: warm every
    // scenario once before counting any (then each again right before its count).
    for (const scenario of scenarios) await warmScenario(scenario, port, planned.isFloor, options);
    for (const scenario of scenarios) {
      const row = await measureScenario(scenario, child.pid!, port, planned.isFloor, dumpDir, options);
      rows.push({ ...row, target: name });
      console.log(`${name} ${scenario.name}: ${Math.round(row.perRequest!)} instructions/request${row.note ? ` (${row.note})` : ''}`);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.log(`${name}: ${message} (log: ${join(workDir, 'server.log')})`);
    rows.push(...skipRows(message).filter((r) => !rows.some((done) => done.scenario === r.scenario)));
  } finally {
    await stopGroup(child.pid!, 10_000);
  }
  return rows;
}

async function main(): Promise<void> {
  const options = parseInstructionOptions(process.argv.slice(2));
  if (options.isHelp) return void process.stdout.write(INSTRUCTIONS_HELP);
  if ((await runCommand('valgrind', ['--version'])).code !== 0) throw new Error('valgrind is not installed (apt-get install valgrind)');
  const scenarios = options.scenarios === null ? INSTRUCTION_SCENARIOS : INSTRUCTION_SCENARIOS.filter((s) => options.scenarios!.includes(s.name));
  const tempDir = mkdtempSync(join(tmpdir(), 'fastsrv-instructions-'));
  chmodSync(tempDir, 0o755);
  installCleanup(tempDir, (signal) => console.log(`\n${signal}: stopping servers`));
  const root = join(tempDir, 'root');
  createFixtures(root);
  const rows: InstructionRow[] = [];
  try {
    for (const target of options.targets) rows.push(...(await runTarget(target, root, tempDir, options, scenarios)));
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }
  const table = formatInstructionTable(rows, scenarios);
  const machine = await gatherMachineInfo(REPO_DIR);
  machine.valgrind = (await runCommand('valgrind', ['--version'])).stdout.trim();
  const method = `valgrind --tool=callgrind --trace-children=yes; every scenario warmed once, then per scenario ${options.warmup} warm-up and ${options.requests} counted keep-alive requests ` +
    `over ${options.connections} connections; instructions of the busiest process (the serving worker) / requests. ` +
    'Floor servers (uws-minimal, floor) answer by path and read no header: their 304 row is a fixed 304 for /not-modified.';
  console.log(`\n${table}`);
  if (options.out === null) return;
  mkdirSync(options.out, { recursive: true });
  const stem = `instructions-${new Date().toISOString().slice(0, 10)}-${machine.hostname!.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  writeFileSync(join(options.out, `${stem}.json`), JSON.stringify({ machine, method, options, rows }, null, 2) + '\n');
  const details = Object.entries(machine).filter(([k]) => ['date', 'cpuModel', 'cores', 'kernel', 'node', 'fastsrv', 'nginx', 'lighttpd', 'valgrind'].includes(k));
  const md = `# Instructions per request\n\n${method}\n\n${details.map(([k, v]) => `- ${k}: ${v}`).join('\n')}\n\n${table}`;
  writeFileSync(join(options.out, `${stem}.md`), md);
  console.log(`wrote ${join(options.out, `${stem}.json`)} and .md`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
