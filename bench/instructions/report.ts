/** The instruction-count table: pure formatting of measured rows. */

/** One server × scenario measurement. */
export interface InstructionRow {
  readonly target: string;
  readonly scenario: string;
  /** Instructions of the busiest process (the one serving) per request; null when skipped. */
  readonly perRequest: number | null;
  /** Instructions of every process of the server per request (master/primary included). */
  readonly treePerRequest: number | null;
  readonly note: string;
}

/** Markdown: one row per target, one column per scenario, instructions per request. */
export function formatInstructionTable(rows: readonly InstructionRow[], scenarios: readonly { name: string; describe: string }[]): string {
  const targets = [...new Set(rows.map((r) => r.target))];
  const lines = [
    `| server | ${scenarios.map((s) => s.describe).join(' | ')} |`,
    `|---|${scenarios.map(() => '---:').join('|')}|`,
  ];
  for (const target of targets) {
    const cells = scenarios.map((s) => {
      const row = rows.find((r) => r.target === target && r.scenario === s.name);
      return row?.perRequest == null ? (row?.note ? `– (${row.note})` : '–') : formatCount(row.perRequest);
    });
    lines.push(`| ${target} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}

/** 9731.4 → "9,731". */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
