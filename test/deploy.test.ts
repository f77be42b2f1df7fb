/**
 * Issue 16, the deployment recipes under deploy/ and the Dockerfile: what
 * can be checked without Docker or a cluster. The HAProxy file is the
 * generator's output (the generator is what scale-out.test.ts runs against
 * real hosts) and passes haproxy -c; the nginx file passes nginx -t; the
 * Kubernetes manifests and the Dockerfile agree with each other and with
 * fastsrv's options.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseArguments } from '../src/cli.js';
import { OPTIONS, parseSize } from '../src/setup/config.js';
import { EXAMPLE_HAPROXY, renderHaproxyConfig } from './helpers/haproxy.js';
import { hasCommand } from './helpers/netns.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string): string => readFileSync(join(REPO, path), 'utf8');
const HAS_ADMIN = 'admin' in OPTIONS;
const NO_ADMIN = 'this fastsrv build has no --admin HOST:PORT option (issue 12)';
const MiB = 1024 * 1024;

/** The value after `flag` in an argv, or undefined. */
function flagValue(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i === -1 ? undefined : args[i + 1];
}

function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}

/** Kubernetes quantity (Mi, Gi, M) in bytes. */
function parseQuantity(text: string): number {
  const match = /^(\d+)(Ki|Mi|Gi|M|G)?$/.exec(text);
  if (!match) throw new Error(`quantity ${text}`);
  const unit = { Ki: 1024, Mi: MiB, Gi: 1024 * MiB, M: 1e6, G: 1e9 }[match[2] ?? ''] ?? 1;
  return Number(match[1]) * unit;
}

/** Parsed YAML: the tests read the fields they check. */
type Yaml = any;

function loadManifests(): Map<string, Yaml> {
  const byKind = new Map<string, Yaml>();
  for (const file of ['deployment.yaml', 'service.yaml', 'hpa.yaml']) {
    for (const doc of parseAllDocuments(read(`deploy/kubernetes/${file}`))) {
      expect(doc.errors, file).toEqual([]);
      const value = doc.toJS();
      byKind.set(value.kind, value);
    }
  }
  return byKind;
}

describe('deploy/haproxy/haproxy.cfg', () => {
  it('is renderHaproxyConfig(EXAMPLE_HAPROXY), the generator the scale-out test runs', () => {
    expect(read('deploy/haproxy/haproxy.cfg')).toBe(renderHaproxyConfig(EXAMPLE_HAPROXY));
  });

  it('checks /healthz on the admin port over HTTP/1.1 with a Host, expects 200, keeps connections alive', () => {
    const text = read('deploy/haproxy/haproxy.cfg');
    expect(text).toMatch(/^\s+option httpchk$/m);
    expect(text).toMatch(/^\s+http-check send meth GET uri \/healthz ver HTTP\/1\.1 hdr Host \S+$/m);
    expect(text).toMatch(/^\s+http-check expect status 200$/m);
    expect(text).toMatch(/^\s+default-server check port 9090 /m);
    expect(text).toMatch(/^\s+option http-keep-alive$/m);
    expect(text).toMatch(/^\s+http-reuse \w+$/m);
  });

  it.skipIf(!hasCommand('haproxy', ['-v']))('passes haproxy -c', () => {
    const result = spawnSync('haproxy', ['-c', '-f', join(REPO, 'deploy/haproxy/haproxy.cfg')], { encoding: 'utf8' });
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });
});

