/** results/latest.md: one table per scenario plus machine, settings and target notes. */
import { describeTls } from '../tls.js';
import type { RunRecord, Scenario, TargetStatus } from '../types.js';
import { buildTable, formatCount, formatFigure, formatMiB, formatSpread, joinFirst } from './format.js';
import { listLaunches, summarizeScenario, type RatioSpread, type SummaryRow } from './summary.js';

const HEADERS = [
  '#', 'target', 'req/s median [min–max]', 'MB/s', 'p50 / p99 ms', 'server µs CPU/req [min–max]', 'server CPU %',
  'client CPU %', 'client-bound', 'errors', 'peak RSS', 'vs nginx: CPU/req · req/s', 'vs node-http: CPU/req · req/s', 'notes',
];
const ALIGN: ('l' | 'r')[] = ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'r', 'r', 'r', 'r', 'l'];
/** Bulk scenarios: CPU per MiB beside CPU per request, MB/s with its spread, ratios per byte. */
const BULK_HEADERS = [
  '#', 'target', 'MB/s median [min–max]', 'req/s', 'p50 / p99 ms', 'server µs CPU/MiB [min–max]', 'server µs CPU/req',
  'server CPU %', 'client CPU %', 'client-bound', 'errors', 'peak RSS', 'vs nginx: CPU/MiB · MB/s', 'vs node-http: CPU/MiB · MB/s', 'notes',
];
const BULK_ALIGN: ('l' | 'r')[] = ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'r', 'r', 'r', 'r', 'l'];

function formatRatio(r: RatioSpread | undefined, isSelf: boolean): string {
  if (isSelf) return '1 · 1';
  if (!r) return '–';
  return `${formatFigure(r.cpu.median)}× · ${formatFigure(r.rps.median)}×`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function buildNotes(row: SummaryRow, status: TargetStatus | undefined): string {
  const notes: string[] = [];
  const gate = status?.gate;
  if (gate && !gate.ok) notes.push(`FAILED GATE: ${joinFirst(gate.reasons.map((r) => clip(r, 70)), 2)}`);
  if (row.flags.length > 0) notes.push(joinFirst(row.flags, 2));
  return notes.join(' — ');
}

function formatBound(row: SummaryRow): string {
  return row.clientBoundRounds === 0 ? 'no' : `**yes** (${row.clientBoundRounds}/${row.rounds})`;
}

/** The cells of one summary row of a bulk scenario (columns of BULK_HEADERS). */
export function buildBulkRowCells(row: SummaryRow, rank: number, status: TargetStatus | undefined): string[] {
  const mbps = formatSpread(row.mbPerSec, formatFigure);
  return [
    String(rank),
    row.target,
    row.clientBoundRounds > 0 ? `≥ ${mbps}` : mbps,
    formatFigure(row.reqPerSec.median),
    `${formatFigure(row.p50Ms.median)} / ${formatFigure(row.p99Ms.median)}`,
    formatSpread(row.cpuUsPerMiB, formatFigure),
    formatFigure(row.cpuUsPerReq.median),
    formatFigure(row.serverCpuPct.median),
    formatFigure(row.clientCpuPct.median),
    formatBound(row),
    String(row.errors),
    formatMiB(row.peakRssBytes),
    formatRatio(row.ratios.nginx, row.target === 'nginx'),
    formatRatio(row.ratios['node-http'], row.target === 'node-http'),
    buildNotes(row, status),
  ];
}

/** The cells of one summary row. */
export function buildRowCells(row: SummaryRow, rank: number, status: TargetStatus | undefined): string[] {
  const bound = formatBound(row);
  const rps = formatSpread(row.reqPerSec, formatCount);
  return [
    String(rank),
    row.target,
    row.clientBoundRounds > 0 ? `≥ ${rps}` : rps,
    formatFigure(row.mbPerSec.median),
    `${formatFigure(row.p50Ms.median)} / ${formatFigure(row.p99Ms.median)}`,
    formatSpread(row.cpuUsPerReq, formatFigure),
    formatFigure(row.serverCpuPct.median),
    formatFigure(row.clientCpuPct.median),
    bound,
    String(row.errors),
    formatMiB(row.peakRssBytes),
    formatRatio(row.ratios.nginx, row.target === 'nginx'),
    formatRatio(row.ratios['node-http'], row.target === 'node-http'),
    buildNotes(row, status),
  ];
}

/** Markdown of one scenario: title, table and the targets not measured. */
export function buildScenarioSection(scenario: Scenario, record: RunRecord): string {
  const isBulk = scenario.isBulk ?? false;
  const rows = summarizeScenario(record.measurements, scenario.name, isBulk);
  const statuses = listLaunches(record, scenario);
  const byName = new Map(statuses.map((t) => [t.name, t]));
  const cells = rows.map((r, i) => (isBulk ? buildBulkRowCells : buildRowCells)(r, i + 1, byName.get(r.target)));
  const table = isBulk ? buildTable(BULK_HEADERS, cells, BULK_ALIGN) : buildTable(HEADERS, cells, ALIGN);
  const skipped = statuses.filter((t) => !t.started).map((t) => `${t.name} (skipped: ${t.skipReason})`);
  const tail = skipped.length > 0 ? `\n\nNot measured: ${skipped.join('; ')}.` : '';
  return `### ${scenario.name}: ${scenario.title}\n\n${rows.length > 0 ? table : '_no measurements_'}${tail}\n`;
}

function buildTargetList(targets: readonly TargetStatus[]): string {
  return targets
    .map((t) => {
      const label = [t.tls === undefined ? '' : 'TLS', t.variant ?? ''].filter((x) => x !== '').join(', ');
      const name = label === '' ? t.name : `${t.name} (${label})`;
      if (!t.started) return `- **${name}**: skipped: ${t.skipReason}`;
      const gate = t.gate ? (t.gate.ok ? `gate passed (${t.gate.source})` : `FAILED GATE (${t.gate.source}): ${t.gate.reasons.join('; ')}`) : 'not gated';
      const tls = t.tls === undefined ? '' : t.tls === null ? ' No TLS handshake with the harness.' : ` Negotiated ${describeTls(t.tls)}.`;
      return `- **${name}**: ${gate}.${tls} \`${t.command}\``;
    })
    .join('\n');
}

function buildKeyValues(entries: Record<string, unknown>): string {
  return buildTable(['', ''], Object.entries(entries).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]));
}

