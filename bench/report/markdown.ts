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

/** Header of the column added to small-file tables where the C floor was measured. */
const FLOOR_HEADER = 'vs floor: CPU/req';

/** CPU/request as a multiple of the floor's (only CPU: the floor's req/s is wrk's limit, not a server's). */
export function formatFloorRatio(r: RatioSpread | undefined, isSelf: boolean): string {
  if (isSelf) return '1';
  return r ? `${formatFigure(r.cpu.median)}×` : '–';
}

/** "floor (reference)": reference points are not HTTP servers, and every row says so. */
export function labelTarget(name: string, status: TargetStatus | undefined): string {
  return status?.reference ? `${name} (reference)` : name;
}

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
    labelTarget(row.target, status),
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

/** The cells of one summary row; `hasFloor` adds the CPU/req ratio to the C floor before the notes. */
export function buildRowCells(row: SummaryRow, rank: number, status: TargetStatus | undefined, hasFloor = false): string[] {
  const bound = formatBound(row);
  const rps = formatSpread(row.reqPerSec, formatCount);
  const floor = hasFloor ? [formatFloorRatio(row.ratios.floor, row.target === 'floor')] : [];
  return [
    String(rank),
    labelTarget(row.target, status),
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
    ...floor,
    buildNotes(row, status),
  ];
}

/**
 * The line under a table that names the reference points: measured ones
 * are labelled in the table; started ones left out of this scenario say why.
 */
export function describeReferences(statuses: readonly TargetStatus[], measured: ReadonlySet<string>): string {
  const refs = statuses.filter((t) => t.reference && t.started);
  if (refs.length === 0) return '';
  const inTable = refs.filter((t) => measured.has(t.name)).map((t) => t.name);
  const left = refs.filter((t) => !measured.has(t.name)).map((t) => `${t.name} (${t.reference!.note})`);
  const parts = [];
  if (inTable.length > 0) parts.push(`Rows marked (reference) are reference points, not HTTP servers (not gated): ${inTable.join(', ')}.`);
  if (left.length > 0) parts.push(`Reference points not measured in this scenario: ${left.join('; ')}.`);
  return `\n\n${parts.join(' ')}`;
}

/** Markdown of one scenario: title, table and the targets not measured. */
export function buildScenarioSection(scenario: Scenario, record: RunRecord): string {
  const isBulk = scenario.isBulk ?? false;
  const rows = summarizeScenario(record.measurements, scenario.name, isBulk);
  const statuses = listLaunches(record, scenario);
  const byName = new Map(statuses.map((t) => [t.name, t]));
  const hasFloor = !isBulk && rows.some((r) => r.target === 'floor');
  const cells = rows.map((r, i) => (isBulk ? buildBulkRowCells(r, i + 1, byName.get(r.target)) : buildRowCells(r, i + 1, byName.get(r.target), hasFloor)));
  const headers = hasFloor ? [...HEADERS.slice(0, -1), FLOOR_HEADER, 'notes'] : HEADERS;
  const align: ('l' | 'r')[] = hasFloor ? [...ALIGN.slice(0, -1), 'r', 'l'] : ALIGN;
  const table = isBulk ? buildTable(BULK_HEADERS, cells, BULK_ALIGN) : buildTable(headers, cells, align);
  const skipped = statuses.filter((t) => !t.started).map((t) => `${t.name} (skipped: ${t.skipReason})`);
  const references = describeReferences(statuses, new Set(rows.map((r) => r.target)));
  const tail = `${references}${skipped.length > 0 ? `\n\nNot measured: ${skipped.join('; ')}.` : ''}`;
  return `### ${scenario.name}: ${scenario.title}\n\n${rows.length > 0 ? table : '_no measurements_'}${tail}\n`;
}

function buildTargetList(targets: readonly TargetStatus[]): string {
  return targets
    .map((t) => {
      const label = [t.tls === undefined ? '' : 'TLS', t.variant ?? ''].filter((x) => x !== '').join(', ');
      const name = label === '' ? t.name : `${t.name} (${label})`;
      if (!t.started) return `- **${name}**: skipped: ${t.skipReason}`;
      const gate = t.reference
        ? `reference point, not an HTTP server: not gated, measured in ${t.reference.scenarios.join(', ')} only`
        : t.gate ? (t.gate.ok ? `gate passed (${t.gate.source})` : `FAILED GATE (${t.gate.source}): ${t.gate.reasons.join('; ')}`) : 'not gated';
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
Where the C floor ran (a reference point: fixed responses from an epoll loop, so 1k, 16k and
404 only), a column gives each target's CPU/req as a multiple of the floor's: how far it is
from what the kernel round trip alone costs. Rows marked (reference) are not HTTP servers.
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
