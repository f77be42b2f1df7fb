import { describe, expect, it } from 'vitest';
import { parseRedirectsFile } from '../../src/rules/redirects-file.js';
import { RuleError } from '../../src/rules/syntax.js';

describe('parseRedirectsFile', () => {
  it('FROM TO [STATUS[!]] per line, in order; 301 by default; comments and blank lines skipped', () => {
    const rules = parseRedirectsFile([
      '# redirects',
      '/home              /',
      '/old   /new   302',
      '',
      '/blog/*  /news/:splat  308',
      '/app/*   /app/index.html   200',
      '/docs/*  /docs/404.html    404',
      '/legacy  https://example.com/legacy  301!',
      '\t/tabbed\t/t\t303',
      '/tmp /t 307',
      '/forced /f 200!',
    ].join('\n'));
    expect(rules.map((r) => [r.line, r.from.source, r.to.source, r.status, r.isForced])).toEqual([
      [2, '/home', '/', 301, false],
      [3, '/old', '/new', 302, false],
      [5, '/blog/*', '/news/:splat', 308, false],
      [6, '/app/*', '/app/index.html', 200, false],
      [7, '/docs/*', '/docs/404.html', 404, false],
      [8, '/legacy', 'https://example.com/legacy', 301, true],
      [9, '/tabbed', '/t', 303, false],
      [10, '/tmp', '/t', 307, false],
      [11, '/forced', '/f', 200, true],
    ]);
  });

  it('placeholders in FROM are available in TO; absolute targets', () => {
    const [rule] = parseRedirectsFile('/news/:year/:slug https://blog.example/:year/:slug 302');
    expect(rule.from.names).toEqual(['year', 'slug']);
    expect(rule.to.isAbsolute).toBe(true);
  });

  it.each<[string, number, RegExp]>([
    ['/only-from', 1, /expected "FROM TO \[STATUS\]"/],
    ['/a /b 301 Country=au', 1, /condition matching \(Country=au\) is not supported/],
    ['/store id=:id /blog/:id 301', 1, /query and condition matching \(id=:id\)/],
    ['/store id=:id /blog/:id', 1, /query and condition matching/],
    ['# c\n/a /b 299', 2, /unsupported status "299"/],
    ['/a /b 410', 1, /unsupported status "410"/],
    ['/a /b 301!!', 1, /unsupported status/],
    ['/a /b abc', 1, /unsupported status/],
    ['/ok /fine\nrelative /b', 2, /a path must start with \//],
    ['/a b', 1, /target must be a path/],
    ['/a /b\n\n/x/* /y /z 301', 3, /expected "FROM TO \[STATUS\]", got 4 fields/],
    ['/a /b /c', 1, /unsupported status "\/c"/],
    ['/a/* https://example.com/:splat 200', 1, /does not proxy/],
    ['/a/* https://example.com/404 404', 1, /does not proxy/],
    ['https://old.example/* https://new.example/:splat 301', 1, /host-specific rules/],
    ['/a/*/b/* /c', 1, /only one \*/],
    ['/:x https://:x.example.com/ 302', 1, /cannot be used in the host/],
    ['/a%zz /b', 1, /invalid percent-encoding/],
    ['/a /b%zz 200', 1, /invalid percent-encoding/],
  ])('%j → line %i', (text, line, reason) => {
    let error: unknown;
    try {
      parseRedirectsFile(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RuleError);
    expect((error as RuleError).line).toBe(line);
    expect((error as RuleError).message).toMatch(new RegExp(`^_redirects line ${line}: `));
    expect((error as RuleError).message).toMatch(reason);
  });
});
