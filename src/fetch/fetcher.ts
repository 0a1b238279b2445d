/**
 * The fetch stage: one got instance with keep-alive agents (idle sockets bounded
 * over all hosts) and a caching DNS resolver (keep-alive-agents.ts), explicit timeouts
 * for every phase, redirects followed by hand (each hop checked for scheme,
 * loops and hop count here, then by the caller's `checkRedirect`: the crawler's
 * gate for scope, robots, dedup and spacing), a hard cap on decompressed body bytes, and
 * content-type filtering. `fetch()` never throws: every outcome is a
 * `FetchResult` value with a precise reason (see `classifyFetchError`).
 */
import type https from 'node:https';
import { performance } from 'node:perf_hooks';
import got, { type Got, type Request, type Response } from 'got';
import type { CookieJar } from 'tough-cookie';
import type { CrawlConfig } from '../config/schema.js';
import type { CapturedExchange, FetchFailure, FetchOptions, FetchResult } from './fetch-types.js';
import { isParsedContentType } from './content-type.js';
import { AddressGuard } from './address-guard.js';
import { compileHostHeaders, configuredHeaders, requestHeaderRule, type RequestHeaders } from './host-headers.js';
import { classifyProxyError, ProxyRouter, type ProxyRoute } from './proxy-router.js';
import { createKeepAliveAgents } from './keep-alive-agents.js';
import { PrematureCloseError, readBody, type ReadBodyResult } from './read-body.js';
import { TransferCapture } from './capture-transfer.js';
import { parseRetryAfter } from './retry-policy.js';
import { TlsPolicy } from './tls-policy.js';
import { classifyFetchError } from './classify-fetch-error.js';
import { errorFailure, failure, success, type FetchState } from './fetch-results.js';

export type FetchConfig = CrawlConfig['fetch'];

export interface Fetcher {
  /** Fetches one URL, following redirects. Resolves with a success or a failure value; never rejects. */
  fetch(url: string, opts?: FetchOptions): Promise<FetchResult>;
  /** Closes the keep-alive sockets. Later fetches fail with reason `aborted`. */
  close(): void;
}

/**
 * Idle keep-alive sockets are closed after this long: below the 5 s keep-alive
 * timeout common on servers (Node's default), so we drop an idle socket before
 * the server does instead of reusing one it is closing ("socket hang up").
 */
export const FREE_SOCKET_TIMEOUT_MS = 4_000;

/**
 * Bodies we do not keep (redirects, 4xx/5xx) are read and thrown away up to
 * this size / time so the socket can go back to the keep-alive pool; past
 * either, the socket is destroyed instead.
 */
export const DRAIN_MAX_BYTES = 64 * 1024;
export const DRAIN_MAX_MS = 1_000;

const DEFAULT_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

const ignore = (): void => {};

/** One HTTP exchange as the fetcher saw it; every redirect hop is its own exchange. */
export interface FetchExchange {
  /** HEAD for an external link check (`scope.checkExternal`), else GET. */
  method: 'GET' | 'HEAD';
  url: string;
  status: number;
  /** Response headers, lower-cased names. */
  headers: Record<string, string | string[] | undefined>;
  /** Body bytes as read, decompressed; empty when a redirect or error body passed the drain limits. */
  body: Buffer;
}

/**
 * Sees every exchange that got a complete response (`--record`). With an
 * observer, bodies the crawl would not read (redirects, errors, types that are
 * not parsed) are read (within the usual caps) so that the exchange is complete.
 */
export interface FetchObserver {
  onExchange(exchange: FetchExchange): void;
}

/** What the fetcher needs to know of the crawl beyond `config.fetch`. */
export interface FetcherContext {
  /** The crawl's seed URLs: the private-network guard allows the ranges they are on (`fetch.allowPrivateNetworks`). */
  seeds?: readonly string[];
  /** Where `${env:NAME}` references in header values are read. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The crawl's cookie jar (`fetch.cookies`): cookies set by responses, redirects included, are sent back. */
  cookieJar?: CookieJar;
  /** Where warnings go (a host whose certificate is not checked, once). @default nowhere */
  warn?: (message: string) => void;
  /** Whether a URL is on the crawl's own hosts; outside them, credentials in `fetch.headers` are not sent. @default every URL is */
  inScope?: (url: URL) => boolean;
}

