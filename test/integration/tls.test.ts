/**
 * Issue 11, HTTPS: real TLS with certificates openssl makes here. The same
 * tree served over HTTP and HTTPS answers byte for byte alike; big files
 * stream over TLS; SNI picks the second certificate; --http-port redirects
 * with 308; bad certificate input fails at start with exit code 2 and one line.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../src/check.js';
import { createCertificateAuthority, readServedCertificate, type CertificateAuthority, type Issued } from '../helpers/certs.js';
import { makeBytes, makeTree, type Tree } from '../helpers/fixtures.js';
import { get, rawStatus, runCli, sendRaw, startCli, type Reply, type RunningCli, type TlsClient } from '../helpers/server.js';

const execFileAsync = promisify(execFile);

const SCRIPT = 'const message = "hello over TLS";\n'.repeat(200);
const BIG_SIZE = 24 * 1024 * 1024;

let ca: CertificateAuthority;
let main: Issued;
let second: Issued;
let tree: Tree;
let client: TlsClient;

beforeAll(() => {
  ca = createCertificateAuthority();
  main = ca.issue('main', { cn: 'localhost', san: 'DNS:localhost,IP:127.0.0.1', serial: '1001' });
  second = ca.issue('second', { cn: 'second.test', san: 'DNS:second.test', serial: '2002' });
  client = { ca: readFileSync(ca.caFile) };
  tree = makeTree({
    'index.html': '<!doctype html><title>tls</title>\n',
    'app.js': SCRIPT,
    'app.js.br': brotliCompressSync(SCRIPT),
    'app.js.gz': gzipSync(SCRIPT),
    'image.png': makeBytes(5000, 4),
    'dir/a b.txt': 'space\n',
    'big.bin': makeBytes(BIG_SIZE, 8),
  });
});
afterAll(() => {
  tree?.remove();
  ca?.remove();
});

const tlsArgs = (): string[] => ['--cert', main.cert, '--key', main.key];

describe('the same tree over HTTP and HTTPS', () => {
  let plain: RunningCli;
  let secure: RunningCli;
  beforeAll(async () => {
    [plain, secure] = await Promise.all([
      startCli(tree.root, ['--no-compress', '--max-file-size', '1M']),
      startCli(tree.root, ['--no-compress', '--max-file-size', '1M', ...tlsArgs()]),
    ]);
  });
  afterAll(async () => {
    expect(await plain?.stop()).toBe(0);
    expect(await secure?.stop()).toBe(0);
  });

  const etagOf = async (path: string, headers: Record<string, string> = {}): Promise<string> =>
    String((await get(plain.port, path, headers)).headers.etag);

  const cases: Array<[string, string, () => Promise<Record<string, string>>, string?]> = [
    ['GET /', '/', async () => ({})],
    ['GET a binary', '/image.png', async () => ({})],
    ['brotli', '/app.js', async () => ({ 'accept-encoding': 'br, gzip' })],
    ['gzip', '/app.js', async () => ({ 'accept-encoding': 'gzip' })],
    ['If-None-Match → 304', '/app.js', async () => ({ 'if-none-match': await etagOf('/app.js') })],
    ['304 of the br variant', '/app.js', async () => ({ 'accept-encoding': 'br', 'if-none-match': await etagOf('/app.js', { 'accept-encoding': 'br' }) })],
    ['range', '/image.png', async () => ({ range: 'bytes=100-1099' })],
    ['suffix range of gzip bytes', '/app.js', async () => ({ range: 'bytes=-50', 'accept-encoding': 'gzip' })],
    ['multipart ranges', '/image.png', async () => ({ range: 'bytes=0-9,4000-4010' })],
    ['416', '/image.png', async () => ({ range: 'bytes=9000-' })],
    ['HEAD', '/app.js', async () => ({ 'accept-encoding': 'br' }), 'HEAD'],
    ['404', '/missing.html', async () => ({})],
    ['percent-encoded name', '/dir/a%20b.txt', async () => ({})],
    ['streamed file, range', '/big.bin', async () => ({ range: 'bytes=5000000-5999999' })],
    ['405', '/', async () => ({}), 'DELETE'],
  ];

  it.each(cases)('%s: status, headers (but Date) and body equal', async (_name, path, makeHeaders, method = 'GET') => {
    const headers = await makeHeaders();
    const [http, https] = await Promise.all([get(plain.port, path, headers, method), get(secure.port, path, headers, method, client)]);
    expect(describeReply(https)).toEqual(describeReply(http));
    expect(normalizeBody(https).equals(normalizeBody(http))).toBe(true);
  });

  it('multipart boundaries aside, the bytes are those of the file', async () => {
    const reply = await get(secure.port, '/image.png', { range: 'bytes=100-1099' }, 'GET', client);
    expect(reply.status).toBe(206);
    expect(reply.body.equals(tree.files.get('image.png')!.subarray(100, 1100))).toBe(true);
  });

  it('a file beyond --max-file-size streams over TLS, whole and by hash, to a client that stalls', async () => {
    const expected = createHash('sha256').update(tree.files.get('big.bin')!).digest('hex');
    const { status, length, sha256 } = await fetchStalling(secure.port, '/big.bin', client.ca, 1000);
    expect(status).toBe(200);
    expect(length).toBe(BIG_SIZE);
    expect(sha256).toBe(expected);
  }, 30_000);

  it('fastsrv check https:// finds what it finds over http://, check for check, and no failure', async () => {
    const http = await runChecks(`http://127.0.0.1:${plain.port}/`, tree.root);
    const https = await runChecks(`https://127.0.0.1:${secure.port}/`, tree.root);
    expect(https.failed).toBe(0);
    expect(https.passed).toBeGreaterThan(20);
    expect(https.results.map((r) => `${r.name}: ${r.status}`)).toEqual(http.results.map((r) => `${r.name}: ${r.status}`));
  }, 30_000);

  it('curl --cacert verifies the certificate for localhost and 127.0.0.1', async () => {
    for (const host of ['localhost', '127.0.0.1']) {
      const { stdout } = await execFileAsync('curl', ['-sS', '--cacert', ca.caFile, `https://${host}:${secure.port}/`]);
      expect(stdout).toBe(tree.files.get('index.html')!.toString());
    }
  });

  it('HTTP/1.1 only: no ALPN protocol is negotiated, so HTTP/2 clients fall back', async () => {
    const protocol = await new Promise<string | false>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: secure.port, ca: client.ca, ALPNProtocols: ['h2', 'http/1.1'] }, () => {
        resolve(socket.alpnProtocol ?? false);
        socket.end();
      });
      socket.on('error', reject);
    });
    expect(protocol).toBe(false);
  });
});

/** Status and headers of a reply as comparable text; Date differs by the second. */
function describeReply(reply: Reply): Record<string, unknown> {
  const headers = { ...reply.headers };
  delete headers.date;
  const type = String(headers['content-type'] ?? '');
  // Each multipart response has its own boundary.
  if (type.startsWith('multipart/byteranges')) headers['content-type'] = 'multipart/byteranges; boundary=…';
  return { status: reply.status, headers, length: reply.body.length };
}

