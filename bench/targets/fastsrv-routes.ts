/**
 * fastsrv through the library API, for the `route` scenarios: the bench
 * root as files, plus the 1 KiB /index.html's bytes as a fixed route and as
 * a function route returning the same Buffer. Same process, same workers:
 * the three rows differ only in how the response is made.
 *   node fastsrv-routes.js ROOT --host H --port P --workers N [--no-watch] [--no-compress]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { serve } from '../../src/index.js';
import { FIXED_ROUTE, FUNCTION_ROUTE } from './route-paths.js';


const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    host: { type: 'string' }, port: { type: 'string' }, workers: { type: 'string' },
    'no-watch': { type: 'boolean' }, 'no-compress': { type: 'boolean' },
  },
});

if (positionals.length === 1) {
  const root = positionals[0];
  const page = readFileSync(join(root, 'index.html'));
  await serve({
    root,
    host: values.host ?? '127.0.0.1',
    port: Number(values.port ?? 0),
    workers: Number(values.workers ?? 1),
    noWatch: values['no-watch'],
    noCompress: values['no-compress'],
    routes: {
      [FIXED_ROUTE]: page,
      [FUNCTION_ROUTE]: () => page,
    },
  });
  process.stdout.write(`fastsrv routes listening on ${values.port}\n`);
}
