/**
 * Runs inside the private network namespace set up by `namespaceSetup`: starts
 * the stub DNS, the connection-logging internal servers, the public sites and
 * the loopback site, runs the crawls the test asks for (argv[2]: JSON list of
 * scenarios) and prints, per scenario, what each crawl stored, logged and which
 * connections the internal servers accepted.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CrawlConfigInput } from '../../../src/config/schema.js';
import { runCrawl, testConfig } from '../crawl-helpers.js';
import { startStubDns } from '../stub-dns-server.js';
import {
  DNS_ADDRESS,
  DNS_NAMES,
  INTERNAL_V4,
  INTERNAL_V6,
  LINK_CASES,
  LOCAL_LINKS,
  LOCAL_SITE,
  PRIVATE_SITEMAP,
  PUBLIC,
  PUBLIC2,
  PUBLIC2_PAGE,
  PUBLIC_NAMED,
  PUBLIC_ORIGIN,
  PUBLIC_PORT,
  REBIND_NAME,
  REDIRECT_CASES,
  SITEMAP_CASES,
} from './hostile-net.js';

export interface Scenario {
  name: string;
  seeds: string[];
  config?: CrawlConfigInput;
}

export interface ScenarioResult {
  records: { key: string; outcome: string; reason?: string; fetched?: boolean; finalUrl?: string; message?: string }[];
  logs: string[];
  /** `local address:port ← request line or "(no request)"`, one per connection an internal server accepted. */
  connections: string[];
}

const page = (links: string[]): string => `<!doctype html><html><head><title>p</title></head><body>${links.map((l) => `<a href="${l}">x</a>`).join('')}</body></html>`;

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}

/** A server on an internal address: logs every connection (and its first request), answers a page. */
async function internalServer(address: string, port: number, log: string[]): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    log.push(`[${address}]:${port} ← ${req.method} ${req.headers.host}${req.url}`);
    res.writeHead(200, { 'content-type': 'text/html' }).end(page([]));
  });
  server.on('connection', (socket: Socket) => log.push(`[${address}]:${port} ← connection from ${socket.remoteAddress}`));
  await listen(server, port, address);
  return server;
}

function publicHandler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const host = req.headers.host ?? '';
  const local = (req.socket.address() as AddressInfo).address;
  if (host.startsWith(`${REBIND_NAME}:`)) {
    // The rebinding name's first answer: served, and the socket closed so the page needs a new lookup.
    res.writeHead(req.url === '/robots.txt' ? 404 : 200, { 'content-type': 'text/html', connection: 'close' }).end(page([]));
    return;
  }
  if (local === PUBLIC2) {
    if (req.url === '/robots.txt') res.writeHead(301, { location: 'http://127.0.0.1/robots.txt' }).end();
    else res.writeHead(200, { 'content-type': 'text/html' }).end(page([]));
    return;
  }
  const redirect = REDIRECT_CASES.find((c) => c.path === req.url);
  if (redirect) return void res.writeHead(redirect.status, { location: redirect.location }).end();
  switch (req.url) {
    case '/robots.txt':
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`User-agent: *\nAllow: /\nSitemap: ${PRIVATE_SITEMAP}\nSitemap: ${PUBLIC_ORIGIN}/sitemap.xml\n`);
      return;
    case '/sitemap.xml':
      res
        .writeHead(200, { 'content-type': 'application/xml' })
        .end(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${SITEMAP_CASES.map((c) => `<url><loc>${c.url.replace(/&/g, '&amp;')}</loc></url>`).join('')}</urlset>`);
      return;
    case '/':
      res.writeHead(200, { 'content-type': 'text/html' }).end(page([...LINK_CASES.map((c) => c.url), ...REDIRECT_CASES.filter((c) => c.path !== '/redirect/chain2' && c.path !== '/seed-redirect').map((c) => c.path), PUBLIC_NAMED, PUBLIC2_PAGE]));
      return;
    default:
      res.writeHead(200, { 'content-type': 'text/html' }).end(page([]));
  }
}

async function main(): Promise<void> {
  const scenarios = JSON.parse(process.argv[2] ?? '[]') as Scenario[];
  const connections: string[] = [];
  const dns = await startStubDns(DNS_ADDRESS, 53, (name, type, askedBefore) => {
    if (name === REBIND_NAME) return type === 'A' ? [askedBefore === 0 ? PUBLIC : '127.0.0.1'] : [];
    const entry = DNS_NAMES[name];
    return entry ? (entry[type] ?? []) : undefined;
  });
  const servers: http.Server[] = [];
  for (const address of [...INTERNAL_V4, ...INTERNAL_V6]) servers.push(await internalServer(address, 80, connections));
  servers.push(await internalServer('127.0.0.1', PUBLIC_PORT, connections)); // where the rebinding name points next
  for (const address of [PUBLIC, PUBLIC2]) {
    const server = http.createServer(publicHandler);
    await listen(server, PUBLIC_PORT, address);
    servers.push(server);
  }
  const local = http.createServer((req, res) => {
    if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(page([LOCAL_LINKS.allowed, ...LOCAL_LINKS.blocked]));
    else res.writeHead(404).end();
  });
  await listen(local, Number(new URL(LOCAL_SITE).port), '127.0.0.1');
  servers.push(local);

  const results: Record<string, ScenarioResult> = {};
  for (const scenario of scenarios) {
    connections.length = 0;
    const dataDir = await mkdtemp(join(tmpdir(), 'skein-guard-'));
    const config = testConfig(dataDir, {
      ...scenario.config,
      name: scenario.name,
      seeds: scenario.seeds,
      scope: { mode: 'any', maxDepth: 3, ...scenario.config?.scope },
      parser: { mode: 'inline' },
      fetch: { retries: 0, timeouts: { requestMs: 3_000, responseMs: 2_000, connectMs: 1_000 }, ...scenario.config?.fetch },
    });
    const logs: string[] = [];
    const { records } = await runCrawl(config, (events) => events.on('log', (e) => logs.push(`${e.level}: ${e.message}`)));
    results[scenario.name] = {
      records: [...records.values()].map((r) => ({
        key: r.key,
        outcome: r.outcome,
        ...(r.reason ? { reason: r.reason } : {}),
        ...(r.fetched !== undefined ? { fetched: r.fetched } : {}),
        ...(r.finalUrl ? { finalUrl: r.finalUrl } : {}),
        ...(r.error ? { message: r.error.message } : {}),
      })),
      logs,
      connections: [...connections],
    };
  }
  for (const server of servers) server.close();
  await dns.close();
  process.stdout.write(JSON.stringify({ results, dnsQueries: dns.queries }));
  process.exit(0);
}

await main();

