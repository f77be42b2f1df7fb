/**
 * Real certificates for the TLS tests, made with the openssl command line
 * (Debian's openssl package) in a temp directory: a CA, certificates it
 * signs (EC P-256 keys, SAN names and addresses, chosen serials and
 * lifetimes), keys that match nothing, encrypted keys.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Issued {
  readonly cert: string;
  readonly key: string;
  /** Upper-case hex, as `openssl x509 -serial` and the banner print it. */
  readonly serial: string;
}

export interface IssueOptions {
  readonly cn: string;
  /** subjectAltName value, e.g. "DNS:localhost,IP:127.0.0.1". */
  readonly san: string;
  /** Whole hex digits, unique per certificate. */
  readonly serial: string;
  /** Lifetime from now; negative: already expired. */
  readonly days?: number;
  /** Encrypt the key with this passphrase. */
  readonly passphrase?: string;
}

export interface CertificateAuthority {
  readonly dir: string;
  /** PEM of the CA certificate, for clients' `ca`. */
  readonly caFile: string;
  issue(name: string, options: IssueOptions): Issued;
  /** A key that matches no certificate. */
  makeKey(name: string): string;
  remove(): void;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** A minimal `openssl ca` setup: any subject, repeated subjects allowed, serial from serial.txt. */
const CA_CONFIG = `[ca]
default_ca = test
[test]
dir = .
database = index.txt
new_certs_dir = .
serial = serial.txt
certificate = ca.pem
private_key = ca.key
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
`;

/** Now + offset as ASN.1 GeneralizedTime, YYYYMMDDHHMMSSZ. */
function formatAsn1Time(offsetMs: number): string {
  return new Date(Date.now() + offsetMs).toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A fresh CA in a new temp directory. */
export function createCertificateAuthority(): CertificateAuthority {
  const dir = mkdtempSync(join(tmpdir(), 'fastsrv-certs-'));
  const ec = ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  openssl(['genpkey', ...ec, '-out', 'ca.key'], dir);
  openssl(['req', '-x509', '-new', '-key', 'ca.key', '-days', '30', '-subj', '/CN=fastsrv test CA', '-out', 'ca.pem'], dir);
  writeFileSync(join(dir, 'ca.cnf'), CA_CONFIG);
  writeFileSync(join(dir, 'index.txt'), '');
  const makeKey = (name: string, passphrase?: string): string => {
    const encryption = passphrase === undefined ? [] : ['-aes-256-cbc', '-pass', `pass:${passphrase}`];
    openssl(['genpkey', ...ec, ...encryption, '-out', `${name}.key`], dir);
    return join(dir, `${name}.key`);
  };
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    issue(name, options) {
      const key = makeKey(name, options.passphrase);
      const passIn = options.passphrase === undefined ? [] : ['-passin', `pass:${options.passphrase}`];
      openssl(['req', '-new', '-key', key, ...passIn, '-subj', `/CN=${options.cn}`, '-out', `${name}.csr`], dir);
      writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${options.san}\nbasicConstraints=CA:FALSE\n`);
      writeFileSync(join(dir, 'serial.txt'), `${options.serial}\n`);
      // `openssl ca` takes explicit dates on every OpenSSL version (x509 -days -1 works on 3.0 only).
      const days = options.days ?? 30;
      const [start, end] = days >= 0 ? [-HOUR_MS, days * DAY_MS] : [(days - 1) * DAY_MS, days * DAY_MS];
      openssl(
        ['ca', '-batch', '-config', 'ca.cnf', '-in', `${name}.csr`, '-out', `${name}.pem`, '-notext',
          '-startdate', formatAsn1Time(start), '-enddate', formatAsn1Time(end), '-extfile', `${name}.ext`],
        dir,
      );
      return { cert: join(dir, `${name}.pem`), key, serial: options.serial.toUpperCase() };
    },
    makeKey: (name) => makeKey(name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The subject and serial a TLS server presents, as `openssl s_client` shows them. */
export function readServedCertificate(port: number, servername?: string): { subject: string; serial: string } {
  const args = ['s_client', '-connect', `127.0.0.1:${port}`, ...(servername ? ['-servername', servername] : ['-noservername'])];
  const pem = execFileSync('openssl', args, { input: '', stdio: ['pipe', 'pipe', 'ignore'], timeout: 10_000 });
  const text = execFileSync('openssl', ['x509', '-noout', '-subject', '-serial'], { input: pem }).toString();
  return {
    // OpenSSL 3.0 prints "CN = name", 3.5 "CN=name".
    subject: /^subject=\s*(.*)$/m.exec(text)?.[1].trim().replace(/\s*=\s*/g, '=') ?? '',
    serial: /^serial=(.*)$/m.exec(text)?.[1].trim().toUpperCase() ?? '',
  };
}
