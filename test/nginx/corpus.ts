/**
 * Requests sent to both servers. `path` is the raw request-target.
 *
 * Validators differ between the servers (nginx: `"mtime-size"` in hex,
 * fastsrv: a content hash), so header values may name placeholders that are
 * filled in per server from a GET of `validatorsOf` (default: `path`):
 * `{etag}`, `{weak-etag}` (`W/` + ETag), `{last-modified}`, `{older}` and
 * `{newer}` (Last-Modified ∓ one day), `{rfc850}` and `{asctime}` (the
 * obsolete date forms of Last-Modified).
 */

export interface CorpusRequest {
  /** Unique; allowed differences refer to it. */
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Path whose ETag/Last-Modified fill the placeholders. */
  readonly validatorsOf?: string;
}

const request = (
  name: string,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
  validatorsOf?: string,
): CorpusRequest => ({ name, method, path, headers, validatorsOf });

/** Served files by request-target (encoded where the name needs it). */
export const FILE_PATHS = [
  '/index.html',
  '/page.html',
  '/style.css',
  '/style.css.gz',
  '/app.js',
  '/data.json',
  '/data.bin',
  '/my%20file.txt',
  '/caf%C3%A9.html',
  '/a%2520b.txt',
  '/empty.txt',
  '/404.html',
  '/sub/page.html',
  '/sub/deeper/file.txt',
];

const BIN = '/data.bin'; // 102400 bytes
const CSS = '/style.css';
const range = (value: string): Record<string, string> => ({ Range: value });
const twentyRanges = Array.from({ length: 20 }, (_, i) => `${i * 10}-${i * 10 + 4}`).join(',');

