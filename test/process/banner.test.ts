import { describe, expect, it } from 'vitest';
import { describeCertificates, listUrls } from '../../src/process/banner.js';
import type { CertificateInfo } from '../../src/setup/tls.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-01T12:00:00Z');

function certificate(validToMs: number, overrides: Partial<CertificateInfo> = {}): CertificateInfo {
  return {
    label: '--cert',
    path: '/etc/tls/cert.pem',
    subject: 'CN=example.com',
    altNames: 'DNS:example.com',
    serial: '1F',
    validFromMs: NOW - 60 * DAY,
    validToMs,
    ...overrides,
  };
}

describe('describeCertificates', () => {
  it('one line per certificate: subject, serial, expiry; SNI ones named', () => {
    const { lines, warnings } = describeCertificates(
      [certificate(NOW + 30 * DAY), certificate(NOW + 90 * DAY + 5000, { label: '--sni www.test', subject: 'CN=www.test, O=Test', serial: 'AB' })],
      NOW,
    );
    expect(lines).toEqual([
      'CN=example.com, serial 1F, expires 2026-12-31 12:00 UTC (in 30 days)',
      'www.test: CN=www.test, O=Test, serial AB, expires 2027-03-01 12:00 UTC (in 90 days)',
    ]);
    expect(warnings).toEqual([]);
  });

  it.each([
    [14 * DAY, null],
    [14 * DAY - 1, 'expires in 13 days: renew it'],
    [DAY + 1, 'expires in 1 day: renew it'],
    [1000, 'expires in less than a day: renew it'],
    [0, 'EXPIRED on 2026-12-01 12:00 UTC: clients will refuse it'],
    [-3 * DAY, 'EXPIRED on 2026-11-28 12:00 UTC: clients will refuse it'],
  ])('%i ms before expiry → %s', (left, warning) => {
    const { warnings } = describeCertificates([certificate(NOW + left)], NOW);
    expect(warnings).toEqual(warning === null ? [] : [`certificate /etc/tls/cert.pem (--cert) ${warning}`]);
  });

  it('an expired certificate says how long ago; one not valid yet is a warning too', () => {
    expect(describeCertificates([certificate(NOW - 3 * DAY)], NOW).lines[0]).toMatch(/\(3 days ago\)$/);
    const future = describeCertificates([certificate(NOW + 30 * DAY, { validFromMs: NOW + DAY })], NOW);
    expect(future.warnings).toEqual(['certificate /etc/tls/cert.pem (--cert) is not valid until 2026-12-02 12:00 UTC: clients will refuse it']);
  });
});

describe('listUrls', () => {
  it('https:// with TLS', () => {
    expect(listUrls('127.0.0.1', 8443, 'https')).toEqual(['https://127.0.0.1:8443/']);
    expect(listUrls('::1', 8443, 'https')).toEqual(['https://[::1]:8443/']);
    expect(listUrls('0.0.0.0', 8443, 'https')[0]).toBe('https://127.0.0.1:8443/');
  });
});
