/**
 * Issue 4, "Done means": a real browser loads a site from fastsrv, a
 * `<video>` plays and seeks, and curl's `--compressed` and `-r 0-99` work.
 *
 * The real CLI (2 workers) serves test/browser/site.ts's files; Debian's
 * Chromium, driven by playwright-core, loads them, and test/browser/traffic.ts
 * records what went over the wire (raw request headers, raw status).
 * Without /usr/bin/chromium the browser tests are skipped with a message,
 * unless FASTSRV_REQUIRE_BROWSER=1 (CI), where they fail.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, hasChromium, launchChromium } from '../browser/chromium.js';
import {
  BODY_BACKGROUND, CLIP, CLIP_COLOURS, CLIP_DURATION, CLIP_HEIGHT, CLIP_WIDTH, IMAGE_HEIGHT, IMAGE_RGB,
  IMAGE_WIDTH, makeSiteFiles, MODULE_TEXT, OUT_COLOR, PAGE_TITLE,
} from '../browser/site.js';
import { recordTraffic, waitUntil, type Exchange, type TrafficLog } from '../browser/traffic.js';
import { createCertificateAuthority } from '../helpers/certs.js';
import { makeTree, type Tree } from '../helpers/fixtures.js';
import { get, startCli, type RunningCli } from '../helpers/server.js';

const execFileAsync = promisify(execFile);

const isBrowserRequired = process.env.FASTSRV_REQUIRE_BROWSER === '1';
const browserSkipReason = hasChromium() || isBrowserRequired
  ? ''
  : `${CHROMIUM_PATH} not found (apt-get install chromium; FASTSRV_REQUIRE_BROWSER=1 makes this a failure)`;
const curlSkipReason = await findCurlSkipReason();
if (browserSkipReason) console.warn(`browser tests skipped: ${browserSkipReason}`);
if (curlSkipReason) console.warn(`curl tests skipped: ${curlSkipReason}`);

const site = makeSiteFiles();
let tree: Tree | undefined;
let server: RunningCli | undefined;
let origin = '';

beforeAll(async () => {
  tree = makeTree(site);
  server = await startCli(tree.root);
  origin = `http://127.0.0.1:${server.port}`;
  await waitForPrecompression(server.port, '/style.css');
});
afterAll(async () => {
  const code = await server?.stop();
  tree?.remove();
  expect(code).toBe(0);
});

describe.skipIf(browserSkipReason !== '')(`Chromium${browserSkipReason ? ` (skipped: ${browserSkipReason})` : ''}`, () => {
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (!hasChromium()) throw new Error(`FASTSRV_REQUIRE_BROWSER=1 but ${CHROMIUM_PATH} is missing: apt-get install chromium`);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** A fresh context (empty HTTP cache) per test, closed after it. */
  async function withPage(run: (page: Page, traffic: TrafficLog) => Promise<void>): Promise<void> {
    const context: BrowserContext = await browser!.newContext();
    try {
      const page = await context.newPage();
      await run(page, await recordTraffic(context, page));
    } finally {
      await context.close();
    }
  }

  it('loads a page: HTML, a brotli stylesheet, two JS modules and a PNG, nothing failing', async () => {
    await withPage(async (page, traffic) => {
      const navigation = await page.goto(`${origin}/`, { waitUntil: 'load' });
      expect(navigation?.status()).toBe(200);
      await expectPageRendered(page);
      await traffic.settle();
      expect(listProblems(traffic.exchanges)).toEqual([]);
      const paths = traffic.exchanges.map((e) => e.path).filter((path) => path !== '/favicon.ico');
      expect(paths.sort()).toEqual(['/', '/app.js', '/lib.js', '/pixel.png', '/style.css']);

      // Chromium 156 sends "gzip, deflate, br, zstd" even over plain http://127.0.0.1.
      const css = findOne(traffic.exchanges, '/style.css');
      const offered = parseCodings(css.requestHeaders['accept-encoding'] ?? '');
      expect(offered.includes('br') || offered.includes('gzip'), `Accept-Encoding: ${offered}`).toBe(true);
      const expected = offered.includes('br') ? 'br' : 'gzip';
      expect(css.wireStatus).toBe(200);
      expect(css.responseHeaders['content-encoding']).toBe(expected);
      expect(css.responseHeaders['vary']?.toLowerCase()).toBe('accept-encoding');
      const cssBytes = Buffer.from(site['style.css']);
      expect(Number(css.responseHeaders['content-length'])).toBeLessThan(cssBytes.length);
      expect((await traffic.getBody(css)).equals(cssBytes), 'decoded stylesheet equals the file').toBe(true);
    });
  });

  it('reload: every resource is revalidated with If-None-Match and answered 304, the page stays intact', async () => {
    await withPage(async (page, traffic) => {
      await page.goto(`${origin}/`, { waitUntil: 'load' });
      await traffic.settle();
      const first = new Map(traffic.exchanges.map((e) => [e.path, e.responseHeaders]));
      traffic.clear();

      await page.reload({ waitUntil: 'load' });
      await expectPageRendered(page);
      await traffic.settle();
      expect(listProblems(traffic.exchanges)).toEqual([]);

      // HTML is Cache-Control: no-cache and assets max-age=0, so nothing is
      // fresh: Chromium's memory cache is not used, each URL is revalidated.
      for (const path of ['/', '/style.css', '/app.js', '/lib.js', '/pixel.png']) {
        const exchange = findOne(traffic.exchanges, path);
        const ok = first.get(path)!;
        expect(ok['etag'], path).toMatch(/^"[^"]+"$/);
        expect(ok['last-modified'], path).toMatch(/^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/);
        expect(exchange.requestHeaders['if-none-match'], path).toBe(ok['etag']);
        expect(exchange.wireStatus, path).toBe(304);
        expect(exchange.responseHeaders['etag'], path).toBe(ok['etag']);
        expect(exchange.responseHeaders['last-modified'], path).toBe(ok['last-modified']);
        expect(exchange.responseHeaders['cache-control'], path).toBe(ok['cache-control']);
        // A 304 may carry Content-Length only as the 200's value (RFC 9110 §8.6).
        expect(exchange.responseHeaders['content-length'] ?? ok['content-length'], path).toBe(ok['content-length']);
      }
      const html = findOne(traffic.exchanges, '/');
      expect(html.responseHeaders['cache-control']).toBe('no-cache');
      // The stylesheet's validator is the brotli variant's ETag; the 304 must
      // repeat Vary like the 200 did (RFC 9110 §15.4.5).
      const css = findOne(traffic.exchanges, '/style.css');
      expect(css.responseHeaders['vary']?.toLowerCase()).toBe('accept-encoding');
    });
  });

  it('over HTTPS (issue 11): the same page loads through TLS with fastsrv\'s certificate, over HTTP/1.1', async () => {
    const ca = createCertificateAuthority();
    const issued = ca.issue('browser', { cn: 'localhost', san: 'DNS:localhost,IP:127.0.0.1', serial: 'C0FFEE' });
    const secure = await startCli(tree!.root, ['--cert', issued.cert, '--key', issued.key]);
    // The test CA is not in Chromium's trust store: certificate errors are
    // ignored, and the test checks which certificate was served instead.
    const context = await browser!.newContext({ ignoreHTTPSErrors: true });
    try {
      const page = await context.newPage();
      const traffic = await recordTraffic(context, page);
      const navigation = await page.goto(`https://127.0.0.1:${secure.port}/`, { waitUntil: 'load' });
      expect(navigation?.status()).toBe(200);
      const security = await navigation?.securityDetails();
      expect(security).toMatchObject({ subjectName: 'localhost', issuer: 'fastsrv test CA' });
      expect(security?.protocol).toMatch(/^TLS 1\.[23]$/);
      await expectPageRendered(page);
      await traffic.settle();
      expect(listProblems(traffic.exchanges)).toEqual([]);
      const fetched = traffic.exchanges.filter((e) => e.path !== '/favicon.ico');
      expect(fetched.map((e) => e.path).sort()).toEqual(['/', '/app.js', '/lib.js', '/pixel.png', '/style.css']);
      expect(new Set(fetched.map((e) => e.protocol))).toEqual(new Set(['http/1.1']));
      const css = findOne(traffic.exchanges, '/style.css');
      expect((await traffic.getBody(css)).equals(Buffer.from(site['style.css'])), 'decoded stylesheet equals the file').toBe(true);
    } finally {
      await context.close();
      expect(await secure.stop()).toBe(0);
      ca.remove();
    }
  });

  it('<video>: metadata, duration, seeks forward and back decode the right frames, served as 206 ranges', async () => {
    await withPage(async (page, traffic) => {
      await page.goto(`${origin}/video.html`, { waitUntil: 'load' });
      const video = await page.evaluate(probeVideo, { targets: [3.5, 1.5], timeoutMs: 10_000 });
      expect(video.canPlayVp8).toBe('probably');
      expect(video.error).toBeNull();
      expect(video.duration).toBeGreaterThan(CLIP_DURATION - 0.1);
      expect(video.duration).toBeLessThan(CLIP_DURATION + 0.1);
      expect([video.width, video.height]).toEqual([CLIP_WIDTH, CLIP_HEIGHT]);
      expect(video.first.readyState).toBeGreaterThanOrEqual(2);
      expectColour(video.first.colour, CLIP_COLOURS[0], 'frame at 0 s');
      expect(video.seeks.map((seek) => seek.target)).toEqual([3.5, 1.5]);
      for (const seek of video.seeks) {
        expect(seek.readyState, `readyState after seeking to ${seek.target}`).toBeGreaterThanOrEqual(2);
        expect(seek.time).toBeCloseTo(seek.target, 1);
        expectColour(seek.colour, CLIP_COLOURS[Math.floor(seek.target)], `frame at ${seek.target} s`);
      }

      await traffic.settle();
      expect(listProblems(traffic.exchanges)).toEqual([]);
      const media = traffic.exchanges.filter((e) => e.path === '/clip.webm');
      expect(media.length).toBeGreaterThanOrEqual(1);
      for (const exchange of media) expectRangeAnswered(exchange, CLIP.length);
    });
  });
});