/**
 * Creates the fetcher used by the crawler (and by robots.txt / sitemap loading).
 *
 * @example
 * const fetcher = createFetcher(config.fetch);
 * const result = await fetcher.fetch('https://example.com/', { checkRedirect: (url) => scope(url) });
 * fetcher.close();
 */
export function createFetcher(config: FetchConfig, observer?: FetchObserver, context: FetcherContext = {}): Fetcher {
  const tls = new TlsPolicy(config.tls, context.warn);
  const agents = createKeepAliveAgents({
    ...(tls.secureContext ? { secureContext: tls.secureContext } : {}),
    // Per origin. The crawler's queue bounds the real concurrency (`concurrency`, and as many
    // again past `slowRequestMs`); this only makes sure the agent never queues a request behind the others.
    maxSocketsPerHost: 2 * config.concurrency,
    // One host never has more in flight than perHostParallelism, so idle sockets beyond that are waste.
    maxIdleSocketsPerHost: config.perHostParallelism,
    // Over all hosts: a broad crawl keeps as many idle sockets as it can have busy ones.
    maxIdleSockets: config.concurrency,
    idleTimeoutMs: FREE_SOCKET_TIMEOUT_MS,
  });
  const env = context.env ?? process.env;
  const headersFor = requestHeaderRule(config.headers, compileHostHeaders(config.hostHeaders, env), context.inScope);
  const proxies = new ProxyRouter(config, env, {
    maxSockets: 2 * config.concurrency,
    maxFreeSockets: config.perHostParallelism,
    idleTimeoutMs: FREE_SOCKET_TIMEOUT_MS,
    ...(tls.ca ? { ca: tls.ca } : {}),
    ...(tls.secureContext ? { secureContext: tls.secureContext } : {}),
  });
  const guard = new AddressGuard({ allow: config.allowPrivateNetworks, ...(context.seeds ? { seeds: context.seeds } : {}), lookup: agents.lookup });
  const client = got.extend({
    agent: { http: agents.http, https: agents.https },
    dnsLookup: guard.wrap(agents.lookup),
    ...(context.cookieJar ? { cookieJar: context.cookieJar } : {}),
    headers: requestHeaders(config, env),
    // Said explicitly, so that NODE_TLS_REJECT_UNAUTHORIZED=0 cannot turn checks off: only fetch.tls.insecureHosts does, per request.
    https: { rejectUnauthorized: true },
    timeout: {
      lookup: config.timeouts.lookupMs,
      connect: config.timeouts.connectMs,
      secureConnect: config.timeouts.secureConnectMs,
      socket: config.timeouts.socketMs,
      send: config.timeouts.sendMs,
      response: config.timeouts.responseMs,
      request: config.timeouts.requestMs,
    },
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
    decompress: true,
    strictContentLength: true,
    http2: false,
    mutableDefaults: true,
  });
  // got spreads `cacheOptions` (four keys, all undefined when no cache is used) into each
  // request's options, and on Node 20 an object literal that spreads an object with keys and then
  // adds ~30 more takes ~100 µs (~2 µs when it has none): a tenth of the main process's CPU per
  // request on a broad crawl. No cache is used, so the keys go (the only reason for mutableDefaults).
  client.defaults.options.cacheOptions = {};
  /** One got instance per proxy (its agents set once, not merged into every request's options). */
  const proxyClients = new WeakMap<ProxyRoute, Got>();
  let closed = false;
  return {
    async fetch(url, opts = {}) {
      if (closed) return failure({ url, redirects: [], startedAtMs: performance.now(), gateMs: 0 }, 'aborted', 'ERR_FETCHER_CLOSED', 'the fetcher is closed');
      try {
        return await fetchWithRedirects({ client, guard, headersFor, proxies, proxyClients, tls, config }, url, opts, observer);
      } catch (error) {
        // Only a throwing checkRedirect callback can get here.
        const { reason, code, message } = classifyFetchError(error);
        return failure({ url, redirects: [], startedAtMs: performance.now(), gateMs: 0 }, reason, code, message);
      }
    },
    close() {
      closed = true;
      agents.destroy();
      proxies.destroy();
    },
  };
}

