/**
 * `--compare FILE`: fastsrv's ratio to nginx per scenario, now and in a saved baseline,
 * flagged when it moved by more than the noise tolerance.
 */
import { readFileSync } from 'node:fs';
import { buildTable, formatFigure } from './report/format.js';
import { summarizeScenario } from './report/summary.js';
import type { RunRecord } from './types.js';

export interface CompareRow {
  scenario: string;
  /** Per byte in bulk scenarios (CPU/MiB, MB/s). */
  metric: 'CPU/req' | 'req/s' | 'CPU/MiB' | 'MB/s';
  now: number;
  base: number;
  /** now / base - 1 */
  change: number;
  isFlagged: boolean;
}

/**
 * Median per-round fastsrv ÷ nginx ratios per scenario: CPU/request and req/s, or CPU/MiB
 * and MB/s in a bulk scenario (`isBulk`).
 */
export function extractRatios(record: RunRecord): Map<string, { cpu: number; rps: number; isBulk: boolean }> {
  const out = new Map<string, { cpu: number; rps: number; isBulk: boolean }>();
  for (const scenario of record.scenarios) {
    const isBulk = scenario.isBulk ?? false;
    const row = summarizeScenario(record.measurements, scenario.name, isBulk).find((r) => r.target === 'fastsrv');
    const ratio = row?.ratios.nginx;
    if (ratio) out.set(scenario.name, { cpu: ratio.cpu.median, rps: ratio.rps.median, isBulk });
  }
  return out;
}

/** Rows for every scenario present in both runs. */
export function compareRecords(current: RunRecord, baseline: RunRecord, tolerance: number): CompareRow[] {
  const now = extractRatios(current);
  const base = extractRatios(baseline);
  const rows: CompareRow[] = [];
  for (const [scenario, n] of now) {
    const b = base.get(scenario);
    if (!b) continue;
    const names = n.isBulk ? (['CPU/MiB', 'MB/s'] as const) : (['CPU/req', 'req/s'] as const);
    for (const [metric, nv, bv] of [[names[0], n.cpu, b.cpu], [names[1], n.rps, b.rps]] as const) {
      const change = nv / bv - 1;
      rows.push({ scenario, metric, now: nv, base: bv, change, isFlagged: !(Math.abs(change) <= tolerance) });
    }
  }
  return rows;
}

/** Markdown table of the comparison. */
export function formatComparison(rows: readonly CompareRow[], tolerance: number, baselineName: string): string {
  if (rows.length === 0) return `No scenario has fastsrv and nginx in both this run and ${baselineName}.`;
  const cells = rows.map((r) => {
    const better = r.metric.startsWith('CPU/') ? r.change < 0 : r.change > 0;
    const verdict = r.isFlagged ? `**CHANGED** (${better ? 'better' : 'worse'})` : 'within noise';
    return [r.scenario, `fastsrv ÷ nginx ${r.metric}`, `${formatFigure(r.base)}×`, `${formatFigure(r.now)}×`, `${(r.change * 100).toFixed(1)}%`, verdict];
  });
  const table = buildTable(['scenario', 'ratio', 'baseline', 'now', 'change', `verdict (±${(tolerance * 100).toFixed(0)}%)`], cells, ['l', 'l', 'r', 'r', 'r', 'l']);
  return `Baseline: ${baselineName}\n\n${table}`;
}

/** A saved run; throws a readable error when the file is not one. */
export function loadRecord(path: string): RunRecord {
  const record = JSON.parse(readFileSync(path, 'utf8')) as RunRecord;
  if (record.schema !== 1 || !Array.isArray(record.measurements)) throw new Error(`${path} is not a fastsrv bench result (schema 1)`);
  return record;
}
