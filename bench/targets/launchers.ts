/** Targets run by Node from this repository's dist/: fastsrv itself and the two Node baselines. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBun } from './bun-binary.js';
import type { TargetContext, TargetDefinition } from './common.js';

/** `--cert FILE --key FILE`: the same flags for fastsrv, the Node baselines and Bun's script. */
function buildTlsArgs(ctx: TargetContext): string[] {
  return ctx.tls ? ['--cert', ctx.tls.cert, '--key', ctx.tls.key] : [];
}

function planNodeScript(ctx: TargetContext, script: string, workerNote: string, extra: string[] = []): ReturnType<TargetDefinition['plan']> {
  const path = join(ctx.repoDir, script);
  if (!existsSync(path)) return { skip: `${script} not found (run npm run build)` };
  return {
    command: process.execPath,
    args: [path, ctx.root, '--host', '127.0.0.1', '--port', String(ctx.port), '--workers', String(ctx.workers), ...buildTlsArgs(ctx), ...extra],
    files: [],
    workerNote,
  };
}

/** fastsrv's flags for a launch variant: the access log in workDir, or the admin listener on a free port. */
export function buildFastsrvVariantArgs(ctx: Pick<TargetContext, 'variant' | 'workDir'>): string[] {
  if (ctx.variant === 'access-log') return ['--access-log', join(ctx.workDir, 'access.log')];
  if (ctx.variant === 'admin') return ['--admin', '127.0.0.1:0'];
  return [];
}

export const fastsrv: TargetDefinition = {
  name: 'fastsrv',
  describe: 'fastsrv (this project): uWebSockets.js, in-memory cache, precomputed headers',
  // rules: served from the root with generated _headers and _redirects (bench/run.ts), no flag.
  // routes: the same root through the library API, with a fixed and a function route (fastsrv-routes.ts).
  variants: ['access-log', 'admin', 'rules', 'routes'],
  plan: (ctx) =>
    ctx.variant === 'routes'
      ? planNodeScript(ctx, 'dist/bench/targets/fastsrv-routes.js', `serve({ workers: ${ctx.workers} }) (+ primary)`)
      : planNodeScript(ctx, 'dist/src/cli.js', `--workers ${ctx.workers} (+ primary)`, buildFastsrvVariantArgs(ctx)),
};

export const nodeHttp: TargetDefinition = {
  name: 'node-http',
  describe: 'node:http + cluster, files in a Map with headers built at boot',
  plan: (ctx) => planNodeScript(ctx, 'dist/bench/targets/node-http-server.js', `cluster: ${ctx.workers} workers (+ primary)`),
};

export const nodeStatic: TargetDefinition = {
  name: 'node-static',
  describe: 'node:http + cluster, stat + read stream per request (serve-static style)',
  plan: (ctx) => planNodeScript(ctx, 'dist/bench/targets/node-static-server.js', `cluster: ${ctx.workers} workers (+ primary)`),
};

export const bun: TargetDefinition = {
  name: 'bun',
  describe: 'Bun.serve static routes (Responses built at boot), reusePort',
  plan(ctx) {
    const script = join(ctx.repoDir, 'dist/bench/targets/bun-server.js');
    if (!existsSync(script)) return { skip: 'dist/bench/targets/bun-server.js not found (run npm run build)' };
    const binary = ensureBun();
    if ('skip' in binary) return binary;
    return {
      command: binary.path,
      args: [script, ctx.root, '--host', '127.0.0.1', '--port', String(ctx.port), '--workers', String(ctx.workers), ...buildTlsArgs(ctx)],
      files: [],
      workerNote: ctx.workers > 1 ? `${ctx.workers} processes with reusePort (+ launcher)` : 'one process',
    };
  },
};