describe('deploy/nginx/fastsrv-upstream.conf', () => {
  it('speaks HTTP/1.1 with keep-alive to the hosts', () => {
    const text = read('deploy/nginx/fastsrv-upstream.conf');
    expect(text).toMatch(/^\s+proxy_http_version 1\.1;/m);
    expect(text).toMatch(/^\s+proxy_set_header Connection "";/m);
    expect(text).toMatch(/^\s+keepalive \d+;/m);
  });

  it.skipIf(!hasCommand('nginx', ['-v']))('passes nginx -t inside an http {} block', () => {
    const prefix = mkdtempSync(join(tmpdir(), 'fastsrv-nginx-t-'));
    try {
      const conf = join(prefix, 'nginx.conf');
      writeFileSync(
        conf,
        `pid ${prefix}/nginx.pid;\nerror_log stderr;\nevents {}\nhttp {\n  access_log off;\n  include ${join(REPO, 'deploy/nginx/fastsrv-upstream.conf')};\n}\n`,
      );
      const result = spawnSync('nginx', ['-t', '-q', '-e', 'stderr', '-p', prefix, '-c', conf], { encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
    } finally {
      rmSync(prefix, { recursive: true, force: true });
    }
  });
});

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  const jsonInstruction = (name: string): string[] => {
    const match = new RegExp(`^${name} (\\[.*\\])$`, 'm').exec(text.replace(/\\\n\s*/g, ''));
    if (!match) throw new Error(`no ${name} [...] in the Dockerfile`);
    return JSON.parse(match[1]) as string[];
  };

  it('runs Node.js 24 on Debian 13 slim as a non-root user', () => {
    const stages = [...text.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(stages.length).toBeGreaterThan(0);
    for (const image of stages) expect(image).toBe('node:24-trixie-slim');
    const user = /^USER (\S+)$/m.exec(text)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
  });

  it('CMD serves /srv/www with --workers auto; EXPOSE and HEALTHCHECK use its ports', () => {
    const entrypoint = jsonInstruction('ENTRYPOINT');
    const cmd = jsonInstruction('CMD');
    expect(entrypoint).toEqual(['node', '/opt/fastsrv/dist/src/cli.js']);
    expect(cmd[0]).toBe('/srv/www');
    expect(flagValue(cmd, '--workers')).toBe('auto');
    const admin = flagValue(cmd, '--admin');
    expect(admin).toBeDefined();
    const sitePort = Number(flagValue(cmd, '--port'));
    const exposed = (/^EXPOSE (.+)$/m.exec(text)?.[1] ?? '').split(/\s+/).map(Number);
    expect(exposed.sort()).toEqual([sitePort, portOf(admin!)].sort());
    const health = /^HEALTHCHECK .*CMD (\[.*\])$/m.exec(text.replace(/\\\n\s*/g, ''));
    expect(health).not.toBeNull();
    const probe = (JSON.parse(health![1]) as string[]).join(' ');
    expect(probe).toMatch(/^node -e /);
    expect(probe).toContain(`http://127.0.0.1:${portOf(admin!)}/healthz`);
  });

  it.skipIf(!HAS_ADMIN)(`CMD is accepted by fastsrv's own parser${HAS_ADMIN ? '' : ` (skipped: ${NO_ADMIN})`}`, () => {
    const command = parseArguments(jsonInstruction('CMD').map((a) => (a === '/srv/www' ? REPO : a)));
    expect(command.kind).toBe('serve');
  });
});

describe('deploy/kubernetes', () => {
  const manifests = loadManifests();
  const deployment = manifests.get('Deployment');
  const service = manifests.get('Service');
  const hpa = manifests.get('HorizontalPodAutoscaler');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const args: string[] = container.args;
  const portByName = new Map<string, number>(container.ports.map((p: Yaml) => [p.name, p.containerPort]));
  const resolvePort = (port: string | number): number => (typeof port === 'number' ? port : portByName.get(port)!);

  it('has a Deployment, a Service and an HPA that point at each other', () => {
    expect(deployment.apiVersion).toBe('apps/v1');
    expect(service.apiVersion).toBe('v1');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(deployment.spec.selector.matchLabels).toEqual(deployment.spec.template.metadata.labels);
    expect(service.spec.selector).toEqual(deployment.spec.template.metadata.labels);
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.minReplicas).toBeLessThanOrEqual(hpa.spec.maxReplicas);
  });

  it('container ports are the --port and --admin of its args; the Service targets the site port', () => {
    const sitePort = Number(flagValue(args, '--port'));
    const adminPort = portOf(flagValue(args, '--admin')!);
    expect(portByName.get('http')).toBe(sitePort);
    expect(portByName.get('admin')).toBe(adminPort);
    expect(resolvePort(service.spec.ports[0].targetPort)).toBe(sitePort);
  });

  it('startup, readiness and liveness probes ask /healthz on the admin port', () => {
    const adminPort = portOf(flagValue(args, '--admin')!);
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      expect(container[probe]?.httpGet?.path, probe).toBe('/healthz');
      expect(resolvePort(container[probe].httpGet.port), probe).toBe(adminPort);
    }
  });

  it('the grace period covers the preStop sleep and the drain', () => {
    const command: string[] = container.lifecycle.preStop.exec.command;
    expect(command[0]).toBe('sleep');
    const drain = Number(flagValue(args, '--drain-timeout') ?? 5);
    // The primary kills workers that have not drained drainTimeout + 1 s after SIGTERM.
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(Number(command[1]) + drain + 1);
  });

  it('resources follow the memory model: primary + workers × (worker + cache)', () => {
    const workers = Number(flagValue(args, '--workers'));
    expect(Number.isInteger(workers)).toBe(true); // not auto: that would count the node's CPUs
    const cache = parseSize('--cache-size', flagValue(args, '--cache-size') ?? '256M');
    const modelled = 50 * MiB + workers * (60 * MiB + cache);
    const request = parseQuantity(container.resources.requests.memory);
    expect(request).toBeGreaterThanOrEqual(modelled);
    expect(parseQuantity(container.resources.limits.memory)).toBeGreaterThan(request);
    expect(Number(container.resources.requests.cpu)).toBe(workers);
  });

  it.skipIf(!HAS_ADMIN)(`the args are accepted by fastsrv's own parser${HAS_ADMIN ? '' : ` (skipped: ${NO_ADMIN})`}`, () => {
    const command = parseArguments(args.map((a) => (a === '/srv/www' ? REPO : a)));
    expect(command.kind).toBe('serve');
  });
});
