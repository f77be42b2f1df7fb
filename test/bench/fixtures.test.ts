import { FIXED_ROUTE, FUNCTION_ROUTE } from '../../bench/targets/route-paths.js';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, test } from 'vitest';
import { buildFixtureBytes, buildHeadersRules, buildRedirectRules, createFixtures, createRandom, createRuleFixtures, FIXTURES, LARGE_FIXTURE } from '../../bench/fixtures.js';
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
  test('every scenario path is a fixture, except the 404 one and the library\'s routes', () => {
    const known = new Set([...FIXTURES, LARGE_FIXTURE].map((f) => f.urlPath));
    const isRoute = (p: string) => p === FIXED_ROUTE || p === FUNCTION_ROUTE;
    for (const s of SCENARIOS) for (const p of s.paths) expect(known.has(p)).toBe(s.expectStatus !== 200 ? s.name !== '404' : !isRoute(p));
  });
  test('selectScenarios keeps the order asked for, expands route, and rejects unknown names', () => {
    expect(selectScenarios(['site', '1k']).map((s) => s.name)).toEqual(['site', '1k']);
    expect(selectScenarios(['route', '1k']).map((s) => s.name)).toEqual(['route-file', 'route-fixed', 'route-function', '1k']);
    expect(selectScenarios(['route']).map((s) => s.variant)).toEqual(['routes', 'routes', 'routes']);
    expect(() => selectScenarios(['2k'])).toThrow(/unknown scenario/);
  });
});

describe('rule fixtures (site-rules)', () => {
  test('30 blocks and 30 rules that parse, none of them forcing a fixture path or catching everything', async () => {
    const { parseHeadersFile } = await import('../../src/rules/headers-file.js');
    const { parseRedirectsFile } = await import('../../src/rules/redirects-file.js');
    const { findRule } = await import('../../src/rules/route.js');
    expect(parseHeadersFile(buildHeadersRules())).toHaveLength(30);
    const rules = parseRedirectsFile(buildRedirectRules());
    expect(rules).toHaveLength(30);
    for (const f of FIXTURES) expect(findRule(rules, f.urlPath), f.urlPath).toBeNull();
    expect(findRule(rules, '/missing/nothing-here.html')).toBeNull();
  });

  test('createRuleFixtures writes the fixtures and both files', () => {
    const rulesDir = join(dir, 'rules-root');
    createRuleFixtures(rulesDir);
    expect(readFileSync(join(rulesDir, '_headers'), 'utf8')).toBe(buildHeadersRules());
    expect(readFileSync(join(rulesDir, '_redirects'), 'utf8')).toBe(buildRedirectRules());
    expect(statSync(join(rulesDir, 'index.html')).size).toBe(1024);
  });

  test('the site-rules scenario rotates the site paths on the rules root', () => {
    const [site, rules] = selectScenarios(['site', 'site-rules']);
    expect(rules!.paths).toEqual(site!.paths);
    expect(rules!.variant).toBe('rules');
    expect(site!.variant).toBeUndefined();
  });
});
