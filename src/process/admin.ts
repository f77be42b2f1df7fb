/**
 * The admin listener (--admin HOST:PORT): GET /metrics and GET /healthz,
 * served by the primary with node:http. It is off the hot path and runs
 * where the workers' state is known; it listens before any worker is
 * forked, so /healthz says 503 while the tree starts, and keeps answering
 * (503) while it drains.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface Health {
  readonly isHealthy: boolean;
  /** "ok", "starting", "draining", "1 of 2 workers up". */
  readonly text: string;
}

export interface AdminHandlers {
  health(): Health;
  /** The Prometheus exposition of the whole tree. */
  metrics(): Promise<{ readonly contentType: string; readonly body: string }>;
}

export interface AdminListener {
  /** The port bound (the one asked for, or the one picked for 0). */
  readonly port: number;
  close(): void;
}

/** Listen on host:port; rejects with the listen error (EADDRINUSE, EACCES…). */
export function startAdmin(host: string, port: number, handlers: AdminHandlers): Promise<AdminListener> {
  const server = createServer((req, res) => void answer(req, res, handlers));
  // Scrapers and load balancers keep connections open; never let one hold a drain.
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address !== null ? address.port : port,
        close: () => server.close(),
      });
    });
  });
}

async function answer(req: IncomingMessage, res: ServerResponse, handlers: AdminHandlers): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  const isHead = req.method === 'HEAD';
  if (path !== '/metrics' && path !== '/healthz') return send(res, 404, 'text/plain; charset=utf-8', 'not found: try /metrics or /healthz\n', isHead);
  if (req.method !== 'GET' && !isHead) {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', false);
  }
  if (path === '/healthz') {
    const health = handlers.health();
    return send(res, health.isHealthy ? 200 : 503, 'text/plain; charset=utf-8', health.text + '\n', isHead);
  }
  try {
    const { contentType, body } = await handlers.metrics();
    send(res, 200, contentType, body, isHead);
  } catch (error) {
    send(res, 500, 'text/plain; charset=utf-8', `cannot collect metrics: ${(error as Error).message}\n`, isHead);
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string, isHead: boolean): void {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(isHead ? undefined : body);
}
