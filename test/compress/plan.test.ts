import { describe, expect, it } from 'vitest';
import { planSibling } from '../../src/compress/plan.js';
import { addOutcome, createSummary, formatSummary } from '../../src/compress/summary.js';

describe('planSibling', () => {
  it.each([
    ['absent', null, 'write'],
    ['newer', { isFile: true, mtimeMs: 2000 }, 'fresh'],
    ['same mtime', { isFile: true, mtimeMs: 1000 }, 'fresh'],
    ['older (stale)', { isFile: true, mtimeMs: 999 }, 'write'],
    ['a directory', { isFile: false, mtimeMs: 2000 }, 'blocked'],
  ] as const)('%s sibling → %s', (_, sibling, expected) => {
    expect(planSibling(1000, sibling)).toBe(expected);
  });
});

describe('summary', () => {
  const written = (br: number | null, gzip: number | null) => ({ br, gzip });
  const base = { display: 'd/x', isFresh: false, notKept: 0, removed: 0, error: null };

  it('adds outcomes per encoding and formats the totals', () => {
    const summary = createSummary(4);
    addOutcome(summary, { ...base, size: 4096, written: written(1024, 2048) });
    addOutcome(summary, { ...base, size: 2048, written: written(512, null), notKept: 1, removed: 1 });
    addOutcome(summary, { ...base, size: 1024, written: written(null, null), isFresh: true });
    addOutcome(summary, { ...base, size: 1024, written: written(null, null), error: 'd/x: cannot read: EACCES' });
    expect(summary).toMatchObject({ files: 4, br: { count: 2, before: 6144, after: 1536 }, gzip: { count: 1, before: 4096, after: 2048 }, fresh: 1, notKept: 1, removed: 1, errors: 1 });
    expect(formatSummary('dist', summary, 1234, 2)).toBe(
      [
        'fastsrv compress dist: 4 compressible files of 1 KiB or more',
        '  br        2 written, 6.0 KiB → 1.5 KiB (75% smaller)',
        '  gzip      1 written, 4.0 KiB → 2.0 KiB (50% smaller)',
        '  fresh     1 files already had fresh siblings (untouched)',
        '  not kept  1 variants saved less than 10% (no sibling); 1 stale siblings of those removed',
        '  errors    1 files (see above)',
        '  time      1.23 s on 2 threads',
        '',
      ].join('\n'),
    );
  });

  it('nothing to do', () => {
    const text = formatSummary('.', createSummary(0), 5, 1);
    expect(text).toContain('  br        none written\n');
    expect(text).toContain('on 1 thread\n');
    expect(text).not.toContain('errors');
  });
});
