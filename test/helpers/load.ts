/** A bounded load loop on 127.0.0.1 that counts what went wrong. */
import { Agent, request, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface LoadResult {
  requests: number;
  statuses: Map<number, number>;
  errors: Map<string, number>;
}

export interface LoadLoop {
  stop(): Promise<LoadResult>;
}

/**
 * `concurrency` loops requesting `path` until stopped. With `isFresh`, every
 * request opens a new connection (many connecting clients); otherwise each
 * loop keeps one keep-alive connection. With `ca`, over HTTPS (every fresh
 * connection a full TLS handshake; certificates verified against `ca`).
 */
export function startLoad(port: number, path: string, concurrency: number, isFresh: boolean, ca?: Buffer): LoadLoop {
  const result: LoadResult = { requests: 0, statuses: new Map(), errors: new Map() };
  let isStopped = false;
  const count = <K>(map: Map<K, number>, key: K): void => {
    map.set(key, (map.get(key) ?? 0) + 1);
  };
  const loop = async (): Promise<void> => {
    const options = { keepAlive: true, maxSockets: 1 };
    const agent = isFresh ? false : ca === undefined ? new Agent(options) : new HttpsAgent({ ...options, ca });
    while (!isStopped) {
      await new Promise<void>((resolve) => {
        const onResponse = (res: IncomingMessage): void => {
          res.resume();
          res.on('end', () => {
            count(result.statuses, res.statusCode!);
            resolve();
          });
          res.on('error', (e: NodeJS.ErrnoException) => {
            count(result.errors, e.code ?? e.message);
            resolve();
          });
        };
        const target = { host: '127.0.0.1', port, path, agent };
        const req = ca === undefined ? request(target, onResponse) : httpsRequest({ ...target, ca }, onResponse);
        req.setTimeout(5_000, () => req.destroy(new Error('timeout')));
        req.on('error', (e: NodeJS.ErrnoException) => {
          count(result.errors, e.code ?? e.message);
          resolve();
        });
        req.end();
      });
      result.requests++;
    }
    if (agent) agent.destroy();
  };
  const loops = Array.from({ length: concurrency }, loop);
  return {
    async stop() {
      isStopped = true;
      await Promise.all(loops);
      return result;
    },
  };
}

/** Sum of the counts in a map. */
export function total(map: Map<unknown, number>): number {
  let sum = 0;
  for (const n of map.values()) sum += n;
  return sum;
}
