/**
 * A bounded keep-alive load client for instruction counting: `connections`
 * sockets to 127.0.0.1 each send one fixed request, wait for the whole
 * response, and send the next, until `total` responses have arrived. No
 * pipelining, so each request is one read and one write on the server.
 */
import { connect, type Socket } from 'node:net';

/** Statuses seen and responses counted by one run. */
export interface LoadResult {
  readonly responses: number;
  readonly statuses: Record<string, number>;
}

/**
 * Split complete responses off the front of `buffer`. Returns the byte
 * offset after the last complete response and the status of each one.
 * A 304 (and a 204) never has a body (RFC 9110 §15.4.5); any other
 * response must carry Content-Length (all targets send it for these files).
 */
export function scanResponses(buffer: Buffer, isHead = false): { consumed: number; statuses: number[] } {
  const statuses: number[] = [];
  let offset = 0;
  for (;;) {
    const end = buffer.indexOf('\r\n\r\n', offset, 'latin1');
    if (end === -1) break;
    const head = buffer.toString('latin1', offset, end);
    const status = Number(head.slice(9, 12));
    const match = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
    const length = status === 304 || status === 204 || isHead || match === null ? 0 : Number(match[1]);
    if (end + 4 + length > buffer.length) break;
    statuses.push(status);
    offset = end + 4 + length;
  }
  return { consumed: offset, statuses };
}

/** Send `request` over `connections` keep-alive sockets until `total` responses arrived. */
export function runLoad(port: number, request: string, connections: number, total: number, timeoutMs: number): Promise<LoadResult> {
  const bytes = Buffer.from(request, 'latin1');
  const statuses: Record<string, number> = {};
  let sent = 0;
  let received = 0;
  const sockets: Socket[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`load: ${received}/${total} responses after ${timeoutMs} ms`)), timeoutMs);
    const finish = (error: Error | null): void => {
      clearTimeout(timer);
      for (const s of sockets) s.destroy();
      if (error) reject(error);
      else resolve({ responses: received, statuses });
    };
    const sendNext = (socket: Socket): void => {
      if (sent >= total) return;
      sent++;
      socket.write(bytes);
    };
    for (let i = 0; i < Math.min(connections, total); i++) {
      const socket = connect({ host: '127.0.0.1', port, noDelay: true });
      sockets.push(socket);
      let pending: Buffer = Buffer.alloc(0);
      socket.once('connect', () => sendNext(socket));
      socket.on('data', (chunk: Buffer) => {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        const { consumed, statuses: seen } = scanResponses(pending);
        if (consumed === 0) return;
        pending = pending.subarray(consumed);
        for (const status of seen) {
          statuses[status] = (statuses[status] ?? 0) + 1;
          received++;
          if (received === total) return finish(null);
          sendNext(socket);
        }
      });
      socket.on('error', (error) => finish(error));
      socket.on('close', () => {
        if (received < total) finish(new Error(`load: connection closed after ${received}/${total} responses`));
      });
    }
  });
}
