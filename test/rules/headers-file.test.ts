import { describe, expect, it } from 'vitest';
import { parseHeadersFile } from '../../src/rules/headers-file.js';
import { RuleError } from '../../src/rules/syntax.js';

const lines = (...text: string[]): string => text.join('\n');

describe('parseHeadersFile', () => {
  it('blocks of a path and indented headers; comments, blank lines, CRLF, tabs, a BOM', () => {
    const text = '\uFEFF# site headers\r\n/*\r\n  X-Frame-Options: DENY\r\n\tReferrer-Policy:  no-referrer \r\n\r\n  # a comment inside\r\n/assets/*\r\n  Cache-Control: public, max-age=31536000, immutable\r\n  ! X-Frame-Options\r\n';
    const blocks = parseHeadersFile(text);
    expect(blocks.map((b) => [b.line, b.pattern.source, b.set, b.remove])).toEqual([
      [2, '/*', [['X-Frame-Options', 'DENY'], ['Referrer-Policy', 'no-referrer']], []],
      [7, '/assets/*', [['Cache-Control', 'public, max-age=31536000, immutable']], ['x-frame-options']],
    ]);
  });

  it('a name twice in one block is kept twice (joined when resolved); a value may contain colons', () => {
    const [block] = parseHeadersFile(lines('/a', '  Link: <https://x.example/a>; rel=preload', '  Link: </b.css>; rel=preload'));
    expect(block.set).toEqual([['Link', '<https://x.example/a>; rel=preload'], ['Link', '</b.css>; rel=preload']]);
  });

  it('placeholders and splats in the path; an empty block; an empty value', () => {
    const blocks = parseHeadersFile(lines('/:lang/docs/*', '  X-Lang: yes', '/empty', '/e', '  X-Empty:'));
    expect(blocks[0].pattern.names).toEqual(['lang', 'splat']);
    expect(blocks[1].set).toEqual([]);
    expect(blocks[2].set).toEqual([['X-Empty', '']]);
  });

  it('an empty file has no blocks', () => {
    expect(parseHeadersFile('')).toEqual([]);
    expect(parseHeadersFile('# only a comment\n\n')).toEqual([]);
  });

  // text, line, reason
  it.each<[string, number, RegExp]>([
    [lines('  X-A: 1'), 1, /a header line before any path/],
    [lines('# c', '', '/a', 'X-A: 1'), 4, /a path must start with \/.*indented under its path/],
    [lines('/a', '  X-A 1'), 2, /expected "Name: value" or "! Name"/],
    [lines('/a', '  : 1'), 2, /expected "Name: value"/],
    [lines('/a', '  Bad Name: 1'), 2, /invalid header name "Bad Name"/],
    [lines('/a', '  X-A: 1', '  Content-Type: text/plain'), 3, /cannot set Content-Type: fastsrv computes it/],
    [lines('/a', '  content-length: 5'), 2, /cannot set content-length/],
    [lines('/a', '  ETag: "x"'), 2, /cannot set ETag/],
    [lines('/a', '  Vary: Cookie'), 2, /cannot set Vary/],
    [lines('/a', '  Content-Range: bytes 0-1/2'), 2, /cannot set Content-Range/],
    [lines('/a', '  ! Last-Modified'), 2, /cannot remove Last-Modified/],
    [lines('/a', '  !'), 2, /invalid header name ""/],
    [lines('/a', '  X-A: caf\u00e9'), 2, /must be printable ASCII/],
    [lines('/a', '  X-A: a\u0001b'), 2, /must be printable ASCII/],
    [lines('/a', '', '/b/*/c/*'), 3, /only one \*/],
    [lines('https://example.com/*', '  X-A: 1'), 1, /host-specific rules/],
    [lines('/a%zz'), 1, /invalid percent-encoding/],
  ])('%j → line %i', (text, line, reason) => {
    let error: unknown;
    try {
      parseHeadersFile(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RuleError);
    expect((error as RuleError).line).toBe(line);
    expect((error as RuleError).message).toMatch(new RegExp(`^_headers line ${line}: `));
    expect((error as RuleError).message).toMatch(reason);
  });
});
