/** Spawn the real CLI (built into dist/) and talk HTTP to it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));

export interface RunningCli {
  readonly proc: ChildProcess;
  /** The port of the `open` URL: HTTPS with --cert. */
  readonly port: number;
  /** The --http-port redirect listener's port, or null. */
  readonly httpPort: number | null;
  readonly banner: string;
  output(): string;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Start `fastsrv root --port 0 --host 127.0.0.1 --workers 2 …` and wait for
 * the banner. With `fileLimit`, the tree runs under `ulimit -n fileLimit`.
 */
export function startCli(
  root: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
  fileLimit?: number,
): Promise<RunningCli> {
  const argv = [CLI, root, '--host', '127.0.0.1', '--port', '0', '--workers', '2', ...args];
  const [command, commandArgs] =
    fileLimit === undefined
      ? [process.execPath, argv]
      : ['/bin/sh', ['-c', `ulimit -n ${fileLimit} && exec "$0" "$@"`, process.execPath, ...argv]];
  const proc = spawn(command, commandArgs, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner after 15 s:\n${out}`)), 15_000);
    const onData = (): void => {
      const match = /open\s+https?:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (!match) return;
      clearTimeout(timer);
      proc.stdout!.off('data', onData);
      const redirect = /redirect\s+http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      resolve({
        proc,
        port: Number(match[1]),
        httpPort: redirect ? Number(redirect[1]) : null,
        banner: out,
        output: () => out,
        stop: async () => {
          if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
          return exited;
        },
      });
    };
    proc.stdout!.on('data', onData);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fastsrv exited with ${code} before listening:\n${out}`));
    });
  });
}

/** Run the CLI to completion (for usage errors). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 15_000) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const proc = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** How to reach an HTTPS server: the CA that signed it, and the SNI name to send. */
export interface TlsClient {
  readonly ca: Buffer;
  /** Default: none (Node sends no SNI for an IP address). */
  readonly servername?: string;
}

/**
 * One request on a fresh connection; the request-target is sent as given.
 * With `tls`, over HTTPS (certificate verified against `tls.ca`).
 */
export function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET', tls?: TlsClient): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const common = { host: '127.0.0.1', port, path, method, headers, agent: false as const };
    const onResponse = (res: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    };
    const req = tls === undefined
      ? httpRequest(common, onResponse)
      : httpsRequest({ ...common, ca: tls.ca, servername: tls.servername }, onResponse);
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Send raw bytes; resolve with everything read until the server closes, or
 * `idleMs` of silence after some data, or `maxMs` in all.
 */
export function sendRaw(port: number, data: string | Buffer, idleMs = 300, maxMs = 5_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timer = setTimeout(() => socket.destroy(), maxMs);
    const finish = (): void => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    };
    socket.on('data', (c) => {
      chunks.push(c);
      clearTimeout(timer);
      timer = setTimeout(() => socket.destroy(), idleMs);
    });
    socket.on('close', finish);
    // The server may close while we are still writing (a refused request).
    socket.on('error', (e: NodeJS.ErrnoException) =>
      e.code === 'ECONNRESET' || e.code === 'EPIPE' ? finish() : reject(e),
    );
    socket.write(data);
  });
}

/** Status code of the first response in raw bytes, or 0 when there is none. */
export function rawStatus(reply: Buffer): number {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(reply.toString('latin1'));
  return match ? Number(match[1]) : 0;
}

/** Send raw bytes and wait for the server to close; resolve with the bytes and how long it took. */
export function sendRawUntilClose(port: number, data: string, maxMs: number): Promise<{ reply: Buffer; ms: number; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closedByServer = true;
    const timer = setTimeout(() => {
      closedByServer = false;
      socket.destroy();
    }, maxMs);
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ reply: Buffer.concat(chunks), ms: Date.now() - started, closedByServer });
    });
    socket.write(data);
  });
}