/** What every fetch of one fetcher uses. */
interface FetcherParts {
  client: Got;
  guard: AddressGuard;
  headersFor: RequestHeaders;
  proxies: ProxyRouter;
  proxyClients: WeakMap<ProxyRoute, Got>;
  tls: TlsPolicy;
  config: FetchConfig;
}

async function fetchWithRedirects(parts: FetcherParts, url: string, opts: FetchOptions, allObserver?: FetchObserver): Promise<FetchResult> {
  const { guard, headersFor, config } = parts;
  // Link checks (HEAD, bodies thrown away) are not page exchanges: an archive does not hold them;
  // a fixture holds them without their bodies (a replay answers them as recorded).
  const linkCheck = opts.method === 'HEAD' || opts.discardBody === true;
  const observer = allObserver;
  const onExchange = linkCheck ? undefined : opts.onExchange;
  const state: FetchState = { url, redirects: [], startedAtMs: performance.now(), gateMs: 0 };
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    return failure(state, 'invalid-url', 'ERR_INVALID_URL', `not an absolute URL: ${url}`);
  }
  if (current.protocol !== 'http:' && current.protocol !== 'https:') {
    return failure(state, 'scheme', 'ERR_UNSUPPORTED_SCHEME', `not an http(s) URL: ${url}`);
  }
  current.hash = '';
  const seen = new Set([current.href]);
  let stream: Request | undefined;
  let capture: TransferCapture | undefined;
  /** Hands the hop's exchange as transferred to `opts.onExchange` (when set). */
  const captured = (truncated?: CapturedExchange['truncated']): void => {
    const exchange = capture?.exchange(truncated);
    if (exchange) onExchange?.(exchange);
  };
  // Bodies the crawl does not read are read for a recording or an archive.
  const keepAll = (observer !== undefined && !linkCheck) || onExchange !== undefined;
  const onAbort = (): void => void stream?.destroy();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      if (opts.signal?.aborted) return failure(state, 'aborted', 'ERR_ABORTED', 'the fetch was aborted');
      // A new hop: what the previous one answered no longer describes the result.
      Object.assign(state, { finalUrl: current.href, status: undefined, headers: undefined, contentType: undefined, headersAtMs: undefined });
      // An IP literal is connected to without a lookup: the guard checks it here (names: in the lookup).
      const route = await parts.proxies.route(current);
      // Through a proxy that resolves names itself, the name's answer here is checked instead.
      const blocked = (await guard.checkHost(current.hostname)) ?? (route?.remoteDns ? await guard.checkName(current.hostname) : undefined);
      if (blocked) return failure(state, 'blocked-address', blocked.code, blocked.message);
      const client = route ? proxyClient(parts, route) : parts.client;
      // The first hop runs on the instance's options as they are (no per-request merge in got),
      // unless its host has headers of its own; redirect hops get only what is left of the
      // whole-request timeout.
      const headers = headersFor(current);
      const unverified = parts.tls.skipsVerification(current);
      const head = opts.method === 'HEAD';
      const own = headers || unverified || head ? { ...(headers ? { headers } : {}), ...(unverified ? { https: { rejectUnauthorized: false } } : {}), ...(head ? { method: 'HEAD' as const } : {}) } : undefined;
      if (state.redirects.length === 0) stream = own ? client.stream(current, own) : client.stream(current);
      else {
        const remainingMs = Math.max(1, Math.floor(config.timeouts.requestMs - (performance.now() - state.startedAtMs - state.gateMs)));
        stream = client.stream(current, { timeout: { request: remainingMs }, ...own });
      }
      stream.on('error', ignore);
      if (onExchange) capture = TransferCapture.attach(stream, current.href, opts.maxBodyBytes ?? config.maxBodyBytes);
      const outcome = await awaitResponse(stream);
      if (!outcome.ok) {
        const proxyError = route && !opts.signal?.aborted ? classifyProxyError(outcome.error, route, current.host) : undefined;
        return proxyError ? failure(state, 'proxy', proxyError.code, proxyError.message) : errorFailure(state, outcome.error, opts.signal);
      }
      const { response } = outcome;
      if (unverified) parts.tls.noteUnverified(current, response.socket);
      state.headersAtMs = performance.now();
      state.status = response.statusCode;
      state.headers = response.headers;
      state.contentType = headerValue(response.headers['content-type']);
      const location = headerValue(response.headers.location);

      if (response.statusCode >= 300 && response.statusCode < 400 && location !== undefined) {
        const drained = await drain(stream, keepAll);
        observer?.onExchange(exchangeOf(opts, current.href, response, drained.body));
        captured(drained.truncated);
        const next = await nextHop(state, current, location, response.statusCode, seen, config.maxRedirects, opts);
        if (next instanceof URL) {
          seen.add(next.href);
          current = next;
          continue;
        }
        return next;
      }
      if (response.statusCode >= 400) {
        const retryAfterMs = parseRetryAfter(headerValue(response.headers['retry-after']), Date.now());
        const drained = await drain(stream, keepAll);
        observer?.onExchange(exchangeOf(opts, current.href, response, drained.body));
        captured(drained.truncated);
        const result = failure(state, 'http-error', 'ERR_HTTP_STATUS', `HTTP ${response.statusCode} ${response.statusMessage ?? ''}`.trim());
        return retryAfterMs === undefined ? result : { ...result, retryAfterMs };
      }
      return await readResponse(stream, response, state, config, opts, observer, captured);
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** The got instance that sends through `route` (made once per proxy). */
function proxyClient(parts: FetcherParts, route: ProxyRoute): Got {
  let client = parts.proxyClients.get(route);
  if (!client) {
    client = parts.client.extend({ agent: { http: route.agents.http, https: route.agents.https as unknown as https.Agent } });
    parts.proxyClients.set(route, client);
  }
  return client;
}

