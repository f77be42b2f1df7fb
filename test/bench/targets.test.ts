import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { apache, buildApacheConfig, computeThreadsPerChild } from '../../bench/targets/apache.js';
import { isSkip } from '../../bench/targets/common.js';
import { buildCaddyfile } from '../../bench/targets/caddy.js';
import { buildH2oConfig } from '../../bench/targets/h2o.js';
import { isEtagMatch, isNotModified, isRangeApplicable, parseSingleRange, toUrlPath } from '../../bench/targets/http-common.js';
import { buildLighttpdConfig } from '../../bench/targets/lighttpd.js';
import { buildNginxConfig } from '../../bench/targets/nginx.js';
import { createBenchCertificate } from '../../bench/tls.js';

const CTX = { root: '/srv/root', port: 18080, workers: 2, workDir: '/tmp/w', prefix: '/tmp/w', mimeTypesPath: null };

describe('server configs', () => {
  test('nginx: tuned, self-contained, foreground with a master', () => {
    const conf = buildNginxConfig(CTX);
    for (const line of ['worker_processes 2;', 'daemon off;', 'master_process on;', 'sendfile on;', 'tcp_nopush on;', 'access_log off;', 'etag on;', 'keepalive_requests 1000000;', 'open_file_cache max=10000 inactive=60s;', 'pid /tmp/w/nginx.pid;', 'error_log /tmp/w/error.log warn;', 'listen 127.0.0.1:18080 reuseport;', 'root /srv/root;', 'client_body_temp_path /tmp/w/client_body;']) {
      expect(conf).toContain(line);
    }
    expect(conf).toContain('text/html html;');
  });

  test('nginx uses the system MIME table when given', () => {
    expect(buildNginxConfig({ ...CTX, mimeTypesPath: '/etc/nginx/mime.types' })).toContain('include /etc/nginx/mime.types;');
  });

  test('apache: mpm_event with one process per worker and a fixed pool, self-contained', () => {
    const conf = buildApacheConfig({ ...CTX, connections: 64, modulesDir: '/usr/lib/apache2/modules', runAs: { user: 'nobody', group: 'nogroup' } });
    for (const line of ['LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so', 'StartServers 2', 'ServerLimit 2', 'ThreadLimit 89', 'ThreadsPerChild 89', 'MaxRequestWorkers 178', 'MaxSpareThreads 178', 'Listen 127.0.0.1:18080', 'DocumentRoot "/srv/root"', '<Directory "/srv/root">', 'PidFile "/tmp/w/apache2.pid"', 'ErrorLog "/tmp/w/error.log"', 'DefaultRuntimeDir "/tmp/w"', 'EnableSendfile On', 'EnableMMAP On', 'KeepAlive On', 'MaxKeepAliveRequests 0', 'FileETag MTime Size', 'AllowOverride None', 'DirectoryIndex index.html', 'User nobody', 'Group nogroup', 'AddType text/html .html']) {
      expect(conf).toContain(line);
    }
    const modules = [...conf.matchAll(/^LoadModule (\S+)/gm)].map((m) => m[1]);
    expect(modules).toEqual(['mpm_event_module', 'authz_core_module', 'mime_module', 'dir_module']);
    // No access log, no compression, no Debian include tree or envvars.
    for (const absent of ['CustomLog', 'deflate', 'Include', '${APACHE_']) expect(conf).not.toContain(absent);
  });

  test('apache: system MIME table, and no User/Group unless started as root', () => {
    const conf = buildApacheConfig({ ...CTX, workers: 1, connections: 8, modulesDir: '/m', mimeTypesPath: '/etc/mime.types', runAs: null });
    expect(conf).toContain('TypesConfig /etc/mime.types');
    expect(conf).not.toContain('AddType');
    expect(conf).not.toMatch(/^(User|Group) /m);
    expect(conf).toContain('ServerLimit 1\n');
    expect(computeThreadsPerChild(8)).toBe(33);
  });

  test('lighttpd: max-worker only above one worker', () => {
    expect(buildLighttpdConfig(CTX)).toContain('server.max-worker = 2');
    expect(buildLighttpdConfig({ ...CTX, workers: 1 })).not.toContain('max-worker');
    expect(buildLighttpdConfig(CTX)).toContain('server.port = 18080');
  });

  test('h2o: threads, no access log', () => {
    const conf = buildH2oConfig(CTX);
    expect(conf).toContain('num-threads: 2');
    expect(conf).toContain('file.dir: /srv/root');
    expect(conf).not.toContain('access-log');
  });

  test('caddy: plain HTTP on 127.0.0.1, no admin endpoint', () => {
    const conf = buildCaddyfile(CTX);
    expect(conf).toContain('http://127.0.0.1:18080 {');
    expect(conf).toContain('admin off');
    expect(conf).toContain('file_server');
  });
});

