/**
 * results/latest.svg, written by hand (no dependencies): per scenario, one horizontal bar
 * per target for server CPU µs/request (left) and req/s (right), with min–max whiskers.
 */
import type { RunRecord } from '../types.js';
import { formatCount, formatFigure } from './format.js';
import { listLaunches, summarizeScenario, type SummaryRow } from './summary.js';

const COLORS: Record<string, string> = {
  fastsrv: '#d62728', nginx: '#2ca02c', apache: '#bcbd22', 'node-http': '#1f77b4', 'node-static': '#9ecae1',
  bun: '#e6ab02', lighttpd: '#9467bd', h2o: '#8c564b', caddy: '#17becf',
};
const FALLBACK_COLOR = '#7f7f7f';
/** A dashed line marks this target's median in every group. */
const REFERENCE = 'nginx';
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

const WIDTH = 1120;
const LABEL_W = 120;
const PANEL_W = 420;
const PANEL_GAP = 80;
const ROW_H = 20;
const BAR_H = 13;
const GROUP_HEAD = 26;
const AXIS_H = 26;
const GROUP_GAP = 16;
const TOP = 100;

/** Gridline values from 0 to at least `max`, in steps of 1, 2, 2.5 or 5 × 10^k (about four steps). */
export function computeTicks(max: number): number[] {
  if (!Number.isFinite(max) || max <= 0) return [0, 1];
  const rough = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= rough)!;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Text with &, <, > and quotes escaped for XML. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${escapeXml(content)}</text>`;
}

interface PanelSpec {
  x: number;
  value: (r: SummaryRow) => { median: number; min: number; max: number };
  format: (n: number) => string;
  isFloor: (r: SummaryRow) => boolean;
}

function drawAxis(spec: PanelSpec, y: number, ticks: number[], scale: number): string[] {
  const out: string[] = [];
  for (const t of ticks) {
    const x = spec.x + t * scale;
    out.push(`<line x1="${x.toFixed(1)}" y1="${y - 4}" x2="${x.toFixed(1)}" y2="${y}" stroke="#999"/>`);
    out.push(text(x, y + 13, spec.format(t), `font-size="10" fill="#666" text-anchor="middle"`));
  }
  out.push(`<line x1="${spec.x}" y1="${y}" x2="${spec.x + PANEL_W}" y2="${y}" stroke="#999"/>`);
  return out;
}

function drawBars(rows: readonly SummaryRow[], spec: PanelSpec, top: number): string[] {
  const max = Math.max(...rows.map((r) => spec.value(r).max).filter(Number.isFinite), 0);
  const ticks = computeTicks(max);
  const scale = (PANEL_W - 70) / ticks[ticks.length - 1]!;
  const out: string[] = [];
  rows.forEach((row, i) => {
    const v = spec.value(row);
    const y = top + i * ROW_H;
    const w = Number.isFinite(v.median) ? v.median * scale : 0;
    const color = COLORS[row.target] ?? FALLBACK_COLOR;
    const fill = spec.isFloor(row) ? 'url(#floor)' : color;
    out.push(`<rect x="${spec.x}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${fill}" stroke="${color}"/>`);
    if (Number.isFinite(v.min) && v.max > v.min) {
      const mid = y + BAR_H / 2;
      out.push(`<line x1="${(spec.x + v.min * scale).toFixed(1)}" y1="${mid}" x2="${(spec.x + v.max * scale).toFixed(1)}" y2="${mid}" stroke="#222" stroke-width="1.2"/>`);
    }
    const label = (spec.isFloor(row) ? '≥ ' : '') + spec.format(v.median);
    out.push(text(spec.x + Math.max(w, Number.isFinite(v.max) ? v.max * scale : 0) + 5, y + BAR_H - 2, label, 'font-size="11" fill="#222"'));
  });
  out.push(...drawAxis(spec, top + rows.length * ROW_H + 2, ticks, scale));
  const reference = rows.find((r) => r.target === REFERENCE);
  const refValue = reference ? spec.value(reference).median : Number.NaN;
  if (Number.isFinite(refValue)) {
    const x = (spec.x + refValue * scale).toFixed(1);
    out.push(`<line x1="${x}" y1="${top - 3}" x2="${x}" y2="${top + rows.length * ROW_H}" stroke="${COLORS[REFERENCE]}" stroke-dasharray="3 3"/>`);
  }
  return out;
}

const CPU_PANEL: PanelSpec = { x: LABEL_W, value: (r) => r.cpuUsPerReq, format: formatFigure, isFloor: () => false };
const RPS_PANEL: PanelSpec = { x: LABEL_W + PANEL_W + PANEL_GAP, value: (r) => r.reqPerSec, format: formatCount, isFloor: (r) => r.clientBoundRounds > 0 };
/** Bulk scenarios draw CPU per MiB and MB/s in the same two places. */
const CPU_MIB_PANEL: PanelSpec = { ...CPU_PANEL, value: (r) => r.cpuUsPerMiB };
const MBPS_PANEL: PanelSpec = { ...RPS_PANEL, value: (r) => r.mbPerSec, format: formatFigure };
const BULK_SUFFIX = ' — bars: server CPU µs per MiB, and MB/s';

function drawGroup(record: RunRecord, scenarioIndex: number, top: number): { parts: string[]; height: number } {
  const scenario = record.scenarios[scenarioIndex]!;
  const isBulk = scenario.isBulk ?? false;
  const rows = summarizeScenario(record.measurements, scenario.name, isBulk);
  const launches = listLaunches(record, scenario);
  const failed = new Set(launches.filter((t) => t.gate && !t.gate.ok).map((t) => t.name));
  const references = new Set(launches.filter((t) => t.reference).map((t) => t.name));
  const title = `${scenario.name}: ${scenario.title}${isBulk ? BULK_SUFFIX : ''}`;
  const parts = [text(8, top + 16, title, 'font-size="13" font-weight="600" fill="#111"')];
  const barsTop = top + GROUP_HEAD;
  rows.forEach((row, i) => {
    const name = row.target + (references.has(row.target) ? ' (ref.)' : '') + (failed.has(row.target) ? ' †' : '');
    parts.push(text(LABEL_W - 8, barsTop + i * ROW_H + BAR_H - 2, name, 'font-size="12" fill="#222" text-anchor="end"'));
  });
  parts.push(...drawBars(rows, isBulk ? CPU_MIB_PANEL : CPU_PANEL, barsTop), ...drawBars(rows, isBulk ? MBPS_PANEL : RPS_PANEL, barsTop));
  return { parts, height: GROUP_HEAD + Math.max(rows.length, 1) * ROW_H + AXIS_H + GROUP_GAP };
}

function drawHeader(record: RunRecord): string[] {
  const s = record.settings;
  const names = [...new Set(record.measurements.map((m) => m.target))];
  const legend = names.map((name, i) => {
    const x = 8 + i * 120;
    return `<rect x="${x}" y="56" width="12" height="12" fill="${COLORS[name] ?? FALLBACK_COLOR}"/>${text(x + 17, 66, name, 'font-size="12" fill="#222"')}`;
  });
  return [
    text(8, 22, `fastsrv benchmark — ${record.startedAt.slice(0, 10)}, ${record.machine.cpuModel ?? ''} (${s.workers} worker${s.workers > 1 ? 's' : ''})`, 'font-size="16" font-weight="700" fill="#111"'),
    text(8, 42, `${s.client}, ${s.connections} connections, pipelining ${s.pipelining}, ${s.rounds} rounds × ${s.duration}s; ${s.pinning}. Bars: median; whiskers: min–max.`, 'font-size="11" fill="#555"'),
    ...legend,
    text(CPU_PANEL.x, TOP - 8, 'Server CPU time per request, µs (lower is better)', 'font-size="13" font-weight="600" fill="#111"'),
    text(RPS_PANEL.x, TOP - 8, 'Requests per second (higher is better)', 'font-size="13" font-weight="600" fill="#111"'),
  ];
}

/** The complete SVG document. */
export function buildSvg(record: RunRecord): string {
  const parts = drawHeader(record);
  let y = TOP;
  record.scenarios.forEach((_, i) => {
    const group = drawGroup(record, i, y);
    parts.push(...group.parts);
    y += group.height;
  });
  parts.push(text(8, y + 4, 'Dashed line: nginx.  † failed the correctness gate (still measured).  Hatched req/s bar, "≥": client-bound, the value is a floor.', 'font-size="11" fill="#555"'));
  const height = y + 20;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT}>
<defs><pattern id="floor" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ddd"/><line x1="0" y1="0" x2="0" y2="6" stroke="#888" stroke-width="3"/></pattern></defs>
<rect width="100%" height="100%" fill="#fff"/>
${parts.join('\n')}
</svg>
`;
}
