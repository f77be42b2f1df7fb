import { describe, expect, test } from 'vitest';
import { makeFresh } from '../../bench/micro/report.js';
import { selectBenchFiles } from '../../bench/micro/run.js';

describe('selectBenchFiles', () => {
  const files = ['run.js', 'report.js', 'path.bench.js', 'encoding.bench.js', 'path.bench.js.map', 'conditional.bench.js'];
  test('all bench files, sorted', () => expect(selectBenchFiles(files, [])).toEqual(['conditional.bench.js', 'encoding.bench.js', 'path.bench.js']));
  test('by name, in the order given', () => expect(selectBenchFiles(files, ['path', 'conditional'])).toEqual(['path.bench.js', 'conditional.bench.js']));
  test('unknown name', () => expect(() => selectBenchFiles(files, ['range'])).toThrow(/unknown micro-benchmark: range \(known: conditional, encoding, path\)/));
});

test('makeFresh keeps the value', () => expect(makeFresh('/a%20b.html')).toBe('/a%20b.html'));
