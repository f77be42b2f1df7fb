/**
 * Which resource the protocol checks probe: a file that answered 200, at
 * least 1 KiB when one exists (ranges and compression need bytes to work
 * with), below 1 MiB so twenty keep-alive GETs stay quick.
 */
import { readFile } from 'node:fs/promises';
import { formatBytes, type FileOutcome } from './compare.js';
import { readHeader, sendRequest } from './http.js';
import { describeError, type CheckResult, type Endpoint, type Target } from './types.js';

export interface Targets {
  readonly target: Target | undefined;
  readonly textTarget: Target | undefined;
  /** The report line that says what was chosen, or why nothing was. */
  readonly result: CheckResult;
}

const NAME = 'protocol target';
const MIN_BYTES = 1024;
const MAX_BYTES = 1024 * 1024;
const MAX_TARGET_BYTES = 64 * 1024 * 1024;
const COMPRESSIBLE = /^(text\/|image\/svg\+xml|application\/(javascript|ecmascript|json|xml|[\w.-]+\+(json|xml)))/i;

interface Candidate {
  readonly path: string;
  readonly size: number;
  readonly headers: Target['headers'];
}

/**
 * With --root: choose among files whose bodies matched the disk. With
 * `isOrdered` (the caller passed `paths`) the first match wins.
 */
export async function chooseDiskTargets(outcomes: readonly FileOutcome[], isOrdered: boolean): Promise<Targets> {
  // The target's bytes are held in memory; a file that large would only slow every check.
  const matching = outcomes.filter((o) => o.isSame && o.file.size <= MAX_TARGET_BYTES);
  const candidates = matching.map((o) => ({ path: o.path, size: o.file.size, headers: o.headers }));
  const load = async (candidate: Candidate | undefined): Promise<Target | undefined> => {
    const outcome = matching.find((o) => o.path === candidate?.path);
    return outcome && { path: outcome.path, headers: outcome.headers, body: await readFile(outcome.file.absPath) };
  };
  const target = await load(isOrdered ? candidates[0] : pickBySize(candidates));
  const textTarget = await load(pickText(candidates, isOrdered));
  const why = outcomes.length === 0 ? 'no files to probe' : 'no file of at most 64 MiB answered 200 with the bytes on disk';
  return { target, textTarget, result: describeTargets(target, textTarget, why) };
}

/** Without --root: GET each candidate path in order; the first 200 is the target. */
export async function findServedTargets(endpoint: Endpoint, paths: readonly string[]): Promise<Targets> {
  const tried: string[] = [];
  for (const path of paths) {
    try {
      const reply = await sendRequest(endpoint, { path });
      if (reply.status === 200) {
        const target: Target = { path, body: reply.body, headers: reply.headers };
        const textTarget = pickText([{ path, size: reply.body.length, headers: reply.headers }], true) && target;
        return { target, textTarget, result: describeTargets(target, textTarget, '') };
      }
      tried.push(`${path} → ${reply.status}`);
    } catch (error) {
      const result: CheckResult = { name: NAME, status: 'fail', detail: `GET ${path}: ${describeError(error)}` };
      return { target: undefined, textTarget: undefined, result };
    }
  }
  const why = `no 200 resource (${tried.join(', ')}); pass --root DIR or the URL of a file`;
  return { target: undefined, textTarget: undefined, result: describeTargets(undefined, undefined, why) };
}

/** The largest file below 1 MiB, else the smallest. */
function pickBySize(candidates: readonly Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  for (const c of candidates) {
    if (best === undefined) best = c;
    else if (c.size < MAX_BYTES) {
      if (best.size >= MAX_BYTES || c.size > best.size) best = c;
    } else if (best.size >= MAX_BYTES && c.size < best.size) best = c;
  }
  return best;
}

/** A compressible resource of 1 KiB to 1 MiB: the largest, or the first when ordered. */
function pickText(candidates: readonly Candidate[], isOrdered: boolean): Candidate | undefined {
  const texts = candidates.filter(
    (c) => c.size >= MIN_BYTES && c.size < MAX_BYTES && COMPRESSIBLE.test(readHeader(c.headers, 'content-type')),
  );
  if (isOrdered) return texts[0];
  return texts.reduce<Candidate | undefined>((best, c) => (best === undefined || c.size > best.size ? c : best), undefined);
}

function describeTargets(target: Target | undefined, textTarget: Target | undefined, why: string): CheckResult {
  if (target === undefined) return { name: NAME, status: 'skip', detail: `${why}: protocol checks skipped` };
  const type = readHeader(target.headers, 'content-type') || 'no Content-Type';
  let detail = `${target.path} (${formatBytes(target.body.length)}, ${type})`;
  if (textTarget === undefined) detail += '; no text file of 1 KiB–1 MiB for compression';
  else if (textTarget.path !== target.path) detail += `; compression on ${textTarget.path}`;
  return { name: NAME, status: 'pass', detail };
}
