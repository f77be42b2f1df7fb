/** Command line of bench/instructions.ts. */
import { parseArgs } from 'node:util';

export const INSTRUCTION_TARGETS = ['fastsrv', 'nginx', 'lighttpd', 'uws-minimal', 'floor'] as const;

export interface InstructionOptions {
  readonly targets: readonly string[];
  readonly scenarios: readonly string[] | null;
  readonly warmup: number;
  readonly requests: number;
  readonly connections: number;
  /** Output directory; null with --no-write. */
  readonly out: string | null;
  readonly isHelp: boolean;
}

export const INSTRUCTIONS_HELP = `npm run bench:instructions -- [options]
Counts each server's instructions per request under valgrind --tool=callgrind:
warm-up requests, zero the counters, measured requests, dump, divide.
  --targets LIST     comma-separated, from ${INSTRUCTION_TARGETS.join(',')} (default all),
                     or variant:NAME (bench/instructions/uws-variants.ts)
  --scenarios LIST   comma-separated scenario names: 1k,304,404,16k (default all)
  --warmup N         keep-alive requests before counting (default 3000)
  --requests N       counted requests (default 20000)
  --connections N    keep-alive connections of the load client (default 8)
  --out DIR          where instructions-DATE-HOST.{json,md} go (default results)
  --no-write         print the table only
`;

/** Parse argv (without node and script); throws a readable Error. */
export function parseInstructionOptions(argv: readonly string[]): InstructionOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      targets: { type: 'string' }, scenarios: { type: 'string' }, warmup: { type: 'string' },
      requests: { type: 'string' }, connections: { type: 'string' }, out: { type: 'string' },
      'no-write': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  const targets = values.targets === undefined ? [...INSTRUCTION_TARGETS] : values.targets.split(',').filter((t) => t !== '');
  for (const t of targets) {
    if (!(INSTRUCTION_TARGETS as readonly string[]).includes(t) && !t.startsWith('variant:')) throw new Error(`unknown target "${t}" (known: ${INSTRUCTION_TARGETS.join(', ')})`);
  }
  return {
    targets,
    scenarios: values.scenarios === undefined ? null : values.scenarios.split(',').filter((s) => s !== ''),
    warmup: parseCount('--warmup', values.warmup, 3000, 0),
    requests: parseCount('--requests', values.requests, 20000, 1),
    connections: parseCount('--connections', values.connections, 8, 1),
    out: values['no-write'] ? null : (values.out ?? 'results'),
    isHelp: values.help === true,
  };
}

function parseCount(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} ${text}: expected an integer >= ${min}`);
  return n;
}
