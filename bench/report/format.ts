/** Number and table formatting for the reports (pure). */
import type { Spread } from '../stats.js';

/** 91744 → "91.7k", 1234567 → "1.23M", 812 → "812". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '–';
  if (Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (Math.abs(n) >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  if (Math.abs(n) >= 1e3) return `${(n / 1e3).toFixed(2)}k`;
  return n.toFixed(0);
}

/** Three significant digits, no exponent: 12.3, 1.23, 0.123, 1234. */
export function formatFigure(n: number): string {
  if (!Number.isFinite(n)) return '–';
  if (n === 0) return '0';
  const abs = Math.abs(n);
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1);
  if (abs >= 1) return n.toFixed(2);
  return n.toFixed(3);
}

/** "median [min–max]" with the given number format. */
export function formatSpread(s: Spread, format: (n: number) => string): string {
  if (s.n === 0) return '–';
  if (s.n === 1 || s.min === s.max) return format(s.median);
  return `${format(s.median)} [${format(s.min)}–${format(s.max)}]`;
}

/** Bytes as MiB with one decimal. */
export function formatMiB(bytes: number): string {
  return bytes > 0 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : '–';
}

function escapeCell(cell: string): string {
  return cell.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A GitHub-flavoured markdown table; `align` per column is 'l' or 'r'. */
export function buildTable(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly ('l' | 'r')[] = []): string {
  const rule = headers.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  const lines = [headers, rule, ...rows].map((cells) => `| ${cells.map(escapeCell).join(' | ')} |`);
  return lines.join('\n');
}

/** First `max` items joined, with "(+N more)" when cut. */
export function joinFirst(items: readonly string[], max: number): string {
  const shown = items.slice(0, max).join('; ');
  return items.length > max ? `${shown} (+${items.length - max} more)` : shown;
}
