import { describe, expect, test } from 'vitest';
import { buildTable, formatCount, formatFigure, formatSpread, joinFirst } from '../../bench/report/format.js';
import { buildMarkdown, buildRowCells, buildScenarioSection } from '../../bench/report/markdown.js';
import { summarizeScenario } from '../../bench/report/summary.js';
import { selectScenarios } from '../../bench/scenarios.js';
import { makeMeasurement, makeRecord, makeStatus } from './records.js';

describe('buildTable', () => {
  test('header, alignment rule and escaped cells', () => {
    expect(buildTable(['a', 'b'], [['x|y', '1\n2']], ['l', 'r'])).toBe('| a | b |\n| --- | ---: |\n| x\\|y | 1 2 |');
  });
  test('no rows → header only', () => expect(buildTable(['a'], [])).toBe('| a |\n| --- |'));
});

describe('number formats', () => {
  test.each([
    [812, '812'],
    [1234, '1.23k'],
    [91744, '91.7k'],
    [1234567, '1.23M'],
    [Number.NaN, '–'],
  ])('formatCount(%d) = %s', (n, want) => expect(formatCount(n)).toBe(want));

  test.each([
    [0, '0'],
    [0.1234, '0.123'],
    [1.234, '1.23'],
    [12.34, '12.3'],
    [1234.5, '1235'],
  ])('formatFigure(%d) = %s', (n, want) => expect(formatFigure(n)).toBe(want));

  test('formatSpread', () => {
    expect(formatSpread({ median: 2, min: 1, max: 3, n: 3 }, String)).toBe('2 [1–3]');
    expect(formatSpread({ median: 2, min: 2, max: 2, n: 3 }, String)).toBe('2');
    expect(formatSpread({ median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 }, String)).toBe('–');
  });

  test('joinFirst', () => expect(joinFirst(['a', 'b', 'c'], 2)).toBe('a; b (+1 more)'));
});

describe('buildRowCells', () => {
  test('client-bound req/s is shown as a floor, gate failure in notes', () => {
    const ms = [1, 2, 3].map((round) => makeMeasurement({ target: 'bun', round, isClientBound: round !== 2 }));
    const [row] = summarizeScenario(ms, '1k');
    const status = makeStatus('bun', { gate: { ok: false, source: 'bench probe', reasons: ['Range /index.html: status 200, want 206'], etag: null } });
    const cells = buildRowCells(row!, 1, status);
    expect(cells[2]).toBe('≥ 20.0k');
    expect(cells[8]).toBe('**yes** (2/3)');
    expect(cells[13]).toBe('FAILED GATE: Range /index.html: status 200, want 206');
  });
});

describe('buildScenarioSection / buildMarkdown', () => {
  const record = makeRecord({ fastsrv: [10, 11, 12], nginx: [20, 21, 22] });

  test('one row per target, ranked, skipped targets named', () => {
    const section = buildScenarioSection(record.scenarios[0]!, record);
    expect(section).toContain('### 1k: GET /index.html (1 KiB)');
    expect(section.indexOf('| 1 | fastsrv |')).toBeGreaterThan(0);
    expect(section).toContain('| 2 | nginx |');
    expect(section).toContain('caddy (skipped: caddy is not installed)');
  });

  test('whole document has machine, settings and targets', () => {
    const md = buildMarkdown(record, null);
    expect(md).toContain('## Machine');
    expect(md).toContain('Test CPU');
    expect(md).toContain('## Settings');
    expect(md).toContain('**caddy**: skipped: caddy is not installed');
  });
});

describe('TLS scenarios', () => {
  test('are reported against the TLS launches: their gates, skips and negotiated suite', () => {
    const base = makeRecord({ fastsrv: [10, 11, 12] });
    const measurements = base.measurements.map((m) => ({ ...m, scenario: 'tls-1k' }));
    const tls = { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', group: 'X25519' };
    const record = {
      ...base,
      scenarios: selectScenarios(['tls-1k']),
      measurements,
      targets: [
        makeStatus('fastsrv', { gate: { ok: false, source: 'fastsrv check' as const, reasons: ['plain launch'], etag: null } }),
        makeStatus('node-static', { started: false, skipReason: 'plain skip' }),
        makeStatus('fastsrv', { tls }),
        makeStatus('node-static', { started: false, skipReason: 'tls skip', tls: null }),
      ],
    };
    const section = buildScenarioSection(record.scenarios[0]!, record);
    expect(section).toContain('| 1 | fastsrv |');
    expect(section).not.toContain('plain launch');
    expect(section).toContain('node-static (skipped: tls skip)');
    expect(section).not.toContain('plain skip');
    const markdown = buildMarkdown(record, null);
    expect(markdown).toContain('- **fastsrv (TLS)**: gate passed (bench probe). Negotiated TLSv1.3 TLS_AES_256_GCM_SHA384 X25519.');
    expect(markdown).toContain('- **node-static (TLS)**: skipped: tls skip');
  });

  test('tls-handshake asks for a new connection per request', () => {
    const [keepAlive, handshake] = selectScenarios(['tls-1k', 'tls-handshake']);
    expect([keepAlive!.isTls, keepAlive!.isNewConnection]).toEqual([true, undefined]);
    expect([handshake!.isTls, handshake!.isNewConnection]).toEqual([true, true]);
  });
});
