/**
 * What site rules cost per request, in instructions (valgrind callgrind):
 * one fastsrv worker under callgrind serves the `site` paths from the
 * plain fixture root and from the root with generated `_headers` and
 * `_redirects` (bench/fixtures.ts), rounds interleaved. Instrumentation is
 * off during start-up and a warm-up, on for `--requests` keep-alive GETs
 * (4 at a time), so the count is the worker's user-space instructions per
 * request, free of wall-clock noise (kernel time is not counted).
 *
 *   node dist/bench/experiments/callgrind-rules.js [--rounds 2] [--requests 6000] [--path /missing.html --status 404]
 *
 * With --routes: the library's three ways to answer the same 1 KiB instead
 * (bench/targets/fastsrv-routes.ts: the cached /index.html, a fixed route
 * and a function route of its bytes), one path at a time, same worker.
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createFixtures, createRuleFixtures } from '../fixtures.js';
import { findFreePort } from '../proc.js';
import { FIXED_ROUTE, FUNCTION_ROUTE } from '../targets/route-paths.js';

const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const ROUTES = fileURLToPath(new URL('../targets/fastsrv-routes.js', import.meta.url));
const ROUTE_PATHS = { file: '/index.html', fixed: FIXED_ROUTE, function: FUNCTION_ROUTE };
const SITE_PATHS = ['/index.html', '/style.css', '/app.js', '/img/icon.png', '/img/photo.jpg', '/index.html'];

/** `count` GETs over `paths`, 4 in flight on keep-alive connections; resolves with the number of unexpected statuses. */
function requestMany(port: number, paths: readonly string[], count: number, status: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  let sent = 0;
  let done = 0;
  let bad = 0;
  return new Promise((resolve, reject) => {
    const next = (): void => {
      while (sent - done < 4 && sent < count) {
        get({ host: '127.0.0.1', port, path: paths[sent++ % paths.length], agent }, (res) => {
          if (res.statusCode !== status) bad++;
          res.resume();
          res.on('end', () => {
            if (++done === count) {
              agent.destroy();
              resolve(bad);
            } else next();
          });
        }).on('error', reject);
      }
    };
    next();
  });
}

async function measure(root: string, outDir: string, paths: readonly string[], requests: number, status: number, script = CLI): Promise<number> {
  rmSync(outDir, { recursive: true, force: true });
  const port = await findFreePort();
  const args = ['--tool=callgrind', '--trace-children=yes', '--smc-check=all-non-file', '--instr-atstart=no', `--callgrind-out-file=${outDir}.%p`];
  const child = spawn('valgrind', [...args, process.execPath, script, root, '--workers', '1', '--host', '127.0.0.1', '--port', String(port), '--no-watch', '--no-compress'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const deadline = Date.now() + 300_000;
  while (!out.includes('open ') && !out.includes('listening on') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  const worker = execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).trim().split('\n')[0];
  await requestMany(port, paths, 2000, status); // warm-up: the JIT settles, uninstrumented
  execFileSync('callgrind_control', ['-i', 'on', worker], { stdio: 'ignore' });
  const bad = await requestMany(port, paths, requests, status);
  execFileSync('callgrind_control', ['-i', 'off', worker], { stdio: 'ignore' });
  execFileSync('callgrind_control', ['--dump', worker], { stdio: 'ignore' });
  child.kill('SIGINT');
  await new Promise((r) => child.on('exit', r));
  if (bad > 0) throw new Error(`${bad} responses were not ${status}`);
  const dump = readdirSync(join(outDir, '..')).find((name) => name.startsWith(`${outDir.split('/').pop()}.${worker}.`))!;
  const totals = /^totals: (\d+)/m.exec(readFileSync(join(outDir, '..', dump), 'utf8'));
  return Number(totals![1]) / requests;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rounds: { type: 'string' }, requests: { type: 'string' }, path: { type: 'string' }, status: { type: 'string' }, routes: { type: 'boolean' } },
  });
  const rounds = Number(values.rounds ?? 2);
  const requests = Number(values.requests ?? 6000);
  const paths = values.path === undefined ? SITE_PATHS : [values.path];
  const status = Number(values.status ?? 200);
  const dir = mkdtempSync(join(tmpdir(), 'fastsrv-callgrind-'));
  try {
    const roots = { plain: join(dir, 'plain'), rules: join(dir, 'rules') };
    createFixtures(roots.plain);
    if (values.routes) {
      for (let round = 1; round <= rounds; round++) {
        for (const [name, path] of Object.entries(ROUTE_PATHS)) {
          const perRequest = await measure(roots.plain, join(dir, `cg-${name}-${round}`), [path], requests, 200, ROUTES);
          process.stdout.write(`round ${round} ${name}: ${Math.round(perRequest)} instructions per request (${requests} × ${path})\n`);
        }
      }
      return;
    }
    createRuleFixtures(roots.rules);
    for (let round = 1; round <= rounds; round++) {
      for (const [name, root] of Object.entries(roots)) {
        const perRequest = await measure(root, join(dir, `cg-${name}-${round}`), paths, requests, status);
        process.stdout.write(`round ${round} ${name}: ${Math.round(perRequest)} instructions per request (${requests} × ${paths.join(',')})\n`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`callgrind-rules: ${(error as Error).message}\n`);
  process.exit(1);
});