const BULK_NOTE = `
Big-file (bulk) scenarios are ranked by **server CPU per MiB** received instead, with MB/s
(10^6 bytes/s) beside it; their ratios are CPU/MiB and MB/s.`;

/** The whole latest.md. */
export function buildMarkdown(record: RunRecord, comparison: string | null): string {
  const s = record.settings;
  const intro = `# fastsrv benchmark — ${record.startedAt.slice(0, 10)} on ${record.machine.hostname}

Ranking figure: **server CPU time per request** (µs, lower is better): utime+stime of the
target's whole process tree over the measured window ÷ requests completed. Rows are sorted
by it. Ratios are computed within each round, then the median is shown (CPU/req ratio < 1
and req/s ratio > 1 favour the target). A req/s marked "≥" was client-bound (the client sat
at ≥ 90% of its ${s.clientCores} core(s)): it is a floor.${record.scenarios.some((sc) => sc.isBulk) ? BULK_NOTE : ''} Client: **${s.client}**; pinning: ${s.pinning}.
Method: see [README.md](README.md).
`;
  const sections = record.scenarios.map((sc) => buildScenarioSection(sc, record)).join('\n');
  const warnings = record.warnings.length > 0 ? `\n## Warnings\n\n${record.warnings.map((w) => `- ${w}`).join('\n')}\n` : '';
  const compare = comparison ? `\n## Comparison with baseline\n\n${comparison}\n` : '';
  const { help: _help, ...settings } = s;
  return `${intro}\n## Results\n\n${sections}${compare}${warnings}
## Targets

${buildTargetList(record.targets)}

## Machine

${buildKeyValues(record.machine)}

## Settings

${buildKeyValues(settings)}
`;
}
