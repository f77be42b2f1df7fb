import { describe, expect, test } from 'vitest';
import { ALL_TARGETS } from '../../bench/options.js';
import { buildMarkdown, buildScenarioSection, describeReferences, formatFloorRatio, labelTarget } from '../../bench/report/markdown.js';
import { summarizeScenario } from '../../bench/report/summary.js';
import { selectScenarios } from '../../bench/scenarios.js';
import { isSkip, type TargetContext } from '../../bench/targets/common.js';
import { findTarget } from '../../bench/targets/index.js';
import { buildFloorResponses, floor, FLOOR_SCENARIOS, isMeasuredIn, UWS_MINIMAL_SCENARIOS, uwsMinimal } from '../../bench/targets/reference.js';
import { makeRecord, makeStatus } from './records.js';

const REFERENCE = { scenarios: [...FLOOR_SCENARIOS], note: 'answers by path alone' };

describe('reference targets', () => {
  test('are registered and run by default', () => {
    expect(findTarget('floor')).toBe(floor);
    expect(findTarget('uws-minimal')).toBe(uwsMinimal);
    expect(ALL_TARGETS).toContain('floor');
    expect(ALL_TARGETS).toContain('uws-minimal');
    expect(floor.reference).toBeDefined();
    expect(uwsMinimal.reference).toBeDefined();
    expect(findTarget('fastsrv')!.reference).toBeUndefined();
  });

  test('the floor runs only where a fixed answer is what a server sends: never 304, no big bodies', () => {
    expect(FLOOR_SCENARIOS).toEqual(['1k', '16k', '404']);
    for (const list of [FLOOR_SCENARIOS, UWS_MINIMAL_SCENARIOS]) {
      expect(list).not.toContain('304');
      for (const name of list) expect(selectScenarios([name])[0]!.isConditional).toBe(false);
    }
    expect(UWS_MINIMAL_SCENARIOS).not.toContain('1g'); // not a fixture it reads
  });

  test('isMeasuredIn: servers everywhere, reference points only in their list', () => {
    const [k1, notModified] = selectScenarios(['1k', '304']);
    expect(isMeasuredIn(null, notModified!)).toBe(true);
    expect(isMeasuredIn(undefined, notModified!)).toBe(true);
    expect(isMeasuredIn(FLOOR_SCENARIOS, k1!)).toBe(true);
    expect(isMeasuredIn(FLOOR_SCENARIOS, notModified!)).toBe(false);
  });

  test('no TLS launch of a reference point', () => {
    const ctx: TargetContext = { root: '/r', workDir: '/w', port: 1, workers: 1, connections: 1, repoDir: '/repo', tls: { cert: 'c', key: 'k' } };
    for (const def of [floor, uwsMinimal]) {
      const plan = def.plan(ctx);
      expect(isSkip(plan) && plan.skip).toMatch(/without TLS/);
    }
  });

  test('floor responses: one per fixture with its length, a 304 without body, a 404 answering anything else', () => {
    const list = buildFloorResponses((p) => Buffer.from(`body of ${p}`));
    expect(list.at(-1)!.path).toBe('*');
    expect(list.at(-1)!.bytes.toString('latin1')).toMatch(/^HTTP\/1.1 404 Not Found\r\n/);
    const index = list.find((r) => r.path === '/index.html')!.bytes.toString('latin1');
    expect(index).toContain('\r\nContent-Length: 19\r\n\r\nbody of /index.html');
  });
});

describe('report', () => {
  const base = makeRecord({ fastsrv: [10, 11, 12], nginx: [20, 21, 22], floor: [2, 2.2, 2.4], 'uws-minimal': [8, 8, 8] });
  const targets = base.targets.map((t) => (t.name === 'floor' || t.name === 'uws-minimal' ? { ...t, gate: null, reference: { ...REFERENCE } } : t));
  const record = { ...base, targets };

  test('small-file tables get a vs-floor column; reference rows are labelled', () => {
    const section = buildScenarioSection(record.scenarios[0]!, record);
    expect(section).toContain('| vs floor: CPU/req | notes |');
    expect(section).toContain('| 1 | floor (reference) |');
    expect(section).toContain('| 2 | uws-minimal (reference) |');
    // fastsrv 11 µs vs floor 2.2 µs per round: 5×.
    expect(section).toMatch(/^\| 3 \| fastsrv \|.*\| 5\.00× \|  \|$/m);
    expect(section).toContain('Rows marked (reference) are reference points, not HTTP servers (not gated): floor, uws-minimal.');
  });

  test('a scenario without the floor keeps the usual columns and says why the reference points are missing', () => {
    const notModified = { ...record, scenarios: selectScenarios(['304']), measurements: record.measurements.filter((m) => m.target === 'fastsrv' || m.target === 'nginx').map((m) => ({ ...m, scenario: '304' })) };
    const section = buildScenarioSection(notModified.scenarios[0]!, notModified);
    expect(section).not.toContain('vs floor');
    expect(section).toContain('Reference points not measured in this scenario: floor (answers by path alone); uws-minimal (answers by path alone).');
  });

  test('the target list says a reference point is not gated', () => {
    expect(buildMarkdown(record, null)).toContain('- **floor**: reference point, not an HTTP server: not gated, measured in 1k, 16k, 404 only.');
  });

  test('helpers', () => {
    expect(labelTarget('floor', makeStatus('floor', { reference: REFERENCE }))).toBe('floor (reference)');
    expect(labelTarget('nginx', makeStatus('nginx'))).toBe('nginx');
    expect(formatFloorRatio(undefined, false)).toBe('–');
    expect(formatFloorRatio(undefined, true)).toBe('1');
    const [row] = summarizeScenario(record.measurements, '1k').filter((r) => r.target === 'nginx');
    expect(formatFloorRatio(row!.ratios.floor, false)).toBe('9.55×');
    expect(describeReferences([makeStatus('nginx')], new Set(['nginx']))).toBe('');
  });
});