/** Resolves the response headers, or the error (or premature close) that came instead. */
function awaitResponse(stream: Request): Promise<{ ok: true; response: Response } | { ok: false; error: unknown }> {
  return new Promise((resolve) => {
    const done = (value: { ok: true; response: Response } | { ok: false; error: unknown }): void => {
      stream.off('response', onResponse);
      stream.off('error', onError);
      stream.off('close', onClose);
      resolve(value);
    };
    const onResponse = (response: Response): void => done({ ok: true, response });
    const onError = (error: unknown): void => done({ ok: false, error });
    const onClose = (): void => done({ ok: false, error: new PrematureCloseError() });
    stream.once('response', onResponse);
    stream.once('error', onError);
    stream.once('close', onClose);
  });
}

/** Validates one redirect hop: a URL to follow next, or the failure that ends the fetch. */
async function nextHop(state: FetchState, current: URL, location: string, status: number, seen: Set<string>, maxRedirects: number, opts: FetchOptions): Promise<URL | FetchFailure> {
  let target: URL;
  try {
    target = new URL(location, current);
  } catch {
    return failure(state, 'invalid-url', 'ERR_INVALID_REDIRECT', `redirect to an invalid URL: ${location}`);
  }
  target.hash = '';
  state.redirects.push({ url: current.href, status });
  state.finalUrl = target.href;
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return failure(state, 'redirect-scheme', 'ERR_REDIRECT_SCHEME', `redirect to a non-http(s) URL: ${target.protocol}`);
  }
  if (seen.has(target.href)) return failure(state, 'redirect-loop', 'ERR_REDIRECT_LOOP', `redirect loop back to ${target.href}`);
  if (state.redirects.length > maxRedirects) {
    return failure(state, 'too-many-redirects', 'ERR_TOO_MANY_REDIRECTS', `more than ${maxRedirects} redirects`);
  }
  if (!opts.checkRedirect) return target;
  const gateStartedAtMs = performance.now();
  const verdict = await opts.checkRedirect(target.href);
  state.gateMs += performance.now() - gateStartedAtMs;
  if (opts.signal?.aborted) return failure(state, 'aborted', 'ERR_ABORTED', 'the fetch was aborted');
  if (verdict.ok) return target;
  const rejected = failure(state, verdict.reason, 'ERR_REDIRECT_REJECTED', verdict.detail ?? `redirect to ${target.href} rejected: ${verdict.reason}`);
  return verdict.retryAtMs === undefined ? rejected : { ...rejected, retryAtMs: verdict.retryAtMs };
}

