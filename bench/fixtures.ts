/**
 * Deterministic fixture tree: the same bytes and mtimes on every run and machine, so
 * size/mtime-based ETags and body checks are comparable across runs.
 */
import { chmodSync, closeSync, mkdirSync, openSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Fixture } from './types.js';

const SEED = 0x5eed_f00d;
/** Fixed mtime (2024-01-01T00:00:00Z) so Last-Modified and ETags never change. */
const MTIME = new Date('2024-01-01T00:00:00Z');
const WORDS = ['static', 'file', 'server', 'cache', 'header', 'socket', 'kernel', 'worker', 'request', 'bytes', 'latency', 'range'];

export const FIXTURES: readonly Fixture[] = [
  { urlPath: '/index.html', size: 1024, contentType: 'text/html' },
  { urlPath: '/style.css', size: 16 * 1024, contentType: 'text/css' },
  { urlPath: '/app.js', size: 256 * 1024, contentType: 'text/javascript' },
  { urlPath: '/blob.bin', size: 4 * 1024 * 1024, contentType: 'application/octet-stream' },
  { urlPath: '/img/icon.png', size: 3 * 1024, contentType: 'image/png' },
  { urlPath: '/img/photo.jpg', size: 40 * 1024, contentType: 'image/jpeg' },
];

/**
 * The file of the `1g` scenario. Not in FIXTURES: it is written only when that scenario
 * runs, and the gate (which fetches every fixture) never downloads it.
 */
export const LARGE_FIXTURE: Fixture = { urlPath: '/large.bin', size: 1024 ** 3, contentType: 'application/octet-stream' };
/** The large file repeats one seeded block of this size: deterministic, quick to write. */
export const LARGE_BLOCK_SIZE = 1024 * 1024;

/** A tiny seeded PRNG (mulberry32): uniform 32-bit integers. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** ASCII text of exactly `size` bytes: prefix, seeded words, suffix. */
export function fillText(prefix: string, suffix: string, size: number, next: () => number): Buffer {
  const parts: string[] = [prefix];
  let length = prefix.length + suffix.length;
  while (length < size) {
    const word = WORDS[next() % WORDS.length]! + (next() % 9 === 0 ? '\n' : ' ');
    parts.push(word);
    length += word.length;
  }
  const body = parts.join('').slice(0, size - suffix.length);
  return Buffer.from(body + suffix, 'latin1');
}

function randomBytes(size: number, next: () => number): Buffer {
  const buf = Buffer.allocUnsafe(size);
  for (let i = 0; i + 4 <= size; i += 4) buf.writeUInt32LE(next(), i);
  for (let i = size - (size % 4); i < size; i++) buf[i] = next() & 0xff;
  return buf;
}

/** The bytes of one fixture; a pure function of its path and size. */
export function buildFixtureBytes(fixture: Fixture): Buffer {
  let seed = SEED;
  for (let i = 0; i < fixture.urlPath.length; i++) seed = Math.imul(seed ^ fixture.urlPath.charCodeAt(i), 16777619);
  const next = createRandom(seed);
  if (fixture.contentType === 'text/html') {
    return fillText('<!doctype html>\n<html><head><meta charset="utf-8"><title>fastsrv bench</title>\n<link rel="stylesheet" href="/style.css"></head><body><p>', '</p><script src="/app.js"></script></body></html>\n', fixture.size, next);
  }
  if (fixture.contentType === 'text/css') return fillText('body { margin: 0 }\n/* ', ' */\n', fixture.size, next);
  if (fixture.contentType === 'text/javascript') return fillText('"use strict";\n/* ', ' */\n', fixture.size, next);
  return randomBytes(fixture.size, next);
}

/** Write every fixture under `root` (world-readable: nginx and h2o workers drop to nobody when started as root). */
export function createFixtures(root: string): void {
  mkdirSync(root, { recursive: true });
  chmodSync(root, 0o755);
  for (const fixture of FIXTURES) {
    const path = join(root, fixture.urlPath);
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    writeFileSync(path, buildFixtureBytes(fixture), { mode: 0o644 });
    utimesSync(path, MTIME, MTIME);
  }
}

