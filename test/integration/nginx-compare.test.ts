/**
 * Issue 4, "Checked against nginx": the real fastsrv CLI (`--no-compress`,
 * so both servers only use `.gz` siblings) and a real nginx over the same
 * fixture tree, nginx configured as the closest equivalent of fastsrv's
 * defaults (test/nginx/launch.ts). Every corpus request goes to both; any
 * difference not listed below fails, and so does a listed one that no
 * longer occurs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCurrentEngine } from '../helpers/engine.js';
import type { Tree } from '../helpers/fixtures.js';
import { startCli, type RunningCli } from '../helpers/server.js';
import { compareResponses, formatFailure, type AllowedDifference, type Field } from '../nginx/compare.js';
import { CORPUS } from '../nginx/corpus.js';
import { findNginx, readNginxVersion, startNginx, type RunningNginx } from '../nginx/launch.js';
import { sendRequest } from '../nginx/send.js';
import { makeCompareTree } from '../nginx/tree.js';

const NGINX = findNginx();
const DIGITS = /^\d+$/;
const GZIP_BYTES = /^\x1f\x8b/;
const CSS_TEXT = /^\.rule/;
const HTML_PAGE = (status: string): RegExp => new RegExp(`<title>${status}</title>`);

/** Differences by design, each with its reason. [fastsrv, nginx] per field. */
const ALLOWED_DIFFERENCES: readonly AllowedDifference[] = [
  // Every response
  {
    requests: '*',
    fields: { 'cache-control': [/^(no-cache|public, max-age=0)$/, null] },
    reason: 'fastsrv sends Cache-Control (no-cache for HTML and the 404 page, public, max-age=0 for assets); nginx sends none by default',
  },
  {
    requests: '*',
    status: 206,
    fields: { 'accept-ranges': ['bytes', null] },
    reason: "nginx's range filter drops Accept-Ranges from 206; fastsrv keeps it (RFC 9110 §14.3 allows it on any response)",
  },
  {
    requests: '*',
    status: 304,
    fields: { 'x-content-type-options': [null, 'nosniff'] },
    reason: 'a fastsrv 304 carries only ETag, Last-Modified, Cache-Control and Vary (RFC 9110 §15.4.5); nginx `add_header … always` adds nosniff to every response',
  },
  {
    requests: '*',
    status: 301,
    fields: { 'content-type': [null, 'text/html'], 'content-length': ['0', DIGITS], 'x-content-type-options': [null, 'nosniff'], body: ['', HTML_PAGE('301 Moved Permanently')] },
    reason: 'fastsrv redirects with headers only; nginx adds its built-in HTML page',
  },
  {
    requests: '*',
    status: 416,
    fields: { 'content-type': [null, 'text/html; charset=utf-8'], 'content-length': ['0', DIGITS], 'x-content-type-options': [null, 'nosniff, nosniff'] },
    reason: 'fastsrv answers 416 with Content-Range and no content (RFC 9110 §15.5.17); nginx sends an HTML page (on which `add_header always` doubles nosniff, an nginx quirk)',
  },
  {
    requests: '*',
    status: 412,
    fields: { 'content-length': [DIGITS, DIGITS], vary: [null, 'Accept-Encoding'] },
    reason: 'the 412 error pages differ in HTML (bodies are not compared); nginx gzip_vary also marks the 412 of a file with a .gz sibling',
  },
  {
    requests: '*',
    status: 404,
    fields: { etag: [null, 'present'] },
    reason: 'nginx serves 404.html through error_page as a file, with its ETag; fastsrv sends it as a fixed error response',
  },
  // Content types
  {
    requests: ['GET /app.js', 'HEAD /app.js'],
    fields: { 'content-type': ['text/javascript; charset=utf-8', 'application/javascript; charset=utf-8'] },
    reason: 'fastsrv types .js as text/javascript (mime-db, RFC 9239); nginx 1.22 mime.types says application/javascript',
  },
  {
    requests: ['GET /style.css.gz', 'HEAD /style.css.gz'],
    fields: { 'content-type': ['application/gzip', 'application/octet-stream'] },
    reason: 'mime-db knows .gz (application/gzip); nginx mime.types does not, so default_type applies',
  },
  // Directories and methods
  {
    requests: ['dir without index, slash', 'nested dir without index'],
    fields: { status: [404, 403] },
    reason: 'a directory without index.html is not a resource for fastsrv (404); nginx without autoindex forbids it (403)',
  },
  {
    requests: ['dir without index, no slash'],
    fields: { status: [404, 301] },
    reason: 'fastsrv only redirects directories it can serve (with index.html); nginx redirects any directory, then answers 403',
  },
  {
    requests: ['OPTIONS file'],
    fields: { status: [204, 405] },
    reason: 'fastsrv answers OPTIONS with 204 and Allow (RFC 9110 §9.3.7); nginx static files refuse it with 405',
  },
  {
    requests: ['POST missing'],
    fields: { status: [405, 404] },
    reason: 'fastsrv checks the method before the path; nginx looks the file up first, so a missing file is 404 for any method',
  },
  // Ranges
  {
    requests: ['range reversed', 'range garbage'],
    fields: { status: [200, 416] },
    reason: 'a Range fastsrv cannot parse (last < first, no numbers) is ignored; nginx answers 416 (RFC 9110 §14.2 allows both)',
  },
  {
    requests: ['range trailing comma'],
    fields: { status: [206, 416] },
    reason: 'an empty list element is valid (RFC 9110 §5.6.1), fastsrv serves the range; nginx rejects the header with 416',
  },
  {
    requests: ['range huge last-pos'],
    fields: { status: [206, 416] },
    reason: 'fastsrv clamps a last-pos beyond 2^53 to the file (RFC 9110 §14.1.2: anticipate large numerals); nginx overflows to 416',
  },
  {
    requests: ['range on empty file'],
    fields: { status: [416, 200] },
    reason: 'bytes=0-0 of an empty file is unsatisfiable (RFC 9110 §14.1.2), fastsrv says so; nginx ignores Range on empty files (§14.2 MAY)',
  },
  // Precompressed sibling and Accept-Encoding
  ...(hasGzipStaticWithoutRanges()
    ? [
        {
          requests: ['gzip on css', 'gzip, deflate, br on css', 'HEAD gzip on css', 'gzip;q=0.5, identity on css'],
          fields: { 'accept-ranges': ['bytes', null] },
          reason: 'nginx 1.22 does not offer ranges on gzip_static responses; fastsrv serves ranges of the gzip representation',
        } as const,
        {
          requests: ['gzip range on css'],
          fields: { status: [206, 200] },
          reason: 'fastsrv applies Range to the selected (gzip) representation (RFC 9110 §14.1.2); nginx 1.22 ignores Range on gzip_static responses',
        } as const,
      ]
    : []),
  {
    requests: ['x-gzip on css', 'star on css'],
    fields: { 'content-encoding': ['gzip', null], 'content-length': ['132', '16384'], body: [GZIP_BYTES, CSS_TEXT] },
    reason: 'fastsrv reads x-gzip as gzip (RFC 9110 §8.4.1.3) and `*` as any coding (§12.5.3); nginx gzip_static only looks for "gzip"',
  },
  {
    requests: ['gzip;q=0.5, identity on css'],
    fields: { 'content-encoding': [null, 'gzip'], 'content-length': ['16384', '132'], body: [CSS_TEXT, GZIP_BYTES] },
    reason: 'fastsrv honours q-values (identity q=1 beats gzip q=0.5, RFC 9110 §12.4.2); nginx only distinguishes q=0 from q>0',
  },
  {
    requests: ['identity;q=0 on css'],
    fields: { status: [406, 200] },
    reason: 'with identity refused and gzip unlisted nothing is acceptable: fastsrv answers 406; nginx disregards the field (RFC 9110 §12.1 allows both)',
  },
  // Conditionals
  {
    requests: ['IMS with length suffix'],
    fields: { status: [200, 304] },
    reason: 'not a valid HTTP-date, so fastsrv ignores it (RFC 9110 §13.1.3 MUST); nginx reads the date prefix',
  },
  {
    requests: ['IUS garbage'],
    fields: { status: [200, 412] },
    reason: 'an invalid If-Unmodified-Since is ignored by fastsrv (RFC 9110 §13.1.4 MUST); nginx fails the precondition',
  },
  // Paths
  {
    requests: ['invalid UTF-8 (Latin-1 escape)', 'overlong UTF-8 dots', 'encoded backslash'],
    fields: { status: [400, 404] },
    reason: 'fastsrv refuses escapes that are not UTF-8 and backslashes with 400 (README); nginx looks the raw bytes up and finds nothing',
  },
  {
    requests: ['fragment in target'],
    fields: { status: [404, 200] },
    reason: 'a request-target has no fragment (RFC 9112 §3.2.1); fastsrv takes `#frag` as part of the name, nginx cuts the path at `#`',
  },
];

