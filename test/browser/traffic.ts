/**
 * What Chromium put on the wire, per request, from the DevTools protocol.
 *
 * Playwright's `response.status()` is what the page saw after the HTTP
 * cache: a document revalidated with a 304 is reported as the cached 200.
 * The `*ExtraInfo` events carry the raw request headers Chromium sent and
 * the raw status and headers fastsrv answered, which is what these tests
 * are about.
 */
import type { BrowserContext, CDPSession, Page } from 'playwright-core';

export interface Exchange {
  readonly id: string;
  url: string;
  /** URL pathname, e.g. `/style.css`. */
  path: string;
  method: string;
  /** Raw request headers, names lower-cased ({} until known). */
  requestHeaders: Record<string, string>;
  /** Status fastsrv sent; 0 when nothing came from the network (cache hit, failure). */
  wireStatus: number;
  /** Raw response headers, names lower-cased. */
  responseHeaders: Record<string, string>;
  /** Status the page saw (after Chromium's HTTP cache). */
  pageStatus: number;
  isFromCache: boolean;
  /** Protocol of the response as Chromium reports it: "http/1.1", "h2"… ('' until known). */
  protocol: string;
  /** Chromium's error text when the request failed, else ''. */
  failure: string;
  isDone: boolean;
}

export interface TrafficLog {
  /** Every request since the last clear(), in the order they started. */
  readonly exchanges: Exchange[];
  /** Wait until every request seen so far has finished or failed. */
  settle(timeoutMs?: number): Promise<void>;
  /** The decoded body Chromium received (before the page navigates away). */
  getBody(exchange: Exchange): Promise<Buffer>;
  clear(): void;
}

/** Start recording the network traffic of `page`. */
export async function recordTraffic(context: BrowserContext, page: Page): Promise<TrafficLog> {
  const cdp = await context.newCDPSession(page);
  const exchanges: Exchange[] = [];
  const byId = new Map<string, Exchange>();
  const getExchange = (id: string): Exchange => {
    let exchange = byId.get(id);
    if (exchange === undefined) {
      exchange = {
        id, url: '', path: '', method: '', requestHeaders: {}, wireStatus: 0, responseHeaders: {},
        pageStatus: 0, isFromCache: false, protocol: '', failure: '', isDone: false,
      };
      byId.set(id, exchange);
      exchanges.push(exchange);
    }
    return exchange;
  };
  listen(cdp, getExchange);
  await cdp.send('Network.enable');
  return {
    exchanges,
    settle: (timeoutMs = 10_000) => waitUntil(() => exchanges.every((e) => e.isDone), timeoutMs, () => describePending(exchanges)),
    getBody: async (exchange) => {
      const { body, base64Encoded } = await cdp.send('Network.getResponseBody', { requestId: exchange.id });
      return Buffer.from(body, base64Encoded ? 'base64' : 'utf8');
    },
    clear: () => {
      exchanges.length = 0;
      byId.clear();
    },
  };
}

function listen(cdp: CDPSession, getExchange: (id: string) => Exchange): void {
  cdp.on('Network.requestWillBeSent', (e) => {
    const exchange = getExchange(e.requestId);
    exchange.url = e.request.url;
    exchange.path = new URL(e.request.url).pathname;
    exchange.method = e.request.method;
  });
  cdp.on('Network.requestWillBeSentExtraInfo', (e) => {
    getExchange(e.requestId).requestHeaders = lowerCaseNames(e.headers);
  });
  cdp.on('Network.responseReceivedExtraInfo', (e) => {
    const exchange = getExchange(e.requestId);
    exchange.wireStatus = e.statusCode;
    exchange.responseHeaders = lowerCaseNames(e.headers);
  });
  cdp.on('Network.responseReceived', (e) => {
    const exchange = getExchange(e.requestId);
    exchange.pageStatus = e.response.status;
    exchange.protocol = e.response.protocol ?? '';
    if (e.response.fromDiskCache) exchange.isFromCache = true;
  });
  cdp.on('Network.requestServedFromCache', (e) => {
    getExchange(e.requestId).isFromCache = true;
  });
  cdp.on('Network.loadingFinished', (e) => {
    getExchange(e.requestId).isDone = true;
  });
  cdp.on('Network.loadingFailed', (e) => {
    const exchange = getExchange(e.requestId);
    exchange.failure = e.errorText;
    exchange.isDone = true;
  });
}

function lowerCaseNames(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

function describePending(exchanges: Exchange[]): string {
  return exchanges.filter((e) => !e.isDone).map((e) => `${e.method} ${e.url}`).join(', ');
}

/** Poll `isReady` every 20 ms; reject after `timeoutMs` with `describe()`. */
export async function waitUntil(isReady: () => boolean | Promise<boolean>, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await isReady())) {
    if (Date.now() > deadline) throw new Error(`still waiting after ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
