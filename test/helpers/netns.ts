/**
 * Network namespaces for tests (Linux, root): a named namespace per host, a
 * command runner that enters one, and a cleanup that leaves nothing behind.
 * Processes are started with `ip netns exec`; where that cannot work (a
 * chroot whose / is not a mount point: ip cannot make / a slave mount
 * there) with `nsenter --net`, which only switches the network namespace.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/** Why namespace tests cannot run here, or null when they can. */
export function findNetnsProblem(): string | null {
  if (process.platform !== 'linux') return 'needs Linux (network namespaces)';
  if (process.getuid?.() !== 0) return 'needs root (ip netns add, veth pairs)';
  if (spawnSync('ip', ['-V']).status !== 0) return 'needs ip from iproute2 (apt-get install iproute2)';
  return null;
}

export function hasCommand(command: string, args: string[] = ['-v']): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

export type Runner = 'ip netns exec' | 'nsenter';

/** argv that runs `command` inside namespace `ns`. */
export function inNs(runner: Runner, ns: string, command: readonly string[]): string[] {
  return runner === 'ip netns exec' ? ['ip', 'netns', 'exec', ns, ...command] : ['nsenter', `--net=/run/netns/${ns}`, ...command];
}

/** Run synchronously; throws with stderr on a non-zero exit. */
export function run(argv: readonly string[], input?: string): string {
  const result = spawnSync(argv[0], argv.slice(1), { input, encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr || result.error}`);
  return result.stdout;
}

/** A set of namespaces created by one test run, removed by cleanup(). */
export class Namespaces {
  private chosen: Runner | null = null;
  private readonly names: string[] = [];
  private readonly rootLinks: string[] = [];
  private readonly children = new Set<ChildProcess>();

  /**
   * How commands enter a namespace, picked once the first one exists:
   * `ip netns exec` when it works, nsenter otherwise.
   */
  get runner(): Runner {
    if (this.chosen === null) {
      if (this.names.length === 0) throw new Error('no namespace yet to try ip netns exec in');
      const works = spawnSync('ip', ['netns', 'exec', this.names[0], 'true'], { stdio: 'ignore' }).status === 0;
      this.chosen = works ? 'ip netns exec' : 'nsenter';
    }
    return this.chosen;
  }

  /** Create `name`, bring up its loopback. */
  add(name: string): void {
    run(['ip', 'netns', 'add', name]);
    this.names.push(name);
    this.exec(name, ['ip', 'link', 'set', 'lo', 'up']);
  }

  /** A link created in the root namespace, deleted by cleanup (if its peer's namespace did not take it). */
  trackRootLink(name: string): void {
    this.rootLinks.push(name);
  }

  exec(ns: string, command: readonly string[], input?: string): string {
    return run(inNs(this.runner, ns, command), input);
  }

  /** `ip -batch -` inside `ns`: one command per line. */
  ip(ns: string, lines: readonly string[]): void {
    this.exec(ns, ['ip', '-batch', '-'], lines.join('\n') + '\n');
  }

  /** Start a long-running process inside `ns`; output is collected. */
  spawn(ns: string, command: readonly string[]): ChildProcess & { output(): string } {
    const argv = inNs(this.runner, ns, command);
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return Object.assign(child, { output: () => out });
  }

  /** Pids of every process in `ns` (`ip netns pids`). */
  listPids(ns: string): number[] {
    const result = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' });
    return result.status === 0 ? result.stdout.split('\n').filter(Boolean).map(Number) : [];
  }

  /** SIGKILL every process in `ns`: a whole host's process tree. */
  killAll(ns: string): number[] {
    const pids = this.listPids(ns);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    return pids;
  }

  /** Kill what we started, delete the namespaces (their links go with them) and root links. Never throws. */
  cleanup(): string[] {
    const problems: string[] = [];
    for (const child of this.children) child.kill('SIGKILL');
    for (const name of this.names) this.killAll(name);
    for (const name of this.names) {
      // A namespace whose last process is still exiting deletes fine; its
      // devices go when the kernel frees it.
      const result = spawnSync('ip', ['netns', 'del', name], { encoding: 'utf8' });
      if (result.status !== 0) problems.push(`ip netns del ${name}: ${result.stderr.trim()}`);
    }
    for (const link of this.rootLinks) {
      if (spawnSync('ip', ['link', 'show', link], { stdio: 'ignore' }).status === 0) {
        spawnSync('ip', ['link', 'del', link], { stdio: 'ignore' });
      }
    }
    this.names.length = 0;
    this.rootLinks.length = 0;
    return problems;
  }
}

/**
 * The scale-out topology: hosts h1..hN, each in its own namespace with one
 * veth into a bridge that lives in the `lb` namespace, and one veth pair
 * from the root namespace to `lb` on a /30 no root address or route uses.
 * Addresses inside the namespaces are private to them (10.231.0.0/24).
 */
export interface StarNetwork {
  readonly lb: string;
  /** Namespace of host i (1-based). */
  hostNs(i: number): string;
  /** Address of host i on the bridge. */
  hostAddress(i: number): string;
  /** The lb-side end of host i's veth: set it down to cut the host off. */
  hostLink(i: number): string;
  /** The lb namespace's address on the root link, reachable from here. */
  readonly uplinkAddress: string;
}

const BRIDGE_NET = '10.231.0';

/** A /30 prefix (three octets) for the root ↔ lb link that nothing here uses. */
function pickUplinkNet(): string {
  const used = run(['ip', '-4', '-o', 'addr']) + run(['ip', '-4', 'route']);
  for (let n = 1 + (process.pid % 200); ; n = (n % 250) + 1) {
    if (!used.includes(`10.231.${n}.`)) return `10.231.${n}`;
  }
}

/** Create the namespaces and links of a StarNetwork; names start with `fsrv-${id}`. */
export function buildStarNetwork(ns: Namespaces, id: string, hostCount: number): StarNetwork {
  const lb = `fsrv-${id}-lb`;
  const hostNs = (i: number): string => `fsrv-${id}-h${i}`;
  const hosts = Array.from({ length: hostCount }, (_, k) => k + 1);
  ns.add(lb);
  for (const i of hosts) ns.add(hostNs(i));
  ns.ip(lb, ['link add br0 type bridge', `addr add ${BRIDGE_NET}.1/24 dev br0`, 'link set br0 up']);
  for (const i of hosts) {
    ns.ip(lb, [`link add p${i} type veth peer name eth0 netns ${hostNs(i)}`, `link set p${i} master br0`, `link set p${i} up`]);
    ns.ip(hostNs(i), [`addr add ${BRIDGE_NET}.${10 + i}/24 dev eth0`, 'link set eth0 up']);
    // Per namespace: a closing SO_REUSEPORT listener hands its queue on (README, Deploying).
    ns.exec(hostNs(i), ['sh', '-c', 'echo 1 > /proc/sys/net/ipv4/tcp_migrate_req || true']);
  }
  const uplink = pickUplinkNet();
  const rootLink = `fs${id}r`;
  ns.trackRootLink(rootLink);
  run(['ip', 'link', 'add', rootLink, 'type', 'veth', 'peer', 'name', 'up0', 'netns', lb]);
  run(['ip', 'addr', 'add', `${uplink}.1/30`, 'dev', rootLink]);
  run(['ip', 'link', 'set', rootLink, 'up']);
  ns.ip(lb, [`addr add ${uplink}.2/30 dev up0`, 'link set up0 up']);
  return {
    lb,
    hostNs,
    hostAddress: (i) => `${BRIDGE_NET}.${10 + i}`,
    hostLink: (i) => `p${i}`,
    uplinkAddress: `${uplink}.2`,
  };
}
