import { describe, expect, test } from 'vitest';
import {
  ENC_BR,
  ENC_GZIP,
  ENC_IDENTITY,
  ENC_NOT_ACCEPTABLE,
  HAS_BR,
  HAS_GZIP,
  negotiateEncoding,
  parseAndNegotiateEncoding,
  type Encoding,
} from '../../src/http/encoding.js';

const ALL = HAS_GZIP | HAS_BR;
const GZ = HAS_GZIP;
const BR = HAS_BR;
const NO = 0;

type Want = 'br' | 'gzip' | 'identity' | '406';
type Row = [header: string, available: number, want: Want];

function nameOf(e: Encoding): Want {
  switch (e) {
    case ENC_BR: return 'br';
    case ENC_GZIP: return 'gzip';
    case ENC_IDENTITY: return 'identity';
    case ENC_NOT_ACCEPTABLE: return '406';
  }
}

const emptyRows: Row[] = [
  ['', ALL, 'identity'], // absent and empty look the same from uWS
  ['', NO, 'identity'],
  [' ', ALL, 'identity'],
  [',', ALL, 'identity'],
  [' , ,\t', ALL, 'identity'],
];

const commonRows: Row[] = [
  ['gzip, deflate, br, zstd', ALL, 'br'],
  ['gzip, deflate, br, zstd', GZ, 'gzip'],
  ['gzip, deflate, br, zstd', BR, 'br'],
  ['gzip, deflate, br, zstd', NO, 'identity'],
  ['gzip, deflate, br', ALL, 'br'],
  ['gzip, deflate, br', GZ, 'gzip'],
  ['deflate, gzip, br, zstd', ALL, 'br'],
  ['br, gzip', GZ, 'gzip'],
  ['gzip, br', BR, 'br'],
  ['gzip, deflate', ALL, 'gzip'],
  ['gzip, deflate', BR, 'identity'],
  ['deflate, gzip', GZ, 'gzip'],
  ['gzip', ALL, 'gzip'],
  ['gzip', BR, 'identity'],
  ['br', ALL, 'br'],
  ['br', GZ, 'identity'],
  ['identity', ALL, 'identity'],
  ['deflate', ALL, 'identity'],
  ['zstd', ALL, 'identity'],
  ['compress, x-compress', ALL, 'identity'],
  ['gzip,deflate,br', ALL, 'br'], // no spaces: the parser, not the fast path
];

const tokenRows: Row[] = [
  ['GZIP', ALL, 'gzip'],
  ['Br', ALL, 'br'],
  ['BR', BR, 'br'],
  ['x-gzip', ALL, 'gzip'],
  ['X-GZip', GZ, 'gzip'],
  ['x-br', ALL, 'identity'],
  ['gzip2', ALL, 'identity'],
  ['gzi', ALL, 'identity'],
  ['xgzip', ALL, 'identity'],
  ['x_gzip', ALL, 'identity'],
  ['"gzip"', GZ, 'identity'],
  ['gzip deflate', GZ, 'identity'], // one malformed element…
  ['gzip deflate, br', ALL, 'br'], // …does not spoil the others
  ['gzip,,,br', BR, 'br'],
  [';q=1', GZ, 'identity'],
];

// §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
const qRows: Row[] = [
  ['gzip;q=0', ALL, 'identity'],
  ['gzip;q=0, br', ALL, 'br'],
  ['br;q=0, gzip', ALL, 'gzip'],
  ['br;q=0, gzip', BR, 'identity'],
  ['gzip;q=0, br;q=0', ALL, 'identity'], // identity still acceptable: no 406
  ['gzip;q=0.5, br;q=0.4', ALL, 'gzip'],
  ['gzip;q=0.5, br;q=0.5', ALL, 'br'], // tie → br
  ['gzip;Q=0.5, br;q=0.4', ALL, 'gzip'],
  ['gzip;q=1.0, br;q=0.999', ALL, 'gzip'],
  ['gzip;q=1.000, br;q=0.999', ALL, 'gzip'],
  ['gzip;q=1., br;q=0.999', ALL, 'gzip'],
  ['gzip;q=0.001', GZ, 'gzip'], // lowest weight still beats unlisted identity
  ['gzip;q=0.0001', GZ, 'identity'], // 4 decimals: element ignored
  ['gzip;q=0.5000', GZ, 'identity'],
  ['gzip;q=1.0001, br;q=0.1', ALL, 'br'],
  ['gzip;q=1.001', GZ, 'identity'],
  ['gzip;q=1.5', GZ, 'identity'],
  ['gzip;q=2', GZ, 'identity'],
  ['gzip;q=-1', GZ, 'identity'],
  ['gzip;q=+1', GZ, 'identity'],
  ['gzip;q=.5', GZ, 'identity'],
  ['gzip;q=', GZ, 'identity'],
  ['gzip;q', GZ, 'identity'],
  ['gzip;q=0.5x', GZ, 'identity'],
  ['gzip;q=0.', GZ, 'identity'], // valid, and means refused
  ['gzip;q = 0.5', GZ, 'identity'], // no BWS around "=" in §5.6.6
  ['gzip;level=1', GZ, 'identity'],
  ['gzip;q=0.5;q=0.6', GZ, 'identity'],
  ['gzip; q=0.5', GZ, 'gzip'],
  ['gzip ;q=0.5', GZ, 'gzip'],
  ['gzip;q=0.5 ', GZ, 'gzip'],
  ['gzip;', GZ, 'gzip'], // bare ";" tolerated, as nginx does
  ['gzip;\tq=0.5,\tbr;q=0.1', ALL, 'gzip'],
  ['gzip;q=abc, br', ALL, 'br'],
  ['br;q=2, gzip', ALL, 'gzip'],
  ['br;q=0.9, gzip;q=0.95', ALL, 'gzip'],
  ['br;q=0.95, gzip;q=0.9', ALL, 'br'],
];

