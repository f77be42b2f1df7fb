/** With --root: fetch files and compare them byte for byte with the disk. */
import type { IncomingHttpHeaders } from 'node:http';
import { hashFile, encodeUrlPath, type DiskFile } from './files.js';
import { hashRequest, readHeader } from './http.js';
import { describeError, type CheckResult, type Endpoint } from './types.js';

/** What fetching one file gave. `status` 0 means the request itself failed. */
export interface FileOutcome {
  readonly file: DiskFile;
  /** The request-target finally fetched (after an index redirect). */
  readonly path: string;
  readonly status: number;
  readonly error: string;
  readonly headers: IncomingHttpHeaders;
  readonly length: number;
  readonly isSame: boolean;
}

const CONCURRENCY = 8;
const LISTED_PROBLEMS = 5;
/** Allow this much time per byte on top of the timeout, so large files are not cut off. */
const BYTES_PER_TIMEOUT = 64 * 1024 * 1024;
const INDEX_NAME = /(^|\/)index\.html?$/;
/** The report lines of the comparison, in order: status, body, Content-Length, Content-Type. */
const FILE_CHECK_NAMES = [
  'files: GET → 200',
  'files: body identical to disk',
  'files: Content-Length = file size',
  'files: Content-Type present',
] as const;

/** Fetch every file, CONCURRENCY at a time; never rejects. */
export async function fetchFiles(endpoint: Endpoint, basePath: string, files: readonly DiskFile[]): Promise<FileOutcome[]> {
  const outcomes: FileOutcome[] = new Array(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const index = next++;
      outcomes[index] = await fetchFile(endpoint, basePath, files[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));
  return outcomes;
}

async function fetchFile(endpoint: Endpoint, basePath: string, file: DiskFile): Promise<FileOutcome> {
  let path = encodeUrlPath(basePath, file.relPath);
  const timeoutMs = endpoint.timeoutMs * (1 + Math.floor(file.size / BYTES_PER_TIMEOUT));
  try {
    const expected = hashFile(file.absPath);
    expected.catch(() => undefined); // awaited below; this only stops an unhandled rejection
    let reply = await hashRequest(endpoint, { path, timeoutMs });
    const location = readHeader(reply.headers, 'location');
    // Some servers (Caddy) redirect /dir/index.html to /dir/; follow that one hop.
    if (reply.status >= 301 && reply.status <= 308 && location !== '' && INDEX_NAME.test(file.relPath)) {
      const url = new URL(location, `${endpoint.isTls ? 'https' : 'http'}://${endpoint.authority}${path}`);
      if (url.host === endpoint.authority) {
        path = url.pathname + url.search;
        reply = await hashRequest(endpoint, { path, timeoutMs });
      }
    }
    const isSame = reply.status === 200 && reply.sha256 === (await expected);
    return { file, path, status: reply.status, error: '', headers: reply.headers, length: reply.length, isSame };
  } catch (error) {
    return { file, path, status: 0, error: describeError(error), headers: {}, length: 0, isSame: false };
  }
}

/** Four report lines: status, body, Content-Length, Content-Type. */
export function summarizeFiles(outcomes: readonly FileOutcome[], root: string): CheckResult[] {
  const names = FILE_CHECK_NAMES;
  if (outcomes.length === 0) return names.map((name) => ({ name, status: 'skip', detail: `no files under ${root} (dotfiles are skipped)` }));
  const ok = outcomes.filter((o) => o.status === 200);
  const bytes = ok.reduce((sum, o) => sum + o.file.size, 0);
  const results: CheckResult[] = [
    summarize(names[0], outcomes, `${outcomes.length} files under ${root}`, (o) =>
      o.status === 0 ? o.error : o.status === 200 ? '' : `status ${o.status}`,
    ),
  ];
  if (ok.length === 0) {
    for (const name of names.slice(1)) results.push({ name, status: 'skip', detail: 'no file answered 200' });
    return results;
  }
  results.push(
    summarize(names[1], ok, `${ok.length} bodies, ${formatBytes(bytes)}, SHA-256 equal`, (o) =>
      o.isSame ? '' : `got ${o.length} bytes with a different SHA-256 (file has ${o.file.size})`,
    ),
    summarize(names[2], ok, `${ok.length} responses`, (o) => {
      const length = readHeader(o.headers, 'content-length');
      if (length === String(o.file.size)) return '';
      if (length === '') return `no Content-Length (Transfer-Encoding: ${readHeader(o.headers, 'transfer-encoding') || 'none'})`;
      return `Content-Length: ${length}, file has ${o.file.size} bytes`;
    }),
    // A SHOULD (RFC 9110 §8.3): without it browsers sniff.
    summarize(names[3], ok, `${countTypes(ok)}`, (o) =>
      readHeader(o.headers, 'content-type') === '' ? 'no Content-Type' : '', 'warn',
    ),
  );
  return results;
}

/** PASS with `passDetail`, or FAIL (or WARN) listing the first problems `describe` finds. */
function summarize(
  name: string,
  outcomes: readonly FileOutcome[],
  passDetail: string,
  describe: (outcome: FileOutcome) => string,
  severity: 'fail' | 'warn' = 'fail',
): CheckResult {
  const problems: string[] = [];
  for (const outcome of outcomes) {
    const problem = describe(outcome);
    if (problem !== '') problems.push(`${outcome.path}: ${problem}`);
  }
  if (problems.length === 0) return { name, status: 'pass', detail: passDetail };
  const listed = problems.slice(0, LISTED_PROBLEMS);
  if (problems.length > LISTED_PROBLEMS) listed.push(`… and ${problems.length - LISTED_PROBLEMS} more`);
  return { name, status: severity, detail: `${problems.length} of ${outcomes.length} files:\n${listed.join('\n')}` };
}

function countTypes(outcomes: readonly FileOutcome[]): string {
  const types = new Set(outcomes.map((o) => readHeader(o.headers, 'content-type').split(';')[0].trim()));
  types.delete('');
  const list = [...types].sort();
  const shown = list.slice(0, 4).join(', ') + (list.length > 4 ? `, +${list.length - 4}` : '');
  return `${list.length} types: ${shown}`;
}

/** `1.5 KiB`, `3.2 MiB`: sizes for humans. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}
