/** The terminal table of a check run. */
import type { CheckReport, CheckResult } from './types.js';

const LABELS: Record<CheckResult['status'], string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };
/** ANSI colours: green, magenta, red, yellow. */
const COLOURS: Record<CheckResult['status'], string> = {
  pass: '\x1b[32m',
  warn: '\x1b[35m',
  fail: '\x1b[31m',
  skip: '\x1b[33m',
};
const RESET = '\x1b[0m';
const BOLD = '\x1b[1m';
const MAX_NAME_WIDTH = 44;

/**
 * One line per result (`  PASS  name  detail`, continuation lines aligned
 * under the detail), then the summary line. Colours only when `isColour`.
 */
export function renderReport(report: CheckReport, isColour: boolean): string {
  const width = Math.min(MAX_NAME_WIDTH, Math.max(0, ...report.results.map((r) => r.name.length)));
  const paint = (status: CheckResult['status'], text: string): string => (isColour ? COLOURS[status] + text + RESET : text);
  const lines = [`fastsrv check ${report.url}`, ''];
  for (const result of report.results) {
    const [first, ...rest] = result.detail.split('\n');
    lines.push(`  ${paint(result.status, LABELS[result.status])}  ${result.name.padEnd(width)}  ${first}`.trimEnd());
    const indent = ' '.repeat(2 + 4 + 2 + width + 2);
    for (const line of rest) lines.push(indent + line);
  }
  lines.push('', formatSummary(report, isColour));
  return lines.join('\n');
}

/** `Summary: 24 passed, 1 warning, 1 failed, 3 skipped (29 checks): FAIL`. */
function formatSummary(report: CheckReport, isColour: boolean): string {
  const total = report.passed + report.warned + report.failed + report.skipped;
  const verdict = report.failed > 0 ? 'FAIL' : 'OK';
  const warnings = report.warned > 0 ? `${report.warned} warning${report.warned === 1 ? '' : 's'}, ` : '';
  const counts = `Summary: ${report.passed} passed, ${warnings}${report.failed} failed, ${report.skipped} skipped (${total} checks): ${verdict}`;
  if (!isColour) return counts;
  return BOLD + (report.failed > 0 ? COLOURS.fail : COLOURS.pass) + counts + RESET;
}