/**
 * fastsrv bugs: listed so the suite stays green, reported in the test name,
 * and failing as soon as they are fixed (then delete the entry).
 */
const KNOWN_BUGS: readonly AllowedDifference[] = [
  isCurrentEngine
    ? {
        requests: ['absolute-form target'],
        fields: { status: [505, 200] },
        reason: 'BUG: uWS 20.57 answers `GET http://host/path` with 505; RFC 9112 §3.2.2 says a server MUST accept the absolute-form',
      }
    : {
        requests: ['absolute-form target'],
        fields: { status: [0, 200] },
        reason: 'BUG: uWS 20.30 drops `GET http://host/path` without any response (idle timeout); RFC 9112 §3.2.2 says a server MUST accept the absolute-form',
      },
];

/**
 * Debian 12's nginx 1.22.1 sends neither Accept-Ranges nor a 206 for a
 * gzip_static response; Debian 13's 1.26.3 does both, as fastsrv does.
 */
function hasGzipStaticWithoutRanges(): boolean {
  const version = NGINX === null ? null : readNginxVersion(NGINX);
  return version !== null && version[0] === 1 && version[1] < 26;
}
const SKIP_REASON =
  NGINX !== null ? null
  : process.env.FASTSRV_NGINX ? `$FASTSRV_NGINX (${process.env.FASTSRV_NGINX}) is not an executable`
  : 'nginx is not installed (not on PATH, not /usr/sbin/nginx)';
