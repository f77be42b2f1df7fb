/**
 * TLS setup: read and check the certificate files of a TlsConfig with
 * node:crypto, and describe them for the banner. The primary runs this
 * before forking and again before a SIGHUP reload, so a bad file is a clear
 * error (or a refused reload), never a worker stuck on a passphrase prompt
 * or a crash inside uWS; each worker runs it again before handing the same
 * file names to uWS, which reads them itself.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TlsConfig } from './config.js';

/** Bad certificate input: one line for the user; the CLI exits with code 2. */
export class TlsError extends Error {}

/** What the banner and the reload log say about one certificate. */
export interface CertificateInfo {
  /** `--cert`, or the SNI name it serves. */
  readonly label: string;
  readonly path: string;
  /** "CN=example.com, O=Example" */
  readonly subject: string;
  /** "DNS:example.com, DNS:www.example.com", or '' */
  readonly altNames: string;
  /** Upper-case hex, as openssl prints it. */
  readonly serial: string;
  readonly validFromMs: number;
  readonly validToMs: number;
}

/** uWS SSLApp / addServerName options (AppOptions): files by name. */
export interface CertificateFiles {
  readonly cert_file_name: string;
  readonly key_file_name: string;
  readonly passphrase?: string;
}

export interface CheckedTls {
  /** The default certificate first, then the SNI ones in order. */
  readonly certificates: readonly CertificateInfo[];
  readonly main: CertificateFiles;
  readonly sni: ReadonlyArray<{ readonly name: string; readonly files: CertificateFiles }>;
}

/** Read every file of `tls` and check each key matches its certificate; throws TlsError. */
export function checkTls(tls: TlsConfig): CheckedTls {
  const passphrase = tls.passphraseFile === null ? undefined : readPassphrase(tls.passphraseFile);
  const files = (cert: string, key: string): CertificateFiles =>
    passphrase === undefined ? { cert_file_name: cert, key_file_name: key } : { cert_file_name: cert, key_file_name: key, passphrase };
  const certificates = [checkPair({ label: '--cert', cert: '--cert', key: '--key' }, tls.cert, tls.key, passphrase)];
  for (const sni of tls.sni) {
    const label = `--sni ${sni.name}`;
    certificates.push(checkPair({ label, cert: `${label} certificate`, key: `${label} key` }, sni.cert, sni.key, passphrase));
  }
  return {
    certificates,
    main: files(tls.cert, tls.key),
    sni: tls.sni.map((sni) => ({ name: sni.name, files: files(sni.cert, sni.key) })),
  };
}

/** The passphrase is the file's first line (a trailing newline is not part of it). */
function readPassphrase(path: string): string {
  const text = readInput(path, '--passphrase-file').toString('utf8');
  const newline = text.search(/\r?\n/);
  return newline === -1 ? text : text.slice(0, newline);
}

/** How messages name a pair's files: "--cert", "--sni example.com key"… */
interface PairNames {
  readonly label: string;
  readonly cert: string;
  readonly key: string;
}

function checkPair(names: PairNames, certPath: string, keyPath: string, passphrase: string | undefined): CertificateInfo {
  const certificate = parseCertificate(names.cert, certPath);
  const key = parseKey(names.key, keyPath, passphrase);
  if (key.asymmetricKeyType !== certificate.publicKey.asymmetricKeyType || !certificate.checkPrivateKey(key)) {
    throw new TlsError(`${names.key} ${keyPath} does not match ${names.cert} ${certPath}`);
  }
  return {
    label: names.label,
    path: certPath,
    subject: certificate.subject.split('\n').join(', '),
    altNames: certificate.subjectAltName ?? '',
    serial: certificate.serialNumber.toUpperCase(),
    validFromMs: Date.parse(certificate.validFrom),
    validToMs: Date.parse(certificate.validTo),
  };
}

const PEM_CERTIFICATE = '-----BEGIN CERTIFICATE-----';

/** The first (leaf) certificate of a PEM chain file. */
function parseCertificate(what: string, path: string): X509Certificate {
  const bytes = readInput(path, what);
  // X509Certificate also takes DER; uWS reads PEM chains only.
  if (!bytes.includes(PEM_CERTIFICATE)) {
    throw new TlsError(`${what} ${path} is not a PEM certificate (no "${PEM_CERTIFICATE}" line)`);
  }
  try {
    return new X509Certificate(bytes);
  } catch (error) {
    throw new TlsError(`${what} ${path} is not a valid PEM certificate (${describeCryptoError(error)})`);
  }
}

function parseKey(what: string, path: string, passphrase: string | undefined): KeyObject {
  const bytes = readInput(path, what);
  // "BEGIN ENCRYPTED PRIVATE KEY" (PKCS #8) or "Proc-Type: 4,ENCRYPTED" (traditional PEM).
  const isEncrypted = bytes.includes('ENCRYPTED');
  if (!bytes.includes('PRIVATE KEY-----')) {
    throw new TlsError(`${what} ${path} is not a PEM private key (no "-----BEGIN … PRIVATE KEY-----" line)`);
  }
  if (isEncrypted && passphrase === undefined) {
    throw new TlsError(`${what} ${path} is encrypted: give its passphrase with --passphrase-file`);
  }
  try {
    return createPrivateKey({ key: bytes, format: 'pem', passphrase });
  } catch (error) {
    if (isEncrypted) throw new TlsError(`wrong passphrase in --passphrase-file for ${what} ${path}`);
    throw new TlsError(`${what} ${path} is not a valid PEM private key (${describeCryptoError(error)})`);
  }
}

function readInput(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'does not exist'
      : code === 'EACCES' || code === 'EPERM' ? 'cannot be read (permission denied)'
      : code === 'EISDIR' ? 'is a directory'
      : `cannot be read (${code ?? (error as Error).message})`;
    throw new TlsError(`${what} ${path} ${reason}`);
  }
}

/** OpenSSL's reason without its error-code prefix, e.g. "unsupported". */
function describeCryptoError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^error:[0-9A-F]+:[^:]*:[^:]*:/i, '').split('\n')[0];
}
