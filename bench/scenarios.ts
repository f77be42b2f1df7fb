/** The load patterns; `--scenarios` picks by name, `--full` takes them all. */
import { findFixture, LARGE_FIXTURE } from './fixtures.js';
import { FIXED_ROUTE, FUNCTION_ROUTE } from './targets/route-paths.js';
import type { Scenario } from './types.js';

/** Headers of a response stay under this many bytes on every target measured so far. */
const HEADER_ALLOWANCE = 2048;

function sizeOf(urlPath: string): number {
  return findFixture(urlPath)?.size ?? 0;
}

function buildFileScenario(name: string, urlPath: string): Scenario {
  const size = sizeOf(urlPath);
  return {
    name,
    title: `GET ${urlPath} (${formatSize(size)})`,
    paths: [urlPath],
    expectStatus: 200,
    isConditional: false,
    minBodyBytes: size,
    maxBodyBytes: size + HEADER_ALLOWANCE,
  };
}

function meanSize(paths: readonly string[]): number {
  return paths.reduce((sum, p) => sum + sizeOf(p), 0) / paths.length;
}

/** Big-file scenarios: few connections, each carrying one long response at a time. */
function buildBulkScenario(name: string, urlPath: string, note: string, connections?: number): Scenario {
  const base = buildFileScenario(name, urlPath);
  const extra = connections === undefined ? {} : { connections, timeoutSec: 120 };
  const count = connections === undefined ? '' : `, ${connections} connections`;
  return { ...base, title: `${base.title}${count}: ${note}`, isBulk: true, ...extra };
}

const STREAM_NOTE = 'fastsrv streams it from disk (over --max-file-size 8M: read() + tryEnd per step, 256 KiB chunks, 1 MiB once the client has taken 8 MiB); nginx, Apache and lighttpd use sendfile';

const SITE_PATHS = ['/index.html', '/style.css', '/app.js', '/img/icon.png', '/img/photo.jpg', '/index.html'];

export const SCENARIOS: readonly Scenario[] = [
  buildFileScenario('1k', '/index.html'),
  buildFileScenario('16k', '/style.css'),
  buildFileScenario('256k', '/app.js'),
  buildBulkScenario('4m', '/blob.bin', 'fastsrv serves it from memory in slices (a 4 MiB turn shared by the downloads in flight); nginx, Apache and lighttpd use sendfile'),
  {
    name: '404',
    title: 'GET a missing path (404)',
    paths: ['/missing/nothing-here.html'],
    expectStatus: 404,
    isConditional: false,
    minBodyBytes: 0,
    maxBodyBytes: 64 * 1024,
  },
  {
    name: '304',
    title: 'GET /index.html with If-None-Match (304)',
    paths: ['/index.html'],
    expectStatus: 304,
    isConditional: true,
    minBodyBytes: 0,
    // A 200 would carry the 1 KiB body, so a mean under 1 KiB means 304s.
    maxBodyBytes: sizeOf('/index.html') - 1,
  },
  {
    name: 'site',
    title: `mixed site: ${SITE_PATHS.length} paths rotating (html, css, js, images)`,
    paths: SITE_PATHS,
    expectStatus: 200,
    isConditional: false,
    minBodyBytes: Math.floor(meanSize(SITE_PATHS) * 0.9),
    maxBodyBytes: Math.ceil(meanSize(SITE_PATHS) * 1.1) + HEADER_ALLOWANCE,
  },
  {
    ...buildFileScenario('1k-log', '/index.html'),
    title: `GET /index.html (${formatSize(sizeOf('/index.html'))}) with an access log: fastsrv --access-log FILE, nginx access_log FILE combined buffer=64k flush=100ms (compare with 1k)`,
    variant: 'access-log',
  },
  {
    ...buildFileScenario('1k-admin', '/index.html'),
    title: `GET /index.html (${formatSize(sizeOf('/index.html'))}) with fastsrv --admin (metrics counted per response, not scraped; compare with 1k)`,
    variant: 'admin',
  },
  {
    name: 'site-rules',
    title: `mixed site as above, from a root with a 30-block _headers and a 30-rule _redirects (fastsrv only: what the rules cost)`,
    paths: SITE_PATHS,
    expectStatus: 200,
    isConditional: false,
    minBodyBytes: Math.floor(meanSize(SITE_PATHS) * 0.9),
    maxBodyBytes: Math.ceil(meanSize(SITE_PATHS) * 1.1) + HEADER_ALLOWANCE,
    variant: 'rules',
  },
  ...buildRouteScenarios(),
  buildBulkScenario('1g', LARGE_FIXTURE.urlPath, STREAM_NOTE, 8),
  { ...buildFileScenario('tls-1k', '/index.html'), title: `GET /index.html (${formatSize(sizeOf('/index.html'))}) over HTTPS, keep-alive`, isTls: true },
  {
    ...buildFileScenario('tls-handshake', '/index.html'),
    title: 'GET /index.html over HTTPS, a new connection per request (Connection: close): req/s = full TLS handshakes/s, CPU/req = CPU per handshake',
    isTls: true,
    isNewConnection: true,
  },
];

export const DEFAULT_SCENARIOS = ['1k'];

/** `--scenarios route` names the three route scenarios at once. */
export const SCENARIO_GROUPS: Readonly<Record<string, readonly string[]>> = { route: ['route-file', 'route-fixed', 'route-function'] };

/** Scenario names with groups (`route`) replaced by their members. */
export function expandScenarioNames(names: readonly string[]): string[] {
  return names.flatMap((name) => SCENARIO_GROUPS[name] ?? [name]);
}

/**
 * The library API's three ways to answer with the same 1 KiB (fastsrv only,
 * one launch through serve()): the cached file, a fixed route, a function
 * route returning the Buffer.
 */
function buildRouteScenarios(): Scenario[] {
  const file = buildFileScenario('route-file', '/index.html');
  const as = (name: string, path: string, how: string): Scenario => ({ ...file, name, paths: [path], title: `GET ${path} (${formatSize(file.minBodyBytes)}): ${how}`, variant: 'routes' });
  return [
    as('route-file', '/index.html', 'the cached file, from serve({ root, routes })'),
    as('route-fixed', FIXED_ROUTE, 'a fixed route of the same bytes (precomputed like the file)'),
    as('route-function', FUNCTION_ROUTE, 'a function route returning the same Buffer per request'),
  ];
}

/** Human size: 1 KiB, 4 MiB, 1 GiB, 300 B. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 ** 3 && bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3} GiB`;
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

/** True when one of `scenarios` requests the 1 GiB file, which is then written to the fixture root. */
export function needsLargeFixture(scenarios: readonly Scenario[]): boolean {
  return scenarios.some((s) => s.paths.includes(LARGE_FIXTURE.urlPath));
}

/** Scenarios by name, in the order given; throws on an unknown name. */
export function selectScenarios(names: readonly string[]): Scenario[] {
  return expandScenarioNames(names).map((name) => {
    const found = SCENARIOS.find((s) => s.name === name);
    if (!found) throw new Error(`unknown scenario "${name}" (known: ${SCENARIOS.map((s) => s.name).join(', ')})`);
    return found;
  });
}