/**
 * Write `fixture` as one seeded 1 MiB block repeated up to its size. Every block is really
 * written (no holes: a sparse file would be served from the zero page, not the page cache).
 */
export function createLargeFixture(root: string, fixture: Fixture = LARGE_FIXTURE): void {
  const block = buildFixtureBytes({ ...fixture, size: Math.min(LARGE_BLOCK_SIZE, fixture.size) });
  const path = join(root, fixture.urlPath);
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  const fd = openSync(path, 'w', 0o644);
  try {
    for (let written = 0; written < fixture.size; ) written += writeSync(fd, block, 0, Math.min(block.length, fixture.size - written));
  } finally {
    closeSync(fd);
  }
  utimesSync(path, MTIME, MTIME);
}

/**
 * `_headers` with `count` blocks, as a real site writes them: a site-wide
 * security block, cache policy for assets and images, and per-section
 * blocks (placeholders, splats) that mostly match none of the fixtures.
 */
export function buildHeadersRules(count = 30): string {
  const blocks = [
    '/*\n  X-Frame-Options: DENY\n  Referrer-Policy: strict-origin-when-cross-origin\n  Permissions-Policy: camera=(), microphone=()',
    '/img/*\n  Cache-Control: public, max-age=86400\n  ! X-Frame-Options',
    '/*.css\n  Cache-Control: public, max-age=31536000, immutable',
    '/*.js\n  Cache-Control: public, max-age=31536000, immutable',
    '/index.html\n  Link: </style.css>; rel=preload; as=style',
  ];
  for (let i = 0; blocks.length < count; i++) {
    blocks.push(i % 3 === 0 ? `/section-${i}/:page\n  X-Section: ${i}` : i % 3 === 1 ? `/docs-${i}/*\n  X-Robots-Tag: noindex\n  ! Permissions-Policy` : `/blog-${i}/*.html\n  Cache-Control: no-store`);
  }
  return `# generated by bench/fixtures.ts: ${count} blocks\n${blocks.join('\n\n')}\n`;
}

/**
 * `_redirects` with `count` rules: literal moves, splats, placeholders, a
 * rewrite, a 404 subtree and forced rules, none of them over a fixture's
 * path (the `site` paths stay plain files) nor a catch-all (404s stay 404).
 */
export function buildRedirectRules(count = 30): string {
  const rules = ['/app/* /index.html 200', '/docs/* /index.html 404', '/legacy/* /img/:splat 301!'];
  for (let i = 0; rules.length < count; i++) {
    rules.push(
      i % 4 === 0 ? `/old-${i} /new-${i} 301`
      : i % 4 === 1 ? `/archive-${i}/* /posts-${i}/:splat 302`
      : i % 4 === 2 ? `/blog-${i}/:year/:slug /posts/:year-:slug 308`
      : `/moved-${i}.html /new-${i}.html 301!`,
    );
  }
  return `# generated by bench/fixtures.ts: ${count} rules\n${rules.join('\n')}\n`;
}

/** The fixtures plus generated `_headers` and `_redirects` (the `site-rules` scenario's root). */
export function createRuleFixtures(root: string, count = 30): void {
  createFixtures(root);
  for (const [name, text] of [['_headers', buildHeadersRules(count)], ['_redirects', buildRedirectRules(count)]]) {
    const path = join(root, name);
    writeFileSync(path, text, { mode: 0o644 });
    utimesSync(path, MTIME, MTIME);
  }
}

/** The fixture served at a URL path, if any (the large one included). */
export function findFixture(urlPath: string): Fixture | undefined {
  return urlPath === LARGE_FIXTURE.urlPath ? LARGE_FIXTURE : FIXTURES.find((f) => f.urlPath === urlPath);
}
