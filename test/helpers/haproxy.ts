/**
 * HAProxy in front of several fastsrv hosts: the config generator behind
 * deploy/haproxy/haproxy.cfg (test/deploy.test.ts checks the file is its
 * output for EXAMPLE_HAPROXY) and the stats-socket reader the scale-out
 * test uses to see when a host is marked down.
 */
import { connect } from 'node:net';

export interface HaproxyOptions {
  /** `log` target in `global`: `/dev/log` on a host, `stderr` in a test. */
  readonly log: string;
  readonly statsSocket: string;
  /** Frontend `bind` argument, e.g. `:80`. */
  readonly bind: string;
  /** name → address of each fastsrv host. */
  readonly servers: readonly { readonly name: string; readonly address: string }[];
  readonly sitePort: number;
  /** Where health checks go: the admin listener's /healthz, or GET / on the site port. */
  readonly check: { readonly port: number; readonly path: string };
  readonly interMs: number;
  readonly fall: number;
  readonly rise: number;
  readonly timeouts: { readonly connectMs: number; readonly serverMs: number; readonly checkMs: number };
}

/** The documented example: three hosts, admin listener on 9090. */
export const EXAMPLE_HAPROXY: HaproxyOptions = {
  log: '/dev/log',
  statsSocket: '/run/haproxy/admin.sock',
  bind: ':80',
  servers: [
    { name: 'web1', address: '10.0.0.11' },
    { name: 'web2', address: '10.0.0.12' },
    { name: 'web3', address: '10.0.0.13' },
  ],
  sitePort: 8080,
  check: { port: 9090, path: '/healthz' },
  interMs: 2000,
  fall: 2,
  rise: 2,
  timeouts: { connectMs: 2000, serverMs: 10_000, checkMs: 1000 },
};

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** haproxy.cfg text for `options` (HAProxy 2.2 or later). */
export function renderHaproxyConfig(options: HaproxyOptions): string {
  const { check, timeouts } = options;
  const servers = options.servers.map(({ name, address }) => `    server ${name} ${address}:${options.sitePort}`);
  return `# fastsrv hosts behind HAProxy: README "Scaling out". This file is the output
# of renderHaproxyConfig(EXAMPLE_HAPROXY) in test/helpers/haproxy.ts;
# test/integration/scale-out.test.ts runs the same function with its own
# addresses and shorter intervals against three real hosts.
global
    log ${options.log} local0 notice
    # show stat: which hosts are UP (the test reads it to time mark-downs)
    stats socket ${options.statsSocket} mode 600 level admin

defaults
    mode http
    log global
    option dontlognull
    timeout connect ${formatMs(timeouts.connectMs)}
    timeout client 30s
    timeout server ${formatMs(timeouts.serverMs)}
    timeout http-keep-alive 10s
    timeout check ${formatMs(timeouts.checkMs)}
    # Keep-alive on both sides (the default mode, stated).
    option http-keep-alive
    # A request that could not reach a host (refused, reset, no answer) is
    # tried again, on another host (redispatch 1 = on every retry). Safe
    # here: a static site only gets GET and HEAD.
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response junk-response response-timeout 0rtt-rejected

frontend www
    bind ${options.bind}
    default_backend fastsrv

backend fastsrv
    balance roundrobin
    # Idle connections to the hosts are shared by all clients: static
    # responses carry no per-client state.
    http-reuse always
    # uWebSockets.js does not speak HTTP/1.0, HAProxy's default check
    # version: say HTTP/1.1 and send a Host. A host answering anything but
    # 200 (fastsrv's /healthz says 503 while starting, draining or short of
    # workers) is taken out after ${options.fall} checks; its open requests finish.
    option httpchk
    http-check send meth GET uri ${check.path} ver HTTP/1.1 hdr Host fastsrv-check
    http-check expect status 200
    default-server check port ${check.port} inter ${formatMs(options.interMs)} fall ${options.fall} rise ${options.rise}
${servers.join('\n')}
`;
}

export interface ServerStat {
  readonly name: string;
  /** UP, DOWN, "UP 1/2", "DOWN 1/2", MAINT, … */
  readonly status: string;
  readonly checkStatus: string;
}

/** `show stat` on the stats socket: the servers of `backend`. */
export function readServerStats(socket: string, backend: string): Promise<ServerStat[]> {
  return new Promise((resolve, reject) => {
    const client = connect(socket);
    let text = '';
    client.setTimeout(2000, () => client.destroy(new Error('stats socket timeout')));
    client.on('data', (d) => (text += d));
    client.on('error', reject);
    client.on('close', () => {
      const lines = text.split('\n').filter((l) => l !== '');
      const header = (lines.shift() ?? '').replace(/^# /, '').split(',');
      const column = (name: string): number => header.indexOf(name);
      const stats = lines
        .map((line) => line.split(','))
        .filter((f) => f[column('pxname')] === backend && f[column('svname')] !== 'BACKEND')
        .map((f) => ({ name: f[column('svname')], status: f[column('status')], checkStatus: f[column('check_status')] }));
      resolve(stats);
    });
    client.end('show stat\n');
  });
}

/** ms until HAProxy reports server `name` of `backend` as `wanted` (Infinity past `limitMs`). */
export async function timeUntilStatus(socket: string, backend: string, name: string, wanted: 'UP' | 'DOWN', limitMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < limitMs) {
    const stats = await readServerStats(socket, backend).catch(() => []);
    if (stats.find((s) => s.name === name)?.status === wanted) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 25));
  }
  return Infinity;
}
