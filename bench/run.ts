/**
 * `npm run bench`: start every target on the same generated files, gate them, measure
 * interleaved rounds, stop everything, write results/. See results/README.md.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareRecords, formatComparison, loadRecord } from './compare.js';
import { createFixtures, createLargeFixture, createRuleFixtures, LARGE_FIXTURE } from './fixtures.js';
import { launchTarget, type RunningTarget } from './launch.js';
import { gatherMachineInfo } from './machine.js';
import { measureWindow, type MeasureContext } from './measure.js';
import { HELP, parseOptions, planCpus, type CpuPlan } from './options.js';
import { findProcessesNamed, installCleanup, killAllGroupsSync, listGroup, runCommand } from './proc.js';
import { logLine, showStatus } from './progress.js';
import { formatCount, formatFigure } from './report/format.js';
import { buildMarkdown, buildScenarioSection } from './report/markdown.js';
import { buildSvg } from './report/svg.js';
import { needsLargeFixture, selectScenarios } from './scenarios.js';
import { findExecutable, type LaunchVariant } from './targets/common.js';
import { findTarget } from './targets/index.js';
import { isMeasuredIn } from './targets/reference.js';
import { createBenchCertificate, describeTls, type TlsFiles } from './tls.js';
import type { Measurement, Options, RunRecord, Scenario, TargetStatus } from './types.js';

const REPO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PEER_COMMANDS = ['nginx', 'apache2', 'lighttpd', 'h2o', 'caddy', 'bun'];

async function startTargets(options: Options, group: ScenarioGroup, tempDir: string, cpu: CpuPlan): Promise<{ statuses: TargetStatus[]; running: RunningTarget[] }> {
  const { scenarios, tls } = group;
  const statuses: TargetStatus[] = [];
  const running: RunningTarget[] = [];
  const connections = Math.max(options.connections, ...scenarios.map((s) => s.connections ?? 0));
  for (const name of group.targets) {
    const def = findTarget(name)!;
    for (const variant of listVariants(scenarios, def.variants ?? [])) {
      // The `rules` variant is the same server on the root with generated rule files.
      const root = variant === 'rules' ? group.rulesRoot! : group.root;
      const label = [tls ? 'TLS' : '', variant === 'plain' ? '' : variant === 'rules' ? 'rules root' : variant].filter((x) => x !== '').join(', ');
      const title = label === '' ? name : `${name} (${label})`;
      showStatus(`starting ${title}…`);
      const result = await launchTarget(def, { root, tempDir, workers: options.workers, connections, repoDir: REPO_DIR, serverCpus: cpu.serverCpus, tls, variant });
      statuses.push(result.status);
      if (result.running) running.push(result.running);
      const gate = result.status.gate;
      const gateText = gate ? (gate.ok ? `gate ok (${gate.source})` : `FAILED GATE (${gate.source}): ${gate.reasons.join('; ')}`) : def.reference ? 'reference point, not gated' : '';
      const tlsText = result.status.tls ? `, ${describeTls(result.status.tls)}` : '';
      logLine(result.running ? `${title}: port ${result.running.port}${tlsText}, ${gateText}` : `${title}: skipped: ${result.status.skipReason}`);
    }
  }
  return { statuses, running };
}

/**
 * The launches a target needs: plain for plain scenarios, one per variant
 * the scenarios ask for and the target has. They all run at once (idle ones
 * cost nothing), so a feature's scenario is measured in the same rounds as
 * its plain twin.
 */
export function listVariants(scenarios: readonly Scenario[], supported: readonly LaunchVariant[]): LaunchVariant[] {
  const wanted = new Set<LaunchVariant>(scenarios.map((s) => s.variant ?? 'plain'));
  return (['plain', ...supported] as LaunchVariant[]).filter((v) => wanted.has(v));
}

