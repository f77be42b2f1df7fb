/** Reading what the admin listener says: the banner's URL, a scrape parsed. */
import { createServer } from 'node:net';
import { get } from './server.js';

/** host:port of the admin listener from the banner's `admin http://HOST:PORT/metrics` line. */
export function findAdminAddress(banner: string): { host: string; port: number } {
  const match = /admin\s+http:\/\/(\[[^\]]+\]|[^:/\s]+):(\d+)\/metrics/.exec(banner);
  if (match === null) throw new Error(`no admin line in the banner:\n${banner}`);
  return { host: match[1], port: Number(match[2]) };
}

/**
 * Samples of a Prometheus text exposition: `name{label="v",…}` (labels as
 * written) or `name` → value. Comments and blank lines are skipped; a line
 * that is neither is an error, so a malformed exposition fails the test.
 */
export function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type !== null) {
      types.set(type[1], type[2]);
      continue;
    }
    if (line.startsWith('# HELP ')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (sample === null) throw new Error(`not an exposition line: ${JSON.stringify(line)}`);
    // prom-client writes NaN as "Nan"; Prometheus reads values with Go's
    // strconv.ParseFloat, which ignores the case of NaN and Inf.
    const isNaNText = /^nan$/i.test(sample[2]);
    const value = isNaNText ? NaN : /^\+inf$/i.test(sample[2]) ? Infinity : Number(sample[2]);
    if (Number.isNaN(value) && !isNaNText) throw new Error(`bad value in ${JSON.stringify(line)}`);
    samples.set(sample[1], value);
  }
  if (types.size === 0) throw new Error('no # TYPE lines');
  return samples;
}

/** GET /metrics from the admin listener, parsed. */
export async function scrape(adminPort: number): Promise<Map<string, number>> {
  const reply = await get(adminPort, '/metrics');
  if (reply.status !== 200) throw new Error(`/metrics answered ${reply.status}: ${reply.body.toString()}`);
  return parseExposition(reply.body.toString());
}

/** A port that was free a moment ago. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