export const CORPUS: readonly CorpusRequest[] = [
  ...FILE_PATHS.map((path) => request(`GET ${path}`, path)),
  ...FILE_PATHS.map((path) => request(`HEAD ${path}`, path, {}, 'HEAD')),

  // Directories
  request('root /', '/'),
  request('HEAD /', '/', {}, 'HEAD'),
  request('dir with slash', '/sub/'),
  request('dir without slash', '/sub'),
  request('dir without slash, query kept', '/sub?x=1&y=2'),
  request('HEAD dir without slash', '/sub', {}, 'HEAD'),
  request('dir with a space, no slash', '/with%20space'),
  request('dir with a space, slash', '/with%20space/'),
  request('dir without index, slash', '/noindex/'),
  request('dir without index, no slash', '/noindex'),
  request('nested dir without index', '/sub/deeper/'),

  // Missing files
  request('missing file', '/missing.html'),
  request('missing nested', '/sub/missing/x.css'),
  request('HEAD missing', '/missing.html', {}, 'HEAD'),
  request('file with trailing slash', '/index.html/'),

  // Query strings
  request('query on file', '/index.html?v=1'),
  request('query on root', '/?a=b'),
  request('empty query', '/page.html?'),
  request('empty query on dir redirect', '/sub?'),

  // If-None-Match / If-Modified-Since
  request('INM current', CSS, { 'If-None-Match': '{etag}' }),
  request('INM star', CSS, { 'If-None-Match': '*' }),
  request('INM weak form', CSS, { 'If-None-Match': '{weak-etag}' }),
  request('INM list', CSS, { 'If-None-Match': '"nope", {etag}, "other"' }),
  request('INM other', CSS, { 'If-None-Match': '"nope"' }),
  request('HEAD INM current', CSS, { 'If-None-Match': '{etag}' }, 'HEAD'),
  request('INM on dir index', '/sub/', { 'If-None-Match': '{etag}' }, 'GET', '/sub/index.html'),
  request('IMS equal', CSS, { 'If-Modified-Since': '{last-modified}' }),
  request('IMS older', CSS, { 'If-Modified-Since': '{older}' }),
  request('IMS newer', CSS, { 'If-Modified-Since': '{newer}' }),
  request('IMS garbage', CSS, { 'If-Modified-Since': 'not a date' }),
  request('IMS RFC 850 date', CSS, { 'If-Modified-Since': '{rfc850}' }),
  request('IMS asctime date', CSS, { 'If-Modified-Since': '{asctime}' }),
  request('IMS with length suffix', CSS, { 'If-Modified-Since': '{last-modified}; length=16384' }),
  request('INM other + IMS equal', CSS, { 'If-None-Match': '"nope"', 'If-Modified-Since': '{last-modified}' }),

  // If-Match / If-Unmodified-Since
  request('If-Match current', CSS, { 'If-Match': '{etag}' }),
  request('If-Match star', CSS, { 'If-Match': '*' }),
  request('If-Match other', CSS, { 'If-Match': '"nope"' }),
  request('If-Match weak', CSS, { 'If-Match': '{weak-etag}' }),
  request('IUS older', CSS, { 'If-Unmodified-Since': '{older}' }),
  request('IUS equal', CSS, { 'If-Unmodified-Since': '{last-modified}' }),
  request('IUS garbage', CSS, { 'If-Unmodified-Since': 'not a date' }),

  // Ranges on the 100 KiB binary
  request('range 0-99', BIN, range('bytes=0-99')),
  request('range 100-', BIN, range('bytes=100-')),
  request('range suffix 50', BIN, range('bytes=-50')),
  request('range 0-0', BIN, range('bytes=0-0')),
  request('range suffix 1', BIN, range('bytes=-1')),
  request('range end past size', BIN, range('bytes=102300-999999')),
  request('range beyond size', BIN, range('bytes=200000-')),
  request('range reversed', BIN, range('bytes=5-2')),
  request('range garbage', BIN, range('bytes=abc')),
  request('range trailing comma', BIN, range('bytes=0-1,')),
  request('range huge last-pos', BIN, range('bytes=0-99999999999999999999999')),
  request('range suffix 0', BIN, range('bytes=-0')),
  request('range unit upper case', BIN, range('BYTES=0-1')),
  request('range whole file', BIN, range('bytes=0-102399')),
  request('range other unit', BIN, range('items=0-1')),
  request('range multipart', BIN, range('bytes=0-1,5-6')),
  request('range multipart, 3 parts on css', CSS, range('bytes=0-9,100-109,-5')),
  request('range 20 parts', BIN, range(`bytes=${twentyRanges}`)),
  request('range overlapping past size', BIN, range('bytes=0-60000,1000-90000')),
  request('HEAD range 0-99', BIN, range('bytes=0-99'), 'HEAD'),
  request('range on empty file', '/empty.txt', range('bytes=0-0')),
  request('If-Range current ETag', BIN, { Range: 'bytes=0-9', 'If-Range': '{etag}' }),
  request('If-Range stale ETag', BIN, { Range: 'bytes=0-9', 'If-Range': '"stale"' }),
  request('If-Range Last-Modified', BIN, { Range: 'bytes=0-9', 'If-Range': '{last-modified}' }),
  request('If-Range weak ETag', BIN, { Range: 'bytes=0-9', 'If-Range': '{weak-etag}' }),
  request('If-Range older date', BIN, { Range: 'bytes=0-9', 'If-Range': '{older}' }),

  // Precompressed sibling
  request('gzip on css', CSS, { 'Accept-Encoding': 'gzip' }),
  request('gzip, deflate, br on css', CSS, { 'Accept-Encoding': 'gzip, deflate, br' }),
  request('HEAD gzip on css', CSS, { 'Accept-Encoding': 'gzip' }, 'HEAD'),
  request('gzip;q=0 on css', CSS, { 'Accept-Encoding': 'gzip;q=0' }),
  request('identity on css', CSS, { 'Accept-Encoding': 'identity' }),
  request('gzip range on css', CSS, { 'Accept-Encoding': 'gzip', Range: 'bytes=0-99' }),
  request('star on css', CSS, { 'Accept-Encoding': '*' }),
  request('x-gzip on css', CSS, { 'Accept-Encoding': 'x-gzip' }),
  request('gzip;q=0.5, identity on css', CSS, { 'Accept-Encoding': 'gzip;q=0.5, identity' }),
  request('identity;q=0 on css', CSS, { 'Accept-Encoding': 'identity;q=0' }),
  request('gzip on file without sibling', '/page.html', { 'Accept-Encoding': 'gzip' }),

  // Traversal and encoded names
  request('traversal ../', '/../../etc/passwd'),
  request('traversal %2e%2e', '/%2e%2e/%2e%2e/etc/passwd'),
  request('traversal ..%2f', '/..%2f..%2fetc%2fpasswd'),
  request('dot-dot resolved inside', '/sub/../index.html'),
  request('dot segment', '/./index.html'),
  request('trailing dot segment', '/sub/.'),
  request('trailing dot-dot segment', '/sub/..'),
  request('encoded dot-dot inside', '/sub/%2e%2e/index.html'),
  request('encoded slash inside', '/sub%2fpage.html'),
  request('lower-case escape', '/caf%c3%a9.html'),
  request('literal %20 not decoded twice', '/a%20b.txt'),
  request('encoded question mark', '/index.html%3Fx'),
  request('NUL byte', '/index.html%00.txt'),
  request('invalid escape', '/%zz.html'),
  request('invalid UTF-8 (Latin-1 escape)', '/caf%E9.html'),
  request('overlong UTF-8 dots', '/%C0%AE%C0%AE/etc/passwd'),
  request('encoded backslash', '/sub%5cpage.html'),
  request('fragment in target', '/index.html#frag'),
  request('absolute-form target', 'http://127.0.0.1/index.html'),

  // Double slashes
  request('double slash at start', '//index.html'),
  request('double slash inside', '/sub//page.html'),

  // Dotfiles
  request('dotfile', '/.env'),
  request('dot-directory file', '/.git/config'),
  request('dot-directory', '/.git/'),
  request('encoded dotfile', '/%2eenv'),
  request('dotfile with query', '/.env?x=1'),

  // Methods
  request('POST file', '/index.html', {}, 'POST'),
  request('PUT file', '/index.html', {}, 'PUT'),
  request('DELETE file', '/index.html', {}, 'DELETE'),
  request('OPTIONS file', '/index.html', {}, 'OPTIONS'),
  request('POST missing', '/missing.html', {}, 'POST'),
];
