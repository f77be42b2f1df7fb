/** Command-line options of `npm run bench`: one source of truth for names, defaults and help. */
import { parseArgs } from 'node:util';
import { DEFAULT_SCENARIOS, expandScenarioNames, SCENARIO_GROUPS, SCENARIOS } from './scenarios.js';
import type { ClientName, Options } from './types.js';

export const ALL_TARGETS = ['fastsrv', 'nginx', 'apache', 'node-http', 'node-static', 'bun', 'lighttpd', 'h2o', 'caddy', 'uws-minimal', 'floor'];

export const HELP = `Usage: npm run bench -- [options]

Compares fastsrv with nginx, Apache httpd, node-http, node-static, Bun, lighttpd, h2o
and Caddy on the same generated files and writes results/. Ranking figure: server CPU time per request.
Two reference points (not HTTP servers, not gated) run where their answer is meaningful:
uws-minimal (uWebSockets.js end(body), no header read) and floor (a C epoll loop, 1k/16k/404).

  --duration S       measured seconds per window (default 5; >= 5 keeps the 10 ms tick error small)
  --warmup S         warm-up seconds before each window (default 1)
  --connections C    concurrent connections (default 64)
  --pipelining P     requests in flight per connection (default 1)
  --rounds R         interleaved rounds, at least 3 (default 3)
  --workers N        server processes/threads for every target (default 1)
  --targets a,b      subset of: ${ALL_TARGETS.join(',')} (default all)
  --scenarios x,y    subset of: ${SCENARIOS.map((s) => s.name).join(",")} (default ${DEFAULT_SCENARIOS.join(",")}); route = route-file,route-fixed,route-function
  --full             all scenarios
  --client NAME      wrk | autocannon (default wrk when installed)
  --pin / --no-pin   server on CPUs 0..N-1, client on the rest, with taskset
                     (default: on when taskset exists and there are more CPUs than workers)
  --out DIR          output directory (default results)
  --compare FILE     compare fastsrv/nginx ratios with a saved baseline JSON
  --current FILE     with --compare: compare FILE instead of running (no measuring)
  --tolerance F      noise tolerance of --compare, as a fraction (default 0.10)
  --help             print this help
`;

/** Facts about the machine that decide defaults. */
export interface Environment {
  cpuCount: number;
  hasTaskset: boolean;
  hasWrk: boolean;
}

function parsePositive(name: string, raw: string | undefined, fallback: number, isInteger: boolean): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (isInteger && !Number.isInteger(value))) {
    throw new Error(`--${name} must be a positive ${isInteger ? 'integer' : 'number'}, got "${raw}"`);
  }
  return value;
}

function parseList(raw: string | undefined, fallback: readonly string[], known: readonly string[], what: string): string[] {
  if (raw === undefined) return [...fallback];
  const list = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const unknown = list.filter((s) => !known.includes(s));
  if (unknown.length > 0) throw new Error(`unknown ${what}: ${unknown.join(', ')} (known: ${known.join(', ')})`);
  if (list.length === 0) throw new Error(`--${what} must name at least one`);
  return list;
}

function parseClient(raw: string | undefined, env: Environment): ClientName {
  if (raw === undefined) return env.hasWrk ? 'wrk' : 'autocannon';
  if (raw !== 'wrk' && raw !== 'autocannon') throw new Error(`--client must be wrk or autocannon, got "${raw}"`);
  if (raw === 'wrk' && !env.hasWrk) throw new Error('--client wrk: wrk is not installed');
  return raw;
}

/** Parse argv (without node and script) into Options; throws a readable Error on bad input. */
export function parseOptions(argv: string[], env: Environment): Options {
  const { values } = parseArgs({
    args: argv,
    allowNegative: true,
    options: {
      duration: { type: 'string' }, warmup: { type: 'string' }, connections: { type: 'string' },
      pipelining: { type: 'string' }, rounds: { type: 'string' }, workers: { type: 'string' },
      targets: { type: 'string' }, scenarios: { type: 'string' }, full: { type: 'boolean' },
      client: { type: 'string' }, pin: { type: 'boolean' }, out: { type: 'string' },
      compare: { type: 'string' }, current: { type: 'string' }, tolerance: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const workers = parsePositive('workers', values.workers, 1, true);
  const rounds = parsePositive('rounds', values.rounds, 3, true);
  if (rounds < 3) throw new Error('--rounds must be at least 3 (medians and spreads need them)');
  if (values.current !== undefined && values.compare === undefined) throw new Error('--current needs --compare');
  const allScenarios = SCENARIOS.map((s) => s.name);
  return {
    duration: parsePositive('duration', values.duration, 5, true),
    warmup: values.warmup === '0' ? 0 : parsePositive('warmup', values.warmup, 1, true),
    connections: parsePositive('connections', values.connections, 64, true),
    pipelining: parsePositive('pipelining', values.pipelining, 1, true),
    rounds,
    workers,
    targets: parseList(values.targets, ALL_TARGETS, ALL_TARGETS, 'targets'),
    scenarios: values.full ? allScenarios : expandScenarioNames(parseList(values.scenarios, DEFAULT_SCENARIOS, [...allScenarios, ...Object.keys(SCENARIO_GROUPS)], 'scenarios')),
    client: parseClient(values.client, env),
    pin: values.pin ?? (env.hasTaskset && env.cpuCount > workers),
    out: values.out ?? 'results',
    compare: values.compare ?? null,
    current: values.current ?? null,
    tolerance: parsePositive('tolerance', values.tolerance, 0.1, false),
    help: values.help ?? false,
  };
}

/** Where the server and the client run, as taskset CPU lists ('' = unpinned). */
export interface CpuPlan {
  serverCpus: string;
  clientCpus: string;
  clientCores: number;
  description: string;
}

/** Server on CPUs 0..N-1 and the client on the rest when pinning; otherwise both float. */
export function planCpus(cpuCount: number, workers: number, pin: boolean): CpuPlan {
  if (!pin || cpuCount < 2) {
    return { serverCpus: '', clientCpus: '', clientCores: cpuCount, description: `unpinned: server and client share all ${cpuCount} CPUs` };
  }
  const serverCount = Math.min(workers, cpuCount - 1);
  const serverCpus = serverCount === 1 ? '0' : `0-${serverCount - 1}`;
  const clientCpus = serverCount === cpuCount - 1 ? `${serverCount}` : `${serverCount}-${cpuCount - 1}`;
  return {
    serverCpus,
    clientCpus,
    clientCores: cpuCount - serverCount,
    description: `taskset: server on CPU ${serverCpus}, client on CPU ${clientCpus}`,
  };
}
