/**
 * TLS of a bench run: one certificate made with openssl for the whole run
 * (every target serves the same one), and a handshake from the harness that
 * records what each TLS target negotiated.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import type { TlsStatus } from './types.js';

/** Certificate and key files by absolute path, and the certificate's bytes (the harness's trust anchor). */
export interface TlsFiles {
  cert: string;
  key: string;
  ca: Buffer;
}

/**
 * TLS 1.3 cipher suite the targets that can name one are told to use. It is
 * also the first suite OpenSSL clients (wrk, Node) offer, so servers that
 * follow the client's order (fastsrv/uWS, Bun) pick it too.
 */
export const TLS13_CIPHER = 'TLS_AES_256_GCM_SHA384';

/**
 * A self-signed ECDSA P-256 certificate for localhost and 127.0.0.1 in
 * `dir` (P-256 is what certbot issues by default; an RSA key would make
 * every handshake several times dearer for every target alike).
 */
export function createBenchCertificate(dir: string): TlsFiles {
  const cert = join(dir, 'bench-cert.pem');
  const key = join(dir, 'bench-key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert,
    '-days', '7', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  return { cert, key, ca: readFileSync(cert) };
}

/** One handshake with `port`: protocol, cipher suite and key exchange group (certificate verified). */
export function probeTls(port: number, ca: Buffer, timeoutMs = 5000): Promise<TlsStatus> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      const status = {
        protocol: socket.getProtocol() ?? '',
        cipher: socket.getCipher().standardName,
        group: (socket.getEphemeralKeyInfo() as { name?: string } | null)?.name ?? '',
      };
      socket.end();
      resolve(status);
    });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no TLS handshake within ${timeoutMs} ms`)));
    socket.on('error', reject);
  });
}

/** "TLSv1.3 TLS_AES_256_GCM_SHA384 X25519" */
export function describeTls(status: TlsStatus): string {
  return [status.protocol, status.cipher, status.group].filter((part) => part !== '').join(' ');
}