/** The body, with a multipart response's own boundary replaced by a fixed one. */
function normalizeBody(reply: Reply): Buffer {
  const boundary = /boundary=(\S+)/.exec(String(reply.headers['content-type'] ?? ''))?.[1];
  if (boundary === undefined) return reply.body;
  return Buffer.from(reply.body.toString('latin1').split(boundary).join('BOUNDARY'), 'latin1');
}

/** GET over TLS, stop reading for `stallMs` after the first bytes, then read the rest, hashing. */
function fetchStalling(port: number, path: string, ca: Buffer, stallMs: number): Promise<{ status: number; length: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca }, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    });
    const hash = createHash('sha256');
    let head = Buffer.alloc(0);
    let status = 0;
    let length = 0;
    let hasStalled = false;
    socket.on('data', (chunk: Buffer) => {
      if (status === 0) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        status = rawStatus(head);
        chunk = head.subarray(end + 4);
      }
      hash.update(chunk);
      length += chunk.length;
      if (!hasStalled) {
        hasStalled = true;
        socket.pause();
        setTimeout(() => socket.resume(), stallMs);
      }
    });
    socket.on('end', () => resolve({ status, length, sha256: hash.digest('hex') }));
    socket.on('error', reject);
  });
}

describe('SNI', () => {
  let server: RunningCli;
  beforeAll(async () => {
    server = await startCli(tree.root, [...tlsArgs(), '--sni', `second.test=${second.cert},${second.key}`]);
  });
  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it('a client asking for second.test gets the second certificate and the same files', async () => {
    expect(readServedCertificate(server.port, 'second.test')).toEqual({ subject: 'CN=second.test', serial: '2002' });
    const reply = await get(server.port, '/app.js', { 'accept-encoding': 'br' }, 'GET', { ...client, servername: 'second.test' });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-encoding']).toBe('br');
    expect(reply.body.equals(tree.files.get('app.js.br')!)).toBe(true);
    const { stdout } = await execFileAsync('curl', [
      '-sS', '--cacert', ca.caFile, '--resolve', `second.test:${server.port}:127.0.0.1`, `https://second.test:${server.port}/dir/a%20b.txt`,
    ]);
    expect(stdout).toBe('space\n');
  });

  it('any other name, or none, gets the --cert certificate', async () => {
    expect(readServedCertificate(server.port, 'localhost').serial).toBe('1001');
    expect(readServedCertificate(server.port, 'other.test').serial).toBe('1001');
    expect(readServedCertificate(server.port).serial).toBe('1001');
    expect((await get(server.port, '/missing', {}, 'GET', client)).status).toBe(404);
  });

  it('uWS\'s SNI debugging lines are kept off stdout; the banner lists both certificates', () => {
    expect(server.output()).not.toMatch(/Browsed to SNI|Cannot browse|^finding/m);
    expect(server.banner).toMatch(/tls\s+CN=localhost, serial 1001, expires \d{4}-\d\d-\d\d \d\d:\d\d UTC \(in (29|30) days\)/);
    expect(server.banner).toMatch(/^\s+second\.test: CN=second\.test, serial 2002, expires/m);
  });
});

