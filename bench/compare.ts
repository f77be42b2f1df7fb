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
  metric: 'CPU/req' | 'req/s';
  now: number;
  base: number;
  /** now / base - 1 */
  change: number;
  isFlagged: boolean;
}

/** Median per-round fastsrv ÷ nginx ratios per scenario (CPU/request and req/s). */
export function extractRatios(record: RunRecord): Map<string, { cpu: number; rps: number }> {
  const out = new Map<string, { cpu: number; rps: number }>();
  for (const scenario of record.scenarios) {
    const row = summarizeScenario(record.measurements, scenario.name).find((r) => r.target === 'fastsrv');
    const ratio = row?.ratios.nginx;
    if (ratio) out.set(scenario.name, { cpu: ratio.cpu.median, rps: ratio.rps.median });
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
    for (const [metric, nv, bv] of [['CPU/req', n.cpu, b.cpu], ['req/s', n.rps, b.rps]] as const) {
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
    const better = r.metric === 'CPU/req' ? r.change < 0 : r.change > 0;
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