/** Is the config valid for the installed apache2? `apache2 -t` reads it and every module and types file it names. */
function checkApacheSyntax(binary: string, text: string, dir: string): string {
  writeFileSync(join(dir, 'apache2.conf'), text);
  const result = spawnSync(binary, ['-t', '-f', join(dir, 'apache2.conf')], { encoding: 'utf8' });
  return `${result.status}: ${`${result.stdout}${result.stderr}`.trim()}`;
}

const apacheProbe = apache.plan({ root: '/srv/root', workDir: '/tmp/w', port: 18080, workers: 1, connections: 64, repoDir: '.', tls: null });

// Skipped where apache2 is not installed (it is not in .ci/run: the bench does not need it to be tested).
describe.skipIf(isSkip(apacheProbe))(`apache2 -t${isSkip(apacheProbe) ? ` (skipped: ${apacheProbe.skip})` : ''}`, () => {
  test('the bench plan and the fallback-MIME config are both valid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fastsrv-apache-test-'));
    try {
      const plan = apache.plan({ root: dir, workDir: dir, port: 18080, workers: 2, connections: 64, repoDir: '.', tls: null });
      if (isSkip(plan)) throw new Error(plan.skip);
      expect(checkApacheSyntax(plan.command, plan.files[0]!.text, dir)).toBe('0: Syntax OK');
      const fallback = buildApacheConfig({ root: dir, port: 18080, workers: 1, connections: 8, workDir: dir, modulesDir: '/usr/lib/apache2/modules', mimeTypesPath: null, runAs: null });
      expect(checkApacheSyntax(plan.command, fallback, dir)).toBe('0: Syntax OK');
      const tls = createBenchCertificate(dir);
      const tlsPlan = apache.plan({ root: dir, workDir: dir, port: 18080, workers: 1, connections: 64, repoDir: '.', tls });
      if (isSkip(tlsPlan)) throw new Error(tlsPlan.skip);
      expect(tlsPlan.files[0]!.text).toContain(`SSLCertificateFile "${tls.cert}"`);
      expect(checkApacheSyntax(tlsPlan.command, tlsPlan.files[0]!.text, dir)).toBe('0: Syntax OK');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('server configs with TLS (the run\'s one certificate)', () => {
  const tls = { cert: '/tmp/w/bench-cert.pem', key: '/tmp/w/bench-key.pem' };

  test('nginx: ssl listener, TLS 1.2/1.3, the bench TLS 1.3 suite', () => {
    const conf = buildNginxConfig({ ...CTX, tls });
    for (const line of ['listen 127.0.0.1:18080 ssl reuseport;', 'ssl_certificate /tmp/w/bench-cert.pem;', 'ssl_certificate_key /tmp/w/bench-key.pem;', 'ssl_protocols TLSv1.2 TLSv1.3;', 'ssl_conf_command Ciphersuites TLS_AES_256_GCM_SHA384;']) {
      expect(conf).toContain(line);
    }
    expect(buildNginxConfig(CTX)).not.toContain('ssl');
  });

  test('lighttpd: mod_openssl with the same files and suite', () => {
    const conf = buildLighttpdConfig({ ...CTX, tls });
    for (const line of ['server.modules += ( "mod_openssl" )', 'ssl.engine = "enable"', 'ssl.pemfile = "/tmp/w/bench-cert.pem"', 'ssl.privkey = "/tmp/w/bench-key.pem"', '"Ciphersuites" => "TLS_AES_256_GCM_SHA384"']) {
      expect(conf).toContain(line);
    }
    expect(buildLighttpdConfig(CTX)).not.toContain('ssl');
  });

  test('h2o: listen.ssl', () => {
    const conf = buildH2oConfig({ ...CTX, tls });
    expect(conf).toContain('  port: 18080\n  ssl:\n    certificate-file: /tmp/w/bench-cert.pem\n    key-file: /tmp/w/bench-key.pem\n');
  });

  test('caddy: https site with the given files, HTTP/1.1 only', () => {
    const conf = buildCaddyfile({ ...CTX, tls });
    expect(conf).toContain('https://127.0.0.1:18080 {');
    expect(conf).toContain('tls /tmp/w/bench-cert.pem /tmp/w/bench-key.pem {');
    expect(conf).toContain('protocols h1');
  });
});

describe('node baselines: HTTP helpers', () => {
  test.each([
    ['bytes=0-99', 1000, { start: 0, end: 99 }],
    ['bytes=0-0', 1000, { start: 0, end: 0 }],
    ['bytes=-8', 1000, { start: 992, end: 999 }],
    ['bytes=-2000', 1000, { start: 0, end: 999 }],
    ['bytes=990-', 1000, { start: 990, end: 999 }],
    ['bytes=500-5000', 1000, { start: 500, end: 999 }],
    ['bytes=1000-', 1000, 'unsatisfiable'],
    ['bytes=-0', 1000, 'unsatisfiable'],
    ['bytes=5-1', 1000, 'unsatisfiable'],
    ['bytes=0-1,4-5', 1000, null],
    ['items=0-1', 1000, null],
    ['bytes=-', 1000, null],
  ])('parseSingleRange(%s, %d)', (header, size, want) => expect(parseSingleRange(header, size)).toEqual(want));

  test('isEtagMatch: weak comparison, lists and *', () => {
    expect(isEtagMatch('"a"', '"a"')).toBe(true);
    expect(isEtagMatch('W/"a"', '"a"')).toBe(true);
    expect(isEtagMatch('"x", W/"a"', 'W/"a"')).toBe(true);
    expect(isEtagMatch('*', '"a"')).toBe(true);
    expect(isEtagMatch('"b"', '"a"')).toBe(false);
  });

  test('isNotModified: If-None-Match wins over If-Modified-Since', () => {
    const mtime = Date.parse('2024-01-01T00:00:00Z') + 400;
    expect(isNotModified(undefined, 'Mon, 01 Jan 2024 00:00:00 GMT', '"a"', mtime)).toBe(true);
    expect(isNotModified(undefined, 'Sun, 31 Dec 2023 23:59:59 GMT', '"a"', mtime)).toBe(false);
    expect(isNotModified('"b"', 'Mon, 01 Jan 2024 00:00:00 GMT', '"a"', mtime)).toBe(false);
    expect(isNotModified(undefined, 'not a date', '"a"', mtime)).toBe(false);
  });

  test('isRangeApplicable: strong ETag or exact date', () => {
    expect(isRangeApplicable(undefined, '"a"', 'd')).toBe(true);
    expect(isRangeApplicable('"a"', '"a"', 'd')).toBe(true);
    expect(isRangeApplicable('"b"', '"a"', 'd')).toBe(false);
    expect(isRangeApplicable('W/"a"', 'W/"a"', 'd')).toBe(false);
    expect(isRangeApplicable('d', '"a"', 'd')).toBe(true);
  });

  test('toUrlPath', () => {
    expect(toUrlPath('/a%20b.html?x=1')).toBe('/a b.html');
    expect(toUrlPath('/dir/')).toBe('/dir/index.html');
    expect(toUrlPath('/%E0%A4%A')).toBeNull();
  });
});
