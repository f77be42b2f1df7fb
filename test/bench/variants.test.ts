/** Launch variants (issue 12): the 1k-log and 1k-admin scenarios and the configs they launch. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { listVariants } from '../../bench/run.js';
import { selectScenarios } from '../../bench/scenarios.js';
import { findExecutable } from '../../bench/targets/common.js';
import { buildFastsrvVariantArgs, fastsrv } from '../../bench/targets/launchers.js';
import { buildNginxConfig, nginx } from '../../bench/targets/nginx.js';

const CTX = { root: '/srv/root', port: 18080, workers: 2, workDir: '/tmp/w', prefix: '/tmp/w', mimeTypesPath: null };

describe('launch variants', () => {
  test('1k-log and 1k-admin request what 1k does, from the access-log and admin launches', () => {
    const [plain, log, admin] = selectScenarios(['1k', '1k-log', '1k-admin']);
    expect(log.paths).toEqual(plain.paths);
    expect(admin.paths).toEqual(plain.paths);
    expect([plain.variant, log.variant, admin.variant]).toEqual([undefined, 'access-log', 'admin']);
  });

  test('a target is launched once per variant the scenarios need and it has', () => {
    const scenarios = selectScenarios(['1k', '1k-log', '1k-admin']);
    expect(listVariants(scenarios, fastsrv.variants ?? [])).toEqual(['plain', 'access-log', 'admin']);
    expect(listVariants(scenarios, nginx.variants ?? [])).toEqual(['plain', 'access-log']);
    expect(listVariants(scenarios, [])).toEqual(['plain']);
    expect(listVariants(selectScenarios(['1k-log']), fastsrv.variants ?? [])).toEqual(['access-log']);
    expect(listVariants(selectScenarios(['1k-log']), [])).toEqual([]);
  });

  test('site-rules: only fastsrv has the rules launch (the same flags, another root)', () => {
    const scenarios = selectScenarios(['site', 'site-rules']);
    expect(listVariants(scenarios, fastsrv.variants ?? [])).toEqual(['plain', 'rules']);
    expect(listVariants(scenarios, nginx.variants ?? [])).toEqual(['plain']);
    expect(buildFastsrvVariantArgs({ workDir: '/tmp/w', variant: 'rules' })).toEqual([]);
  });

  test('fastsrv flags per variant', () => {
    expect(buildFastsrvVariantArgs({ workDir: '/tmp/w' })).toEqual([]);
    expect(buildFastsrvVariantArgs({ workDir: '/tmp/w', variant: 'access-log' })).toEqual(['--access-log', '/tmp/w/access.log']);
    expect(buildFastsrvVariantArgs({ workDir: '/tmp/w', variant: 'admin' })).toEqual(['--admin', '127.0.0.1:0']);
  });

  test('nginx: access_log off, or a buffered combined log in its prefix', () => {
    expect(buildNginxConfig(CTX)).toContain('access_log off;');
    const conf = buildNginxConfig({ ...CTX, variant: 'access-log' });
    expect(conf).toContain('access_log /tmp/w/access.log combined buffer=64k flush=100ms;');
    expect(conf).not.toContain('access_log off;');
  });

  const nginxBinary = findExecutable('nginx') ?? findExecutable('/usr/sbin/nginx');
  test.skipIf(nginxBinary === null)('nginx -t accepts the access-log config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fastsrv-nginx-t-'));
    try {
      mkdirSync(join(dir, 'root'));
      const conf = join(dir, 'nginx.conf');
      writeFileSync(conf, buildNginxConfig({ ...CTX, root: join(dir, 'root'), workDir: dir, prefix: dir, variant: 'access-log' }));
      const result = spawnSync(nginxBinary!, ['-t', '-p', dir, '-c', conf, '-e', join(dir, 'error.log')], { encoding: 'utf8' });
      expect(result.stderr).toContain('syntax is ok');
      expect(result.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