function describeMeasurement(m: Measurement, isBulk: boolean): string {
  const bound = m.isClientBound ? ' CLIENT-BOUND' : '';
  const flags = m.flags.length > 0 ? ` [${m.flags.join('; ')}]` : '';
  const bulk = isBulk ? `${formatFigure(m.mbPerSec)} MB/s, ${formatFigure(m.serverCpuUsPerMiB ?? Number.NaN)} µs CPU/MiB, ` : '';
  return `r${m.round} ${m.scenario} ${m.target}: ${bulk}${formatCount(m.reqPerSec)} req/s, ${formatFigure(m.serverCpuUsPerReq)} µs CPU/req, server ${Math.round(m.serverCpuPct)}%, client ${Math.round(m.clientCpuPct)}%${bound}${flags}`;
}

/** Rounds × scenarios × targets; the target order rotates each round so no target is always first. */
async function measureAll(running: RunningTarget[], scenarios: Scenario[], ctx: MeasureContext, warnings: string[]): Promise<Measurement[]> {
  const out: Measurement[] = [];
  for (let round = 1; round <= ctx.options.rounds; round++) {
    const order = running.map((_, i) => running[(i + round - 1) % running.length]!);
    for (const scenario of scenarios) {
      const measured = order.filter((t) => t.variant === (scenario.variant ?? 'plain') && isMeasuredIn(t.scenarios, scenario));
      for (const target of measured) {
        try {
          const m = await measureWindow(target, scenario, round, ctx);
          out.push(m);
          logLine(describeMeasurement(m, scenario.isBulk ?? false));
        } catch (error) {
          const text = `round ${round} ${scenario.name} ${target.name}: ${(error as Error).message}`;
          warnings.push(text);
          logLine(`ERROR ${text}`);
        }
      }
    }
  }
  return out;
}

/** Stop every target and check that nothing it started survived. */
async function stopTargets(running: RunningTarget[], warnings: string[]): Promise<void> {
  showStatus('stopping targets…');
  await Promise.all(running.map((t) => t.stop()));
  for (const t of running) {
    const left = listGroup(t.pid);
    if (left.length > 0) warnings.push(`${t.name}: processes ${left.join(', ')} survived SIGKILL`);
  }
  const ours = new Set(running.map((t) => t.pid));
  for (const p of findProcessesNamed(PEER_COMMANDS)) {
    warnings.push(`${p.comm} pid ${p.pid} is running (${ours.has(p.pgrp) ? 'started by this run!' : 'not started by this run'})`);
  }
  logLine(warnings.length === 0 ? 'all targets stopped; no nginx/apache2/lighttpd/h2o/caddy/bun left running' : `stopped targets with ${warnings.length} warning(s)`);
}

function writeOutputs(record: RunRecord, outDir: string, comparison: string | null): string[] {
  mkdirSync(outDir, { recursive: true });
  const host = record.machine.hostname!.replace(/[^A-Za-z0-9._-]/g, '_');
  const jsonPath = join(outDir, `${record.startedAt.slice(0, 10)}-${host}.json`);
  writeFileSync(jsonPath, `${JSON.stringify(record, null, 2)}\n`);
  writeFileSync(join(outDir, 'latest.md'), buildMarkdown(record, comparison));
  writeFileSync(join(outDir, 'latest.svg'), buildSvg(record));
  return [jsonPath, join(outDir, 'latest.md'), join(outDir, 'latest.svg')];
}

function compareWithBaseline(options: Options, current: RunRecord): string | null {
  if (options.compare === null) return null;
  const rows = compareRecords(current, loadRecord(options.compare), options.tolerance);
  return formatComparison(rows, options.tolerance, options.compare);
}

/** Scenarios measured against one set of launches: their root, TLS files and targets. */
interface ScenarioGroup {
  readonly scenarios: Scenario[];
  readonly root: string;
  readonly tls: TlsFiles | null;
  readonly targets: string[];
  /** The root with generated `_headers` and `_redirects`, for `rules` launches; null when no scenario wants it. */
  readonly rulesRoot: string | null;
}