const IS_REQUIRED = process.env.FASTSRV_REQUIRE_NGINX === '1';
const ALL_ENTRIES = [...ALLOWED_DIFFERENCES, ...KNOWN_BUGS];
const BUGGY = new Set(KNOWN_BUGS.flatMap((d) => (d.requests === '*' ? [] : d.requests)));

if (SKIP_REASON !== null && IS_REQUIRED) {
  it('nginx is installed (FASTSRV_REQUIRE_NGINX=1)', () => {
    expect.fail(`${SKIP_REASON}; FASTSRV_REQUIRE_NGINX=1 makes that a failure`);
  });
} else if (SKIP_REASON !== null) {
  console.warn(`nginx-compare skipped: ${SKIP_REASON}`);
}

describe.skipIf(SKIP_REASON !== null)(`fastsrv vs nginx${SKIP_REASON === null ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let tree: Tree;
  let fastsrv: RunningCli;
  let nginx: RunningNginx;
  const ran = new Set<string>();
  /** `field` of `entry` matched a difference of `request`. */
  const used = new Map<AllowedDifference, Set<string>>();
  const useKey = (field: Field, request: string): string => `${field}\0${request}`;

  beforeAll(async () => {
    tree = makeCompareTree();
    [fastsrv, nginx] = await Promise.all([startCli(tree.root, ['--no-compress']), startNginx(NGINX!, tree.root)]);
  });
  afterAll(async () => {
    const log = nginx?.errorLog() ?? '';
    await Promise.all([fastsrv?.stop(), nginx?.stop()]);
    tree?.remove();
    expect(log, 'nginx error log (config warnings and worse)').not.toMatch(/\[(warn|emerg|alert|crit)\]/);
  });

  it('the tables name real corpus requests, once each', () => {
    const names = CORPUS.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    const referenced = ALL_ENTRIES.flatMap((d) => (d.requests === '*' ? [] : d.requests));
    expect(referenced.filter((n) => !names.includes(n))).toEqual([]);
    expect(CORPUS.length).toBeGreaterThanOrEqual(60);
  });

  it.each(CORPUS.map((r) => [BUGGY.has(r.name) ? `${r.name} (known fastsrv bug)` : r.name, r] as const))(
    '%s',
    async (_title, request) => {
      const [a, b] = await Promise.all([sendRequest(fastsrv.port, request), sendRequest(nginx.port, request)]);
      ran.add(request.name);
      const comparison = compareResponses(request.name, a, b, ALL_ENTRIES);
      for (const { allowed, field } of comparison.used) {
        used.set(allowed, (used.get(allowed) ?? new Set()).add(useKey(field, request.name)).add(useKey(field, '*')));
      }
      if (comparison.unexpected.length > 0) expect.fail(formatFailure(`${request.method} ${request.path}`, a, b, comparison.unexpected));
    },
  );

  it('every listed difference still occurs, for every request it names', () => {
    const stale: string[] = [];
    for (const entry of ALL_ENTRIES) {
      // '*' entries must occur somewhere; named entries for each request (not filtered out with -t).
      const requests = entry.requests === '*' ? (ran.size > 0 ? ['*'] : []) : entry.requests.filter((n) => ran.has(n));
      for (const field of Object.keys(entry.fields) as Field[]) {
        for (const name of requests) {
          if (!used.get(entry)?.has(useKey(field, name))) stale.push(`${name} / ${field}: ${entry.reason}`);
        }
      }
    }
    if (stale.length > 0) expect.fail(`listed differences no response showed (remove or fix them):\n${stale.join('\n')}`);
  });
});