/** Reads a final 2xx/3xx response: the body under the cap, or nothing for types that are not parsed. */
async function readResponse(
  stream: Request,
  response: Response,
  state: FetchState,
  config: FetchConfig,
  opts: FetchOptions,
  observer: FetchObserver | undefined,
  captured: (truncated?: CapturedExchange['truncated']) => void,
): Promise<FetchResult> {
  const { contentType } = state;
  if (opts.discardBody) {
    await drain(stream);
    observer?.onExchange(exchangeOf(opts, state.finalUrl ?? state.url, response, Buffer.alloc(0)));
    return success(state, Buffer.alloc(0), { bodySkipped: true });
  }
  const maxBytes = opts.maxBodyBytes ?? config.maxBodyBytes;
  if (!opts.keepBody && !isParsedContentType(contentType, config.parseContentTypes)) {
    const skipped = observer || opts.onExchange ? await readBody(stream, { maxBytes }) : undefined;
    if (skipped?.ok) observer?.onExchange(exchangeOf(opts, state.finalUrl ?? state.url, response, skipped.body));
    if (skipped) captured(truncationOf(skipped));
    stream.destroy();
    return success(state, Buffer.alloc(0), { bodySkipped: true });
  }
  const declaredBytes = Number(headerValue(response.headers['content-length']));
  const encoding = headerValue(response.headers['content-encoding'])?.trim().toLowerCase();
  if ((encoding === undefined || encoding === 'identity') && declaredBytes > maxBytes) {
    stream.destroy();
    captured('length');
    return failure(state, 'body-too-large', 'ERR_BODY_TOO_LARGE', `Content-Length ${declaredBytes} is over the ${maxBytes}-byte cap`);
  }
  const read = await readBody(stream, { maxBytes });
  captured(truncationOf(read));
  if (read.ok) {
    observer?.onExchange(exchangeOf(opts, state.finalUrl ?? state.url, response, read.body));
    return success(state, read.body);
  }
  if (read.kind === 'too-large') {
    return failure(state, 'body-too-large', 'ERR_BODY_TOO_LARGE', `body passed the ${maxBytes}-byte cap (decompressed)`, read.bytes);
  }
  return errorFailure(state, read.kind === 'error' ? read.error : new PrematureCloseError(), opts.signal, read.bytes);
}

/**
 * Throws away a body we do not keep (kept when `keep`, for recording), so the socket can be reused; destroys it when too big or slow.
 * `truncated`: why the body did not end.
 */
async function drain(stream: Request, keep = false): Promise<{ body: Buffer; truncated?: CapturedExchange['truncated'] }> {
  const read = await readBody(stream, { maxBytes: DRAIN_MAX_BYTES, keep, maxMs: DRAIN_MAX_MS });
  const truncated = truncationOf(read);
  return { body: read.ok ? read.body : Buffer.alloc(0), ...(truncated ? { truncated } : {}) };
}

/** Why a body read did not reach its end (undefined when it did). */
function truncationOf(read: ReadBodyResult): CapturedExchange['truncated'] {
  if (read.ok) return undefined;
  return read.kind === 'too-large' ? 'length' : read.kind === 'time-limit' ? 'time' : 'disconnect';
}

function exchangeOf(opts: FetchOptions, url: string, response: Response, body: Buffer): FetchExchange {
  return { method: opts.method === 'HEAD' ? 'HEAD' : 'GET', url, status: response.statusCode, headers: response.headers, body };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The request headers from config: lower-cased names, ignored ones dropped, env references resolved, User-Agent last. */
function requestHeaders(config: FetchConfig, env: NodeJS.ProcessEnv): Record<string, string> {
  return { accept: DEFAULT_ACCEPT, ...configuredHeaders(config.headers, env, 'fetch.headers'), 'user-agent': config.userAgent };
}
