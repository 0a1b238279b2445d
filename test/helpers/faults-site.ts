/**
 * A tiny scripted HTTP site on 127.0.0.1 (port 0) for politeness crawl tests: a table of
 * path (with query) → response, where a response may depend on how many times the path was
 * requested before. Every request is logged with its arrival time and User-Agent.
 */
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before } from 'node:test';
import { tempDataDir } from './crawl-helpers.js';

/** One scripted response. */
export interface SiteResponse {
  /** @default 200 */
  status?: number;
  /** @default "text/html; charset=utf-8" */
  type?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
}

/**
 * A fixed response, or one chosen by the number of earlier requests for the same path (0 first)
 * and the Host header the request came with (e.g. `localhost:40123`).
 */
export type SiteRoute = SiteResponse | ((earlierHits: number, host: string) => SiteResponse);

export interface SiteHit {
  /** Request target: path and query. */
  path: string;
  atMs: number;
  userAgent: string;
  /** The Host header. */
  host: string;
}

export interface ScriptedSite {
  /** Base URL without a trailing slash. */
  url: string;
  /** Every request in arrival order (live). */
  log: SiteHit[];
  /** Logged requests whose target is not `/robots.txt` or a sitemap (`/sitemap…`). */
  pageHits(): SiteHit[];
  close(): Promise<void>;
}

/** An HTML page with a title and links (`rel` optional per link, written `path|rel`). */
export function htmlPage(title: string, links: string[] = [], head = ''): string {
  const anchors = links.map((link) => {
    const [href, rel] = link.split('|');
    return `<a href="${href}"${rel ? ` rel="${rel}"` : ''}>${href}</a>`;
  });
  return `<!doctype html><html><head><title>${title}</title>${head}</head><body><p>${title} text.</p>${anchors.join('\n')}</body></html>`;
}

/** Starts a site; paths missing from `routes` answer 404. */
export async function startScriptedSite(routes: Record<string, SiteRoute>): Promise<ScriptedSite> {
  const log: SiteHit[] = [];
  const hits = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const host = req.headers.host ?? '';
    log.push({ path, atMs: Date.now(), userAgent: req.headers['user-agent'] ?? '', host });
    const earlier = hits.get(path) ?? 0;
    hits.set(path, earlier + 1);
    const route = routes[path];
    const response: SiteResponse = route === undefined ? { status: 404, body: 'not found', type: 'text/plain' } : typeof route === 'function' ? route(earlier, host) : route;
    const body = typeof response.body === 'string' ? Buffer.from(response.body) : (response.body ?? Buffer.alloc(0));
    res.writeHead(response.status ?? 200, { 'Content-Type': response.type ?? 'text/html; charset=utf-8', 'Content-Length': body.length, ...response.headers });
    res.end(body);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    log,
    pageHits: () => log.filter((hit) => hit.path !== '/robots.txt' && !hit.path.startsWith('/sitemap')),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** Smallest gap between consecutive entries of `hits`, in ms (Infinity for fewer than two). */
export function minGapMs(hits: readonly SiteHit[]): number {
  let min = Infinity;
  for (let i = 1; i < hits.length; i++) min = Math.min(min, hits[i]!.atMs - hits[i - 1]!.atMs);
  return min;
}

/** Scripted sites and a temp data dir for the crawls of one suite, all removed by its `after` hook. */
export interface SiteSuite {
  /** Starts a site (closed after the suite). */
  site(routes: Record<string, SiteRoute>): Promise<ScriptedSite>;
  /** The suite's data dir (set by its `before` hook). */
  readonly dataDir: string;
}

/** Call inside a `describe`: registers its before/after hooks. */
export function siteSuite(): SiteSuite {
  let data: Awaited<ReturnType<typeof tempDataDir>> | undefined;
  const sites: ScriptedSite[] = [];
  before(async () => void (data = await tempDataDir()));
  after(async () => {
    await Promise.all(sites.map((site) => site.close()));
    await data?.cleanup();
  });
  return {
    async site(routes) {
      const started = await startScriptedSite(routes);
      sites.push(started);
      return started;
    },
    get dataDir() {
      if (!data) throw new Error('siteSuite: dataDir is set by the before hook');
      return data.dir;
    },
  };
}
