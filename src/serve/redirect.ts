/**
 * The plain-HTTP listener of --http-port: every request gets 308 to the same
 * path and query on https:// (RFC 9110 §15.4.9: the method and body are kept).
 * Nothing is served over plain HTTP, and no --header is added here: HSTS is
 * ignored over http:// anyway (RFC 6797 §8.1).
 */
import { buildHttpsLocation } from '../http/location.js';
import { isClosingConnections } from './stream.js';
import type { TemplatedApp, UwsModule } from '../setup/uws.js';

const HOST = Buffer.from('host');
const LOCATION = Buffer.from('Location');
const STATUS_REDIRECT = '308 Permanent Redirect';
const STATUS_BAD_REQUEST = '400 Bad Request';

/** A uWS App that redirects everything to the HTTPS listener on `httpsPort`. */
export function createRedirectApp(uws: UwsModule, httpsPort: number): TemplatedApp {
  return uws.App().any('/*', (res, req) => {
    const location = buildHttpsLocation(req.getHeader(HOST), req.getUrl(), req.getQuery() ?? '', httpsPort);
    if (location === null) res.writeStatus(STATUS_BAD_REQUEST);
    else res.writeStatus(STATUS_REDIRECT).writeHeader(LOCATION, location);
    res.end(undefined, isClosingConnections);
  });
}