describe.skipIf(curlSkipReason !== '')(`curl${curlSkipReason ? ` (skipped: ${curlSkipReason})` : ''}`, () => {
  it('curl --compressed: Content-Encoding from what curl offered, decoded bytes equal the file', async () => {
    const { stdout, stderr } = await execFileAsync('curl', ['--compressed', '-sv', '-D', '-', `${origin}/style.css`], {
      encoding: 'buffer',
    });
    const offered = parseCodings(/^> Accept-Encoding: (.*)$/im.exec(stderr.toString('latin1'))?.[1] ?? '');
    expect(offered.includes('br') || offered.includes('gzip'), `curl offered ${offered}`).toBe(true);
    const reply = parseCurlOutput(stdout);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-encoding']).toBe(offered.includes('br') ? 'br' : 'gzip');
    expect(reply.body.equals(Buffer.from(site['style.css']))).toBe(true);
  });

  it('curl -r 0-99: 206 with exactly the first 100 bytes', async () => {
    const { stdout } = await execFileAsync('curl', ['-s', '-D', '-', '-r', '0-99', `${origin}/clip.webm`], {
      encoding: 'buffer',
    });
    const reply = parseCurlOutput(stdout);
    expect(reply.status).toBe(206);
    expect(reply.headers['content-range']).toBe(`bytes 0-99/${CLIP.length}`);
    expect(reply.body.length).toBe(100);
    expect(reply.body.equals(CLIP.subarray(0, 100))).toBe(true);
  });
});

