/** Ports before forking: is the address free, which port does 0 pick, does the kernel migrate queued connections. */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Bind the address once without SO_REUSEPORT: it fails when anything holds
 * the port (uWS listens with SO_REUSEPORT, so two fastsrv trees would
 * otherwise silently share a port). With port 0 it also picks the port all
 * workers will share.
 */
export function probePort(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => reject(new Error(`${host}:${port} ${describeBindError(error)}`)));
    probe.listen({ host, port, exclusive: true }, () => {
      const address = probe.address();
      const chosen = typeof address === 'object' && address !== null ? address.port : port;
      probe.close(() => resolve(chosen));
    });
  });
}

/** probePort for a second listener: with port 0, never the port the first one got. */
export async function probeOtherPort(host: string, port: number, taken: number): Promise<number> {
  for (;;) {
    const chosen = await probePort(host, port);
    if (chosen !== taken) return chosen;
  }
}

export function describeBindError(error: NodeJS.ErrnoException): string {
  return error.code === 'EADDRINUSE' ? 'is already in use'
    : error.code === 'EACCES' ? 'needs privileges (ports below 1024 do)'
    : error.code === 'EADDRNOTAVAIL' ? 'is not an address of this machine'
    : `cannot be bound (${error.code ?? error.message})`;
}

/**
 * net.ipv4.tcp_migrate_req (Linux ≥ 5.14): when 1, connections waiting in
 * the accept queue of a closing SO_REUSEPORT listener move to another
 * listener instead of being reset. null where the setting does not exist.
 */
export function readTcpMigrateReq(): number | null {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/tcp_migrate_req', 'utf8').trim());
  } catch {
    return null;
  }
}