/** Plain scenarios, then TLS ones (with a certificate made for this run); empty groups left out. */
function groupScenarios(scenarios: Scenario[], options: Options, root: string, tempDir: string): ScenarioGroup[] {
  const plain = scenarios.filter((s) => !s.isTls);
  const tls = scenarios.filter((s) => s.isTls);
  const rulesRoot = plain.some((s) => s.variant === 'rules') ? join(tempDir, 'root-rules') : null;
  if (rulesRoot !== null) createRuleFixtures(rulesRoot);
  const groups: ScenarioGroup[] = [];
  if (plain.length > 0) groups.push({ scenarios: plain, root, tls: null, targets: options.targets, rulesRoot });
  if (tls.length > 0) groups.push({ scenarios: tls, root, tls: createBenchCertificate(tempDir), targets: options.targets, rulesRoot: null });
  return groups;
}

async function runBenchmark(options: Options, cpu: CpuPlan): Promise<RunRecord> {
  const tempDir = mkdtempSync(join(tmpdir(), 'fastsrv-bench-'));
  chmodSync(tempDir, 0o755);
  installCleanup(tempDir, (signal) => logLine(`\n${signal}: stopping every target`));
  const startedAt = new Date().toISOString();
  if (cpu.clientCpus) await runCommand('taskset', ['-a', '-p', '-c', cpu.clientCpus, String(process.pid)]);
  const root = join(tempDir, 'root');
  createFixtures(root);
  const scenarios = selectScenarios(options.scenarios);
  if (needsLargeFixture(scenarios)) {
    showStatus(`writing ${LARGE_FIXTURE.urlPath} (${LARGE_FIXTURE.size} bytes)…`);
    createLargeFixture(root);
  }
  logLine(`fastsrv bench: ${options.targets.join(', ')} × ${scenarios.map((s) => s.name).join(', ')} × ${options.rounds} rounds, ${options.client}, ${cpu.description}`);
  const warnings: string[] = [];
  const statuses: TargetStatus[] = [];
  const measurements: Measurement[] = [];
  try {
    // Plain scenarios run against plain launches (and their variants, the
    // rules root's included), then TLS ones against launches with the run's
    // certificate: one set of servers at a time.
    for (const group of groupScenarios(scenarios, options, root, tempDir)) {
      const started = await startTargets(options, group, tempDir, cpu);
      statuses.push(...started.statuses);
      try {
        measurements.push(...(await measureAll(started.running, group.scenarios, { options, cpu, tempDir, onProgress: showStatus }, warnings)));
      } finally {
        await stopTargets(started.running, warnings);
      }
    }
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }
  // After the runs: Bun is fetched on first use, and its version is then known.
  const machine = await gatherMachineInfo(REPO_DIR);
  const settings = { ...options, clientCores: cpu.clientCores, serverCpus: cpu.serverCpus, clientCpus: cpu.clientCpus, pinning: cpu.description };
  return { schema: 1, startedAt, finishedAt: new Date().toISOString(), machine, settings, targets: statuses, scenarios, measurements, warnings };
}

async function main(): Promise<void> {
  const env = { cpuCount: cpus().length, hasTaskset: findExecutable('taskset') !== null, hasWrk: findExecutable('wrk') !== null };
  const options = parseOptions(process.argv.slice(2), env);
  if (options.help) {
    process.stdout.write(HELP);
    return;
  }
  if (options.current !== null) {
    process.stdout.write(`${compareWithBaseline(options, loadRecord(options.current))}\n`);
    return;
  }
  const cpu = planCpus(env.cpuCount, options.workers, options.pin);
  const record = await runBenchmark(options, cpu);
  const comparison = compareWithBaseline(options, record);
  const written = writeOutputs(record, options.out, comparison);
  process.stdout.write(`${record.scenarios.map((s) => buildScenarioSection(s, record)).join('\n')}\n`);
  if (comparison) process.stdout.write(`\n${comparison}\n`);
  for (const w of record.warnings) process.stdout.write(`warning: ${w}\n`);
  logLine(`wrote ${written.join(', ')}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    killAllGroupsSync();
    process.stderr.write(`bench: ${(error as Error).message}\n`);
    process.exit(1);
  });
}

