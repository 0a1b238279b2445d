/**
 * Serves a synthetic broad web from one process: every host is a loopback IP
 * literal, told apart by the local address the client connected to. With
 * `bind: 'any'` it listens on 0.0.0.0 (for a private network namespace made
 * with `unshare -n`, where nothing else can connect); with `bind: 'each'` it
 * listens on every host's address (no namespace needed; one socket a host).
 *
 * It watches the crawl as it serves (server clock, `performance` precision):
 * requests in flight per host (peak), the smallest gap between two requests
 * to a Crawl-delay host (robots.txt excluded), requests to disallowed paths,
 * and pages served more than once. `report()` returns them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { classifyPath, type BroadLink, type BroadWeb, type BroadWebPorts } from './broad-web.js';
import { hostAddress, hostIndexOf } from './host-address.js';

export interface BroadWebServerOptions {
  /** @default "any" */
  bind?: 'any' | 'each';
  /** @default 0 (a free port) */
  port?: number;
}

/** What the server saw, for checking a crawl against the truth. */
export interface BroadWebServerReport {
  requests: number;
  /** Requests per path kind. */
  byKind: Record<string, number>;
  /** First and last request arrival, epoch ms. */
  firstAtMs: number;
  lastAtMs: number;
  /** Hosts whose peak requests in flight passed `parallelism` (checked by the caller): index → peak. */
  peakInFlight: Record<number, number>;
  /** Crawl-delay hosts requested at least twice: index → smallest gap between two requests, ms. */
  minGapMs: Record<number, number>;
  /** URLs requested although robots.txt disallows them. */
  disallowedRequests: string[];
  /** Paths answered 200 more than once: URL → times. */
  servedTwice: Record<string, number>;
  /** Per host requested: index → [first arrival, last arrival (epoch ms), requests] (where a crawl's time went). */
  hostSpans: Record<number, [number, number, number]>;
}

export interface BroadWebServer {
  ports: BroadWebPorts;
  report(): BroadWebServerReport;
  close(): Promise<void>;
}

const FILLER =
  'Synthetic page of the skein broad web. It exists so that a crawler has some visible text to extract, a title, a few headings and links to follow across many hosts. ';

export async function startBroadWebServer(web: BroadWeb, options: BroadWebServerOptions = {}): Promise<BroadWebServer> {
  const n = web.hostCount;
  const inFlight = new Uint16Array(n);
  const peak = new Uint16Array(n);
  const lastAt = new Float64Array(n).fill(-Infinity);
  const minGap = new Float64Array(n).fill(Infinity);
  const hostFirstAt = new Float64Array(n);
  const hostLastAt = new Float64Array(n);
  const hostRequests = new Uint32Array(n);
  const byKind: Record<string, number> = {};
  const served = new Map<string, number>();
  const disallowed: string[] = [];
  let requests = 0;
  let firstAtMs = 0;
  let lastAtMs = 0;
  let ports: BroadWebPorts = { port: 0, deadPort: 0 };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const atMs = performance.timeOrigin + performance.now();
    const index = hostIndexOf(req.socket.localAddress ?? '');
    if (index < 0 || index >= n) {
      res.writeHead(421).end();
      return;
    }
    requests++;
    firstAtMs ||= atMs;
    lastAtMs = atMs;
    hostFirstAt[index] ||= atMs;
    hostLastAt[index] = atMs;
    hostRequests[index]!++;
    const host = web.host(index);
    const path = req.url ?? '/';
    const what = classifyPath(path, host.pages);
    byKind[what.kind] = (byKind[what.kind] ?? 0) + 1;
    if (what.kind !== 'robots' && host.crawlDelayMs > 0) {
      minGap[index] = Math.min(minGap[index]!, atMs - lastAt[index]!);
      lastAt[index] = atMs;
    }
    if (what.kind === 'private' && host.disallowPrivate) disallowed.push(hostAddress(index) + path);
    inFlight[index]!++;
    peak[index] = Math.max(peak[index]!, inFlight[index]!);
    res.once('close', () => inFlight[index]!--);
    if (host.behaviour === 'hang') return; // never answers; the crawler times out
    if (host.behaviour === 'reset') {
      req.socket.destroy();
      return;
    }
    const answer = (): void => {
      if (host.behaviour === 'unavailable') return void res.writeHead(503, { 'content-type': 'text/plain' }).end('down for maintenance');
      const body = respond(web, index, what, ports);
      if (body === undefined) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      if (what.kind !== 'robots') {
        const key = hostAddress(index) + path.split('?')[0];
        served.set(key, (served.get(key) ?? 0) + 1);
      }
      res.writeHead(200, { 'content-type': what.kind === 'robots' ? 'text/plain' : 'text/html; charset=utf-8' }).end(body);
    };
    if (host.latencyMs > 0) setTimeout(answer, host.latencyMs);
    else answer();
  };

  const sockets = new Set<Socket>();
  const servers: Server[] = [];
  const listen = async (address: string, port: number): Promise<number> => {
    const server = createServer({ keepAliveTimeout: 5_000 }, handle);
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: address, backlog: 4096 }, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  };
  if ((options.bind ?? 'any') === 'any') {
    ports = { port: await listen('0.0.0.0', options.port ?? 0), deadPort: 0 };
  } else {
    const port = await listen(hostAddress(0), options.port ?? 0);
    for (let i = 1; i < n; i++) await listen(hostAddress(i), port);
    ports = { port, deadPort: 0 };
  }
  ports.deadPort = await freePort();

  return {
    ports,
    report() {
      const peakInFlight: Record<number, number> = {};
      const minGapMs: Record<number, number> = {};
      const hostSpans: Record<number, [number, number, number]> = {};
      for (let i = 0; i < n; i++) {
        if (hostRequests[i]! > 0) hostSpans[i] = [Math.round(hostFirstAt[i]!), Math.round(hostLastAt[i]!), hostRequests[i]!];
        if (peak[i]! > 1) peakInFlight[i] = peak[i]!;
        if (Number.isFinite(minGap[i]!)) minGapMs[i] = Math.round(minGap[i]! * 10) / 10;
      }
      const servedTwice: Record<string, number> = {};
      for (const [key, times] of served) if (times > 1) servedTwice[key] = times;
      return { requests, byKind, firstAtMs, lastAtMs, peakInFlight, minGapMs, disallowedRequests: disallowed, servedTwice, hostSpans };
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}

/** A port nobody listens on (bound and released on 0.0.0.0, so no address of 127/8 has it). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '0.0.0.0', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** The body for a path, or undefined for 404. */
function respond(web: BroadWeb, index: number, what: ReturnType<typeof classifyPath>, ports: BroadWebPorts): string | undefined {
  const host = web.host(index);
  switch (what.kind) {
    case 'robots':
      return web.robotsTxt(index);
    case 'page':
      return html(web, index, `Host ${index} page ${what.page}`, web.pageLinks(index, what.page), ports);
    case 'private':
      return html(web, index, `Host ${index} private ${what.page}`, [], ports);
    case 'trap':
      return host.trap ? html(web, index, `Host ${index} trap ${what.depth}`, web.trapLinks(index, what.depth), ports) : undefined;
    default:
      return undefined;
  }
}

function html(web: BroadWeb, index: number, title: string, links: BroadLink[], ports: BroadWebPorts): string {
  const anchors = links.map((link) => {
    const href = link.host === index ? link.path : web.url(link, ports);
    return `<li><a href="${href.replace(/&/g, '&amp;')}">${link.host === index ? link.path : `host ${link.host}`}</a></li>`;
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${FILLER.repeat(6)}</p><ul>${anchors.join('')}</ul></body></html>`;
}