/** Title, module text, stylesheet and image as the page shows them. */
async function expectPageRendered(page: Page): Promise<void> {
  const state = await page.evaluate(async () => {
    const out = document.getElementById('out')!;
    const img = document.getElementById('img') as HTMLImageElement;
    const decodeError = await img.decode().then(() => '', (e: Error) => String(e));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(img.naturalWidth, 1);
    canvas.height = Math.max(img.naturalHeight, 1);
    const context = canvas.getContext('2d')!;
    context.drawImage(img, 0, 0);
    const pixel = context.getImageData(1, 1, 1, 1).data;
    return {
      title: document.title,
      text: out.textContent,
      background: getComputedStyle(document.body).backgroundColor,
      color: getComputedStyle(out).color,
      decodeError,
      size: [img.naturalWidth, img.naturalHeight],
      pixel: [pixel[0], pixel[1], pixel[2]],
    };
  });
  expect(state.title).toBe(PAGE_TITLE);
  expect(state.text).toBe(MODULE_TEXT);
  expect(state.background).toBe(BODY_BACKGROUND);
  expect(state.color).toBe(OUT_COLOR);
  expect(state.decodeError).toBe('');
  expect(state.size).toEqual([IMAGE_WIDTH, IMAGE_HEIGHT]);
  expect(state.pixel).toEqual([...IMAGE_RGB]);
}

/**
 * Runs in the page: wait for the first frame, then seek to each target and
 * sample the centre pixel of the decoded frame after `seeked`.
 */
