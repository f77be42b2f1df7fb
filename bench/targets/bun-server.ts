/**
 * Bun baseline: every file becomes a static route (a Response built at boot, served by
 * Bun's native router without entering JS; files above 64 MiB are `Bun.file` routes read
 * from disk), `reusePort: true`, and N processes.
 * Run with Bun: bun dist/bench/targets/bun-server.js <root> --host H --port P --workers N [--cert F --key F]
 */
import { readFileSync, statSync } from 'node:fs';
import { lookupContentType, parseServerArgs, STREAM_ABOVE_BYTES, walkFiles, type ServerArgs } from './http-common.js';

interface BunChild {
  kill(signal?: string): void;
  exited: Promise<number>;
}

/** The part of Bun's API this file uses (the project has no Bun typings). */
declare const Bun: {
  serve(options: Record<string, unknown>): unknown;
  file(path: string): unknown;
  spawn(cmd: string[], options: Record<string, unknown>): BunChild;
};

const CHILD_ENV = 'FASTSRV_BENCH_BUN_CHILD';

/** A static Response per file; a file above STREAM_ABOVE_BYTES is a BunFile route, served from disk. */
function buildRoutes(root: string): Record<string, unknown> {
  const routes: Record<string, unknown> = {};
  for (const [urlPath, abs] of walkFiles(root)) {
    routes[urlPath] = statSync(abs).size > STREAM_ABOVE_BYTES
      ? Bun.file(abs)
      : new Response(readFileSync(abs), { headers: { 'Content-Type': lookupContentType(abs) } });
  }
  return routes;
}

function serve(args: ServerArgs): void {
  Bun.serve({
    hostname: args.host,
    port: args.port,
    reusePort: true,
    routes: buildRoutes(args.root),
    ...(args.cert !== null && args.key !== null ? { tls: { cert: Bun.file(args.cert), key: Bun.file(args.key) } } : {}),
    fetch: () => new Response('Not Found\n', { status: 404, headers: { 'Content-Type': 'text/plain' } }),
  });
}

function spawnChildren(args: ServerArgs): void {
  const children: BunChild[] = [];
  for (let i = 0; i < args.workers; i++) {
    children.push(Bun.spawn([process.execPath, ...process.argv.slice(1)], { env: { ...process.env, [CHILD_ENV]: '1' }, stdio: ['ignore', 'inherit', 'inherit'] }));
  }
  const stop = (): void => {
    for (const child of children) child.kill('SIGTERM');
    setTimeout(() => process.exit(0), 200);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

const args = parseServerArgs(process.argv.slice(2));
if (args.workers > 1 && process.env[CHILD_ENV] === undefined) spawnChildren(args);
else serve(args);