describe('--http-port', () => {
  let server: RunningCli;
  beforeAll(async () => {
    server = await startCli(tree.root, [...tlsArgs(), '--http-port', '0']);
  });
  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it('answers 308 to the same path and query on https://, host from the request', async () => {
    const port = server.httpPort!;
    expect(server.banner).toContain(`redirect  http://127.0.0.1:${port}/ → 308 to https://`);
    const reply = await get(port, '/dir/a%20b.txt?x=1&y=%2F');
    expect(reply.status).toBe(308);
    expect(reply.headers.location).toBe(`https://127.0.0.1:${server.port}/dir/a%20b.txt?x=1&y=%2F`);
    expect(reply.body.length).toBe(0);
    const named = await get(port, '/', { host: 'Example.org:8080' }, 'HEAD');
    expect([named.status, named.headers.location]).toEqual([308, `https://Example.org:${server.port}/`]);
    const post = await get(port, '/form', { host: '[::1]' }, 'POST');
    expect([post.status, post.headers.location]).toEqual([308, `https://[::1]:${server.port}/form`]);
  });

  it('a malformed Host gets 400 and is not reflected', async () => {
    for (const host of ['bad host', 'a/b', 'x:y', 'evil.test@x']) {
      const reply = await sendRaw(server.httpPort!, `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      expect(rawStatus(reply), host).toBe(400);
      expect(reply.toString('latin1')).not.toMatch(/location/i);
    }
  });

  it('curl -L follows it to the file', async () => {
    const { stdout } = await execFileAsync('curl', ['-sSL', '--cacert', ca.caFile, `http://localhost:${server.httpPort}/dir/a%20b.txt`]);
    expect(stdout).toBe('space\n');
  });
});

describe('the banner', () => {
  it('warns about a certificate expiring within 14 days, and clearly about an expired one', async () => {
    const soon = ca.issue('soon', { cn: 'localhost', san: 'IP:127.0.0.1', serial: '3003', days: 3 });
    const expired = ca.issue('expired', { cn: 'localhost', san: 'IP:127.0.0.1', serial: '4004', days: -1 });
    const a = await startCli(tree.root, ['--workers', '1', '--cert', soon.cert, '--key', soon.key]);
    await a.stop();
    expect(a.banner).toMatch(/open\s+https:\/\/127\.0\.0\.1:\d+\//);
    expect(a.banner).toContain(`WARNING   certificate ${soon.cert} (--cert) expires in 2 days: renew it`);
    const b = await startCli(tree.root, ['--workers', '1', '--cert', expired.cert, '--key', expired.key]);
    await b.stop();
    expect(b.banner).toMatch(new RegExp(`WARNING   certificate ${expired.cert} \\(--cert\\) EXPIRED on \\S+ \\S+ UTC: clients will refuse it`));
    expect(b.banner).toMatch(/tls\s+CN=localhost, serial 4004, expires \S+ \S+ UTC \(1 day ago\)/);
  });

  it('an encrypted key with the right --passphrase-file serves', async () => {
    const locked = ca.issue('locked', { cn: 'localhost', san: 'IP:127.0.0.1', serial: '5005', passphrase: 'correct horse' });
    const passphrase = join(ca.dir, 'passphrase.txt');
    writeFileSync(passphrase, 'correct horse\n');
    const server = await startCli(tree.root, ['--cert', locked.cert, '--key', locked.key, '--passphrase-file', passphrase]);
    try {
      expect((await get(server.port, '/', {}, 'GET', client)).status).toBe(200);
      expect(readServedCertificate(server.port).serial).toBe('5005');
    } finally {
      await server.stop();
    }
  });
});

describe('bad certificate input: exit code 2, one line, before any worker starts', () => {
  const setup = (): Record<string, string> => {
    const dir = join(ca.dir, 'bad');
    mkdirSync(dir, { recursive: true });
    const files = {
      garbage: join(dir, 'garbage.pem'),
      der: join(dir, 'cert.der'),
      passphrase: join(dir, 'wrong.txt'),
      dir,
    };
    writeFileSync(files.garbage, 'not a certificate\n');
    writeFileSync(files.der, new X509Certificate(readFileSync(main.cert)).raw);
    writeFileSync(files.passphrase, 'wrong\n');
    return files;
  };

  it.each([
    ['a missing certificate', (f: Record<string, string>) => ['--cert', join(f.dir, 'nope.pem'), '--key', main.key], /^fastsrv: --cert \S+nope\.pem does not exist$/],
    ['a missing key', () => ['--cert', main.cert, '--key', '/nonexistent/key.pem'], /^fastsrv: --key \/nonexistent\/key\.pem does not exist$/],
    ['an unreadable key (a directory)', (f: Record<string, string>) => ['--cert', main.cert, '--key', f.dir], /^fastsrv: --key \S+ is a directory$/],
    ['a certificate that is not PEM', (f: Record<string, string>) => ['--cert', f.garbage, '--key', main.key], /is not a PEM certificate/],
    ['a DER certificate', (f: Record<string, string>) => ['--cert', f.der, '--key', main.key], /cert\.der is not a PEM certificate/],
    ['a key that is not PEM', () => ['--cert', main.cert, '--key', main.cert], /^fastsrv: --key \S+ is not a PEM private key/],
    ['a key that does not match', () => ['--cert', main.cert, '--key', ca.makeKey('stray')], /^fastsrv: --key \S+stray\.key does not match --cert \S+main\.pem$/],
    ['an SNI key that does not match', () => [...tlsArgs(), '--sni', `second.test=${second.cert},${main.key}`], /^fastsrv: --sni second\.test key \S+ does not match --sni second\.test certificate/],
  ])('%s', async (_name, makeArgs, message) => {
    const { code, stdout, stderr } = await runCli([tree.root, '--port', '0', ...makeArgs(setup())]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr.trimEnd()).toMatch(message);
  });

  it('an encrypted key: without a passphrase, and with the wrong one', async () => {
    const locked = ca.issue('locked2', { cn: 'localhost', san: 'IP:127.0.0.1', serial: '6006', passphrase: 'right' });
    const files = setup();
    const none = await runCli([tree.root, '--port', '0', '--cert', locked.cert, '--key', locked.key]);
    expect([none.code, none.stderr.trimEnd()]).toEqual([2, `fastsrv: --key ${locked.key} is encrypted: give its passphrase with --passphrase-file`]);
    const wrong = await runCli([tree.root, '--port', '0', '--cert', locked.cert, '--key', locked.key, '--passphrase-file', files.passphrase]);
    expect([wrong.code, wrong.stderr.trimEnd()]).toEqual([2, `fastsrv: wrong passphrase in --passphrase-file for --key ${locked.key}`]);
    const missing = await runCli([tree.root, '--port', '0', '--cert', locked.cert, '--key', locked.key, '--passphrase-file', '/nonexistent']);
    expect([missing.code, missing.stderr.trimEnd()]).toEqual([2, 'fastsrv: --passphrase-file /nonexistent does not exist']);
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable key file (permissions; root reads anything)', async () => {
    const key = ca.makeKey('unreadable');
    chmodSync(key, 0);
    const { code, stderr } = await runCli([tree.root, '--port', '0', '--cert', main.cert, '--key', key]);
    expect([code, stderr.trimEnd()]).toEqual([2, `fastsrv: --key ${key} cannot be read (permission denied)`]);
  });

  it('--cert without --key: the message first, then the usage', async () => {
    const { code, stderr } = await runCli([tree.root, '--cert', main.cert]);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe("fastsrv: --cert needs --key (the certificate's private key)");
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});
