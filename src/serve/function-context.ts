/** What a server's function routes share: the site's extra headers, the fixed 500 and 413, the error log. Built once. */
import { buildErrorPage, buildFixedResponse } from '../cache/responses.js';
import type { HeaderList } from '../cache/headers.js';
import type { CacheTable } from '../cache/table.js';
import { encodeLatin1 } from '../cache/bytes.js';
import { formatHead, type FunctionContext } from './functions.js';
import type { StreamTracker } from './stream.js';

/** Distinct failures remembered per worker; beyond this, every one is said again. */
const MAX_REMEMBERED = 1000;

export function createFunctionContext(table: CacheTable, streams: StreamTracker): FunctionContext {
  const policy = table.options.policy;
  const nosniff: HeaderList = policy.isNosniff ? [['X-Content-Type-Options', 'nosniff']] : [];
  const headers: HeaderList = [['Cache-Control', 'no-store'], ...nosniff, ...policy.extraHeaders];
  const said = new Set<string>();
  const extraHeaderText = (policy.isNosniff ? '\r\nX-Content-Type-Options: nosniff' : '') + table.extraHeaderText;
  const plainHeads = new Map<string, ArrayBuffer>();
  return {
    extraHeaderText,
    getPlainHead(contentType) {
      let head = plainHeads.get(contentType);
      if (head === undefined) {
        // Types come from results (a route's Content-Type header too): bounded, as they are per request.
        if (plainHeads.size >= MAX_REMEMBERED) plainHeads.clear();
        head = encodeLatin1(formatHead({ status: 200, headers: [], contentType, body: null }, extraHeaderText));
        plainHeads.set(contentType, head);
      }
      return head;
    },
    streams,
    internalError: buildFixedResponse('500 Internal Server Error', buildErrorPage('500 Internal Server Error'), headers),
    payloadTooLarge: buildFixedResponse('413 Content Too Large', buildErrorPage('413 Content Too Large'), headers),
    report(route, error) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      // By message: the same failure's stack differs once the handler is optimised.
      const id = route + '\0' + (error instanceof Error ? error.message : text);
      if (said.has(id)) return;
      if (said.size >= MAX_REMEMBERED) said.clear();
      said.add(id);
      process.stderr.write(`fastsrv worker ${process.pid}: route "${route}" failed (answered 500; said once per route and error): ${text}\n`);
    },
  };
}
