/**
 * Serves a {@link GeneratedSite} over plain HTTP on 127.0.0.1, for `skein demo`, the benchmark and
 * tests. Keep-alive friendly, optional per-response latency and gzip, and it counts requests per
 * path so a test can assert that each page was fetched exactly once.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { GeneratedSite } from './generated-site.js';

/** Options of {@link startSiteServer}. */
export interface SiteServerOptions {
  /** The site to serve. */
  site: GeneratedSite;
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to bind. Only loopback is allowed: this server is for local crawling. @default "127.0.0.1" */
  host?: '127.0.0.1';
  /** Delay before each response starts, in ms (simulates network and server time). @default 0 */
  latencyMs?: number;
  /** Send `Content-Encoding: gzip` when the request's Accept-Encoding allows it. @default false */
  gzip?: boolean;
  /** Keep a `{ path, atMs }` entry per request in `requestLog` (memory grows with requests). @default false */
  logRequests?: boolean;
}

/** One logged request: the request target as sent (path and query) and when it arrived. */
export interface SiteRequestLogEntry {
  path: string;
  /** Arrival time, `Date.now()` milliseconds. */
  atMs: number;
}

/** A running site server. */
export interface SiteServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:43817`. */
  readonly url: string;
  readonly port: number;
  /** Requests received so far (live). */
  readonly requests: number;
  /** Requests per path, query string excluded (live). */
  readonly counts: ReadonlyMap<string, number>;
  /** Every request, when `logRequests` is on; otherwise stays empty. */
  readonly requestLog: readonly SiteRequestLogEntry[];
  /** Requests received for `pathname` (query string excluded). */
  hits(pathname: string): number;
  /** Stops listening and closes every connection, idle keep-alive ones included. */
  close(): Promise<void>;
}

const gzipAsync = promisify(gzipCallback);

const NOT_FOUND = Buffer.from('<!doctype html>\n<html lang="en"><head><title>Not found</title></head><body><h1>404 Not found</h1><p><a href="/">Home</a></p></body></html>\n');

/** True when an Accept-Encoding header allows gzip (a `gzip;q=0` entry forbids it). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  for (const entry of acceptEncoding.toLowerCase().split(',')) {
    const [coding, ...params] = entry.trim().split(';');
    if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

/** Starts serving `site`; resolves once the server listens. */
export async function startSiteServer(opts: SiteServerOptions): Promise<SiteServer> {
  const { site, latencyMs = 0, gzip = false, logRequests = false } = opts;
  const host = opts.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new RangeError(`the demo site server binds to 127.0.0.1 only, got ${String(host)}`);
  const counts = new Map<string, number>();
  const requestLog: SiteRequestLogEntry[] = [];
  const timers = new Set<NodeJS.Timeout>();
  // Compressed bodies follow the site's own cache: the key is the uncompressed Buffer.
  const gzipped = new WeakMap<Buffer, Buffer>();
  let requests = 0;
  let origin = '';

  /** Compresses on the libuv thread pool (level 1: cheap), so the event loop keeps serving. */
  const compress = async (body: Buffer): Promise<Buffer> => {
    let packed = gzipped.get(body);
    if (!packed) gzipped.set(body, (packed = await gzipAsync(body, { level: 1 })));
    return packed;
  };

  const respond = async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    const page = site.page(pathname, originOf(req, origin));
    let body = page?.body ?? NOT_FOUND;
    res.statusCode = page?.status ?? 404;
    res.setHeader('Content-Type', page?.contentType ?? 'text/html; charset=utf-8');
    if (gzip) {
      res.setHeader('Vary', 'Accept-Encoding');
      if (acceptsGzip(req.headers['accept-encoding'])) {
        body = await compress(body);
        res.setHeader('Content-Encoding', 'gzip');
      }
    }
    if (res.destroyed) return;
    res.setHeader('Content-Length', body.length);
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const respondOrFail = (req: IncomingMessage, res: ServerResponse, pathname: string): void => {
    respond(req, res, pathname).catch((err: unknown) => res.destroy(err instanceof Error ? err : new Error(String(err))));
  };

  const server = createServer((req, res) => {
    requests++;
    const target = req.url ?? '/';
    const pathname = target.replace(/[?#].*$/s, '') || '/';
    counts.set(pathname, (counts.get(pathname) ?? 0) + 1);
    if (logRequests) requestLog.push({ path: target, atMs: Date.now() });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': 0 }).end();
      return;
    }
    if (latencyMs <= 0) return respondOrFail(req, res, pathname);
    const timer = setTimeout(() => {
      timers.delete(timer);
      respondOrFail(req, res, pathname);
    }, latencyMs);
    timers.add(timer);
    res.once('close', () => {
      clearTimeout(timer);
      timers.delete(timer);
    });
  });
  server.keepAliveTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://${host}:${port}`;

  return {
    url: origin,
    port,
    get requests() {
      return requests;
    },
    counts,
    requestLog,
    hits: (pathname) => counts.get(pathname) ?? 0,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * The origin the client used (its Host header), so absolute links stay on the host the crawl
 * started from (`localhost` or `127.0.0.1`); falls back to the listening address.
 */
function originOf(req: IncomingMessage, fallback: string): string {
  const host = req.headers.host;
  return host && /^(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$/i.test(host) ? `http://${host.toLowerCase()}` : fallback;
}
