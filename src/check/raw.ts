/**
 * A raw TCP connection for the probes node:http cannot express: request
 * targets with `..` left as written, HTTP/1.0, and several requests on one
 * connection where leaked bytes must stay visible.
 */
import { connect, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { parseResponse, quoteBytes, type RawResponse } from './parse.js';
import { ProbeError, type Endpoint } from './types.js';

/** TLS client options of `fastsrv check`: SNI for host names, no certificate verification. */
export function describeTlsClient(endpoint: Endpoint): { servername?: string; rejectUnauthorized: false } {
  return isIP(endpoint.host) === 0 ? { servername: endpoint.host, rejectUnauthorized: false } : { rejectUnauthorized: false };
}

export class RawConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private isClosed = false;
  private error: Error | undefined;
  private wake: (() => void) | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.notify();
    });
    socket.on('end', () => this.markClosed());
    socket.on('close', () => this.markClosed());
    socket.on('error', (error) => {
      this.error = error;
      this.markClosed();
    });
  }

  /** Connect within the endpoint's timeout; rejects with a ProbeError. */
  static open(endpoint: Endpoint): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = endpoint.isTls
        ? connectTls({ host: endpoint.host, port: endpoint.port, ...describeTlsClient(endpoint) })
        : connect({ host: endpoint.host, port: endpoint.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ProbeError(`cannot connect to ${endpoint.host}:${endpoint.port} within ${endpoint.timeoutMs} ms`, 'timeout'));
      }, endpoint.timeoutMs);
      socket.once(endpoint.isTls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new RawConnection(socket, endpoint.timeoutMs));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new ProbeError(`cannot connect to ${endpoint.host}:${endpoint.port}: ${error.message}`, 'network'));
      });
    });
  }

  /** Bytes received and not yet consumed by {@link readResponse}. */
  get pending(): Buffer {
    return this.buffer;
  }

  get hasClosed(): boolean {
    return this.isClosed;
  }

  send(data: string): void {
    if (!this.isClosed) this.socket.write(data, 'latin1');
  }

  /**
   * Wait for one complete response to `method` and consume its bytes.
   * Rejects with a ProbeError: `closed` when the peer closed before sending
   * anything, `timeout`, or `malformed` with the bytes that did not parse.
   */
  async readResponse(method: string): Promise<RawResponse> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      if (this.buffer.length === 0 && this.isClosed) {
        const why = this.error ? `: ${this.error.message}` : '';
        throw new ProbeError(`connection closed without a response${why}`, 'closed');
      }
      if (this.buffer.length > 0) {
        const outcome = parseResponse(this.buffer, method, this.isClosed);
        if (outcome.kind === 'complete') {
          this.buffer = this.buffer.subarray(outcome.consumed);
          return outcome.response;
        }
        if (outcome.kind === 'malformed') throw new ProbeError(`malformed response: ${outcome.reason}`, 'malformed');
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0 || !(await this.waitForData(remaining))) {
        const got = this.buffer.length === 0 ? 'nothing' : `${this.buffer.length} bytes ${quoteBytes(this.buffer)}`;
        throw new ProbeError(`no complete response within ${this.timeoutMs} ms (received ${got})`, 'timeout');
      }
    }
  }

  close(): void {
    this.socket.destroy();
  }

  /** Resolve true on new data or close, false after `ms`. */
  private waitForData(ms: number): Promise<boolean> {
    if (this.isClosed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve(false);
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }

  private markClosed(): void {
    this.isClosed = true;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** Open a connection, send one request, read one response, close. */
export async function exchangeRaw(endpoint: Endpoint, request: string, method: string): Promise<RawResponse> {
  const connection = await RawConnection.open(endpoint);
  try {
    connection.send(request);
    return await connection.readResponse(method);
  } finally {
    connection.close();
  }
}

/** Serialise an HTTP/1.1 request; `extra` holds `Name: value` lines. */
export function formatRawRequest(method: string, target: string, endpoint: Endpoint, extra: readonly string[] = []): string {
  return [`${method} ${target} HTTP/1.1`, `Host: ${endpoint.authority}`, ...extra, '', ''].join('\r\n');
}

/** Two requests in turn on one connection. */
export interface FollowedExchange {
  readonly first: RawResponse;
  /** Bytes that arrived with or right after the first response. */
  readonly extra: Buffer;
  /** The next response on the same connection, or why it could not be read. */
  readonly second: RawResponse | ProbeError;
}

/**
 * Send `first`, read its response, then send `second` (a GET) on the same
 * connection. A server that writes a body after a HEAD or a 304 shows up
 * here: those bytes precede the second response and it fails to parse.
 */
export async function exchangeFollowed(
  endpoint: Endpoint,
  first: string,
  firstMethod: string,
  second: string,
): Promise<FollowedExchange> {
  const connection = await RawConnection.open(endpoint);
  try {
    connection.send(first);
    const firstResponse = await connection.readResponse(firstMethod);
    const extra = Buffer.from(connection.pending);
    connection.send(second);
    let secondResponse: RawResponse | ProbeError;
    try {
      secondResponse = await connection.readResponse('GET');
    } catch (error) {
      if (!(error instanceof ProbeError)) throw error;
      secondResponse = error;
    }
    return { first: firstResponse, extra, second: secondResponse };
  } finally {
    connection.close();
  }
}