// §12.5.3: identity is refused only by "identity;q=0", or by "*;q=0" when
// identity is not listed; 406 only when nothing available is then acceptable.
const identityRows: Row[] = [
  ['identity;q=0', ALL, '406'],
  ['identity;q=0', NO, '406'],
  ['identity;q=0, gzip', ALL, 'gzip'],
  ['identity;q=0, gzip', BR, '406'],
  ['identity;q=0, *', ALL, 'br'],
  ['identity;q=0, *;q=0.5', GZ, 'gzip'],
  ['IDENTITY;q=0, gzip', GZ, 'gzip'],
  ['gzip;q=0.5, identity', GZ, 'identity'],
  ['gzip, identity', GZ, 'gzip'], // tie → compressed
  ['identity;q=0.5, gzip;q=0.5', GZ, 'gzip'],
  ['identity;q=0.6, gzip;q=0.5', GZ, 'identity'],
  ['identity;q=0.6, br;q=0.5', GZ, 'identity'],
  ['foo;q=0', ALL, 'identity'],
];

const starRows: Row[] = [
  ['*', ALL, 'br'],
  ['*', GZ, 'gzip'],
  ['*', NO, 'identity'],
  ['*;q=0', ALL, '406'],
  ['*;q=0', NO, '406'],
  ['*;q=0, identity', ALL, 'identity'],
  ['*;q=0, identity;q=0.1', ALL, 'identity'],
  ['*;q=0, gzip', ALL, 'gzip'],
  ['*;q=0, identity;q=0', ALL, '406'],
  ['identity;q=0, *;q=0', ALL, '406'],
  ['*;q=0, br;q=0.1', GZ, '406'], // br listed but not available
  ['br;q=0, *', ALL, 'gzip'], // "*" never overrides an explicit entry
  ['gzip;q=0, *', GZ, 'identity'],
  ['*;q=0.5, gzip', ALL, 'gzip'],
  ['*;q=0.5', ALL, 'br'],
  ['*;q=0.5, identity', ALL, 'identity'],
  ['*;q=bad', ALL, 'identity'], // ignored, so not a refusal
];

const duplicateRows: Row[] = [
  ['gzip;q=0, gzip', GZ, 'gzip'], // highest weight of a coding wins
  ['gzip, gzip;q=0', GZ, 'gzip'],
  ['br;q=0.1, br;q=0.9, gzip;q=0.5', ALL, 'br'],
  ['x-gzip;q=0.9, gzip;q=0.1, br;q=0.5', ALL, 'gzip'],
  ['identity;q=0, identity;q=0.1', NO, 'identity'],
];

const tables: [string, Row[]][] = [
  ['empty', emptyRows],
  ['common values', commonRows],
  ['tokens', tokenRows],
  ['q-values', qRows],
  ['identity', identityRows],
  ['star', starRows],
  ['duplicates', duplicateRows],
];

describe('negotiateEncoding', () => {
  for (const [name, rows] of tables) {
    describe(name, () => {
      test.each(rows)('%j with mask %d → %s', (header, available, want) => {
        expect(nameOf(negotiateEncoding(header, available))).toBe(want);
      });
    });
  }
});

describe('parseAndNegotiateEncoding', () => {
  for (const [name, rows] of tables) {
    describe(name, () => {
      test.each(rows)('%j with mask %d → %s', (header, available, want) => {
        expect(nameOf(parseAndNegotiateEncoding(header, available))).toBe(want);
      });
    });
  }
});

describe('encoding ids and masks', () => {
  test('ids index an array of variants; masks are distinct bits', () => {
    expect([ENC_IDENTITY, ENC_GZIP, ENC_BR]).toEqual([0, 1, 2]);
    expect(ENC_NOT_ACCEPTABLE).toBeLessThan(0);
    expect(HAS_GZIP & HAS_BR).toBe(0);
    expect(HAS_GZIP).toBeGreaterThan(0);
    expect(HAS_BR).toBeGreaterThan(0);
  });
});