async function probeVideo({ targets, timeoutMs }: { targets: number[]; timeoutMs: number }) {
  const video = document.getElementById('video') as HTMLVideoElement;
  const describe = (): string => `readyState ${video.readyState}, error ${video.error?.code ?? '-'} ${video.error?.message ?? ''}`;
  const waitForEvent = (name: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${name} after ${timeoutMs} ms (${describe()})`)), timeoutMs);
      video.addEventListener(name, () => (clearTimeout(timer), resolve()), { once: true });
      video.addEventListener('error', () => (clearTimeout(timer), reject(new Error(`media error: ${describe()}`))), { once: true });
    });
  const canvas = document.createElement('canvas');
  const sampleCentre = (): number[] => {
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const context = canvas.getContext('2d')!;
    context.drawImage(video, 0, 0);
    const pixel = context.getImageData(video.videoWidth >> 1, video.videoHeight >> 1, 1, 1).data;
    return [pixel[0], pixel[1], pixel[2]];
  };
  if (video.readyState < 2) await waitForEvent('loadeddata');
  const first = { readyState: video.readyState, colour: sampleCentre() };
  const seeks = [];
  for (const target of targets) {
    const seeked = waitForEvent('seeked');
    video.currentTime = target;
    await seeked;
    seeks.push({ target, time: video.currentTime, readyState: video.readyState, colour: sampleCentre() });
  }
  return {
    canPlayVp8: video.canPlayType('video/webm; codecs="vp8"'),
    duration: video.duration,
    width: video.videoWidth,
    height: video.videoHeight,
    error: video.error === null ? null : describe(),
    first,
    seeks,
  };
}

/** Chromium's media loader asks for ranges; each must get the 206 it asked for. */
function expectRangeAnswered(exchange: Exchange, size: number): void {
  const range = /^bytes=(\d+)-(\d*)$/.exec(exchange.requestHeaders['range'] ?? '');
  expect(range, `Range header of ${exchange.url}: ${exchange.requestHeaders['range']}`).not.toBeNull();
  const start = Number(range![1]);
  const end = range![2] === '' ? size - 1 : Math.min(Number(range![2]), size - 1);
  expect(exchange.wireStatus).toBe(206);
  expect(exchange.responseHeaders['content-range']).toBe(`bytes ${start}-${end}/${size}`);
  expect(exchange.responseHeaders['content-length']).toBe(String(end - start + 1));
  expect(exchange.responseHeaders['content-type']).toBe('video/webm');
}

/** Failed requests and error statuses, but for the favicon Chromium asks for on its own. */
function listProblems(exchanges: Exchange[]): string[] {
  return exchanges
    .filter((e) => e.failure !== '' || (Math.max(e.wireStatus, e.pageStatus) >= 400 && e.path !== '/favicon.ico'))
    .map((e) => `${e.method} ${e.url}: ${e.failure || Math.max(e.wireStatus, e.pageStatus)}`);
}

function findOne(exchanges: Exchange[], path: string): Exchange {
  const found = exchanges.filter((e) => e.path === path);
  expect(found.map((e) => e.url), `requests for ${path}`).toHaveLength(1);
  return found[0];
}

/** "gzip, deflate, br;q=0.5" → ["gzip", "deflate", "br"] (q=0 is not an offer). */
function parseCodings(header: string): string[] {
  return header
    .split(',')
    .filter((item) => !/;\s*q=0(\.0*)?\s*$/i.test(item))
    .map((item) => item.split(';')[0].trim().toLowerCase())
    .filter((coding) => coding !== '');
}

function expectColour(actual: number[], expected: readonly number[], what: string): void {
  const distance = Math.max(...expected.map((value, i) => Math.abs(value - actual[i])));
  expect(distance, `${what}: rgb(${actual}) vs rgb(${expected})`).toBeLessThanOrEqual(16);
}

/** Split `curl -D -` output (one response, no 1xx) into status, headers and body. */
function parseCurlOutput(output: Buffer): { status: number; headers: Record<string, string>; body: Buffer } {
  const end = output.indexOf('\r\n\r\n');
  expect(end).toBeGreaterThan(0);
  const lines = output.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(/^HTTP\/[\d.]+ (\d{3})/.exec(lines[0])?.[1] ?? 0), headers, body: output.subarray(end + 4) };
}

/**
 * fastsrv compresses in the background after listening, per worker. Wait
 * until a dozen fresh connections in a row (spread over both workers by the
 * kernel) get the brotli variant.
 */
async function waitForPrecompression(port: number, path: string): Promise<void> {
  let streak = 0;
  await waitUntil(
    async () => {
      const reply = await get(port, path, { 'accept-encoding': 'br' });
      streak = reply.headers['content-encoding'] === 'br' ? streak + 1 : 0;
      return streak >= 12;
    },
    10_000,
    () => `${path} not served with Content-Encoding: br by every worker`,
  );
}

async function findCurlSkipReason(): Promise<string> {
  try {
    await execFileAsync('curl', ['--version']);
    return '';
  } catch {
    return 'curl not found (apt-get install curl)';
  }
}
