/**
 * The small site the browser test serves: an HTML page with a stylesheet big
 * enough to be precompressed, two JS modules, a PNG made here, and the
 * committed clip.webm (see README.md beside this file for how it was made).
 */
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

/** What the page must show once its CSS, JS and image have loaded. */
export const PAGE_TITLE = 'fastsrv browser test';
export const MODULE_TEXT = 'module ran: hello from lib.js';
export const BODY_BACKGROUND = 'rgb(10, 20, 30)';
export const OUT_COLOR = 'rgb(200, 150, 100)';
export const IMAGE_WIDTH = 7;
export const IMAGE_HEIGHT = 5;
export const IMAGE_RGB = [40, 160, 220] as const;

/** clip.webm: VP8, 160x120, 15 fps, 4 s; each second one flat colour. */
export const CLIP = readFileSync(new URL('./clip.webm', import.meta.url));
export const CLIP_DURATION = 4;
export const CLIP_WIDTH = 160;
export const CLIP_HEIGHT = 120;
/** RGB of the frames in [n, n+1) seconds, as ffmpeg decodes them (±3). */
export const CLIP_COLOURS: ReadonlyArray<readonly [number, number, number]> = [
  [230, 20, 20],
  [20, 230, 20],
  [20, 20, 230],
  [230, 230, 230],
];

/** A stylesheet over 1 KiB (fastsrv only compresses what is worth it). */
export function makeStylesheet(): string {
  const filler = Array.from({ length: 60 }, (_, i) => `.filler-${i} { margin: ${i}px; padding: ${i % 7}px; }`);
  return [
    `body { background-color: ${BODY_BACKGROUND}; font-family: sans-serif; }`,
    `#out { color: ${OUT_COLOR}; }`,
    ...filler,
    '',
  ].join('\n');
}

/** URL path (no leading slash) → contents of the page-load site. */
export function makeSiteFiles(): Record<string, string | Buffer> {
  return {
    'index.html': [
      '<!doctype html>',
      '<html lang="en"><head><meta charset="utf-8">',
      `<title>${PAGE_TITLE}</title>`,
      '<link rel="stylesheet" href="/style.css">',
      '<script type="module" src="/app.js"></script>',
      '</head><body>',
      '<p id="out">module did not run</p>',
      `<img id="img" src="/pixel.png" alt="">`,
      '</body></html>',
      '',
    ].join('\n'),
    'style.css': makeStylesheet(),
    'app.js': "import { greet } from './lib.js';\ndocument.getElementById('out').textContent = 'module ran: ' + greet();\n",
    'lib.js': "export function greet() {\n  return 'hello from lib.js';\n}\n",
    'pixel.png': encodePng(IMAGE_WIDTH, IMAGE_HEIGHT, IMAGE_RGB),
    'video.html': [
      '<!doctype html>',
      '<html lang="en"><head><meta charset="utf-8"><title>video</title></head><body>',
      '<video id="video" src="/clip.webm" preload="auto" muted></video>',
      '</body></html>',
      '',
    ].join('\n'),
    'clip.webm': CLIP,
  };
}

/** A truecolour PNG of one flat colour (RFC 2083: signature, IHDR, IDAT, IEND). */
export function encodePng(width: number, height: number, rgb: readonly [number, number, number]): Buffer {
  const row = Buffer.alloc(1 + width * 3); // filter byte 0 (None), then RGB triples
  for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type 2 (RGB), deflate, no filter set, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    makeChunk('IHDR', header),
    makeChunk('IDAT', deflateSync(Buffer.concat(Array.from({ length: height }, () => row)))),
    makeChunk('IEND', Buffer.alloc(0)),
  ]);
}

function makeChunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(computeCrc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** CRC-32 (IEEE), bit by bit: the PNG is tiny, and zlib.crc32 needs Node ≥ 20.15. */
function computeCrc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
