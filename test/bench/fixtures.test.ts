import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, test } from 'vitest';
import { buildFixtureBytes, createFixtures, createRandom, FIXTURES, LARGE_FIXTURE } from '../../bench/fixtures.js';
import { SCENARIOS, selectScenarios } from '../../bench/scenarios.js';

const dir = mkdtempSync(join(tmpdir(), 'bench-fixtures-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fixtures', () => {
  test('exact sizes, fixed mtime', () => {
    createFixtures(dir);
    for (const f of FIXTURES) {
      const stats = statSync(join(dir, f.urlPath));
      expect(stats.size).toBe(f.size);
      expect(stats.mtime.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    }
  });

  test('deterministic: same bytes on every call', () => {
    for (const f of FIXTURES) expect(buildFixtureBytes(f).equals(buildFixtureBytes(f))).toBe(true);
    const digest = createHash('sha256').update(readFileSync(join(dir, 'index.html'))).digest('hex');
    expect(digest).toBe(createHash('sha256').update(buildFixtureBytes(FIXTURES[0]!)).digest('hex'));
  });

  test('the HTML fixture is an HTML document', () => {
    const html = buildFixtureBytes(FIXTURES[0]!).toString('latin1');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.endsWith('</html>\n')).toBe(true);
  });

  test('createRandom is seeded', () => {
    const a = createRandom(1);
    const b = createRandom(1);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });
});

describe('scenarios', () => {
  test('every scenario path is a fixture, except the 404 one', () => {
    const known = new Set([...FIXTURES, LARGE_FIXTURE].map((f) => f.urlPath));
    for (const s of SCENARIOS) for (const p of s.paths) expect(known.has(p)).toBe(s.expectStatus !== 200 ? s.name !== '404' : true);
  });
  test('selectScenarios keeps the order asked for and rejects unknown names', () => {
    expect(selectScenarios(['site', '1k']).map((s) => s.name)).toEqual(['site', '1k']);
    expect(() => selectScenarios(['2k'])).toThrow(/unknown scenario/);
  });
});
