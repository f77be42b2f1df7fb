/** The README's option table and the option definitions stay in step. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatFlag, formatUsage } from '../src/cli.js';
import { OPTIONS, type OptionDefinition } from '../src/setup/config.js';

/** The first cell of each row of the table under "## CLI", split into its `flag` parts. */
function readTableFlags(): string[] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('\n## CLI\n'), readme.indexOf('\n## ', readme.indexOf('\n## CLI\n') + 1));
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  return rows.flatMap((row) => [...row.split(' | ')[0].matchAll(/`([^`]+)`/g)].map((m) => m[1].replace(/\\\|/g, '|')));
}

describe('README option table', () => {
  const flags = readTableFlags();
  const defined = Object.entries(OPTIONS).map(([name, def]) => formatFlag(name, def as OptionDefinition));

  it('has a row for every option, written as the help text writes it', () => {
    expect(flags.length).toBeGreaterThan(10);
    for (const flag of defined) expect(flags, `README lacks ${flag}`).toContain(flag);
  });

  it('lists no option that is not defined', () => {
    for (const flag of flags) expect(defined, `README has ${flag}, which OPTIONS does not define`).toContain(flag);
  });

  it('the help text has a line for every option', () => {
    const usage = formatUsage();
    for (const flag of defined) expect(usage).toContain(flag);
  });
});
