/**
 * A real node:http server on 127.0.0.1 (port 0) for fetch tests: routes by
 * path, records requests and connections, and closes every socket on close().
 */
import net from 'node:net';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchSchema, type CrawlConfig, type CrawlConfigInput } from '../../src/config/schema.js';

export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface SeenRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface FetchTestServer {
  /** e.g. http://127.0.0.1:54321 */
  origin: string;
  url(path: string): string;
  /** Requests received, in order. */
  requests: SeenRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** Starts a server; unknown paths get a 404. */
export async function startFetchServer(routes: Record<string, RouteHandler>): Promise<FetchTestServer> {
  const requests: SeenRequest[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers });
    const handler = routes[path.split('?')[0]!];
    if (handler) {
      handler(req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    url: (path) => `${origin}${path}`,
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

export interface WriteOutcome {
  bytesWritten: number;
  /** The whole body was handed to the socket before it closed. */
  completed: boolean;
}

/**
 * Writes `totalBytes` of `chunk` repeated, honouring backpressure, and stops
 * as soon as the client goes away. Resolves when the response closes.
 */
export function writeBody(res: http.ServerResponse, totalBytes: number, chunk: Buffer = Buffer.alloc(64 * 1024, 0x61)): Promise<WriteOutcome> {
  return new Promise((resolve) => {
    let bytesWritten = 0;
    let completed = false;
    res.on('close', () => resolve({ bytesWritten, completed }));
    const pump = (): void => {
      while (bytesWritten < totalBytes && !res.destroyed) {
        const part = chunk.subarray(0, Math.min(chunk.length, totalBytes - bytesWritten));
        bytesWritten += part.length;
        if (!res.write(part)) {
          res.once('drain', pump);
          return;
        }
      }
      if (bytesWritten >= totalBytes && !res.destroyed) {
        completed = true;
        res.end();
      }
    };
    pump();
  });
}

/** Sends one byte every `everyMs` until the client goes away. */
export function trickle(res: http.ServerResponse, everyMs: number): void {
  const timer = setInterval(() => res.write('a'), everyMs);
  res.on('close', () => clearInterval(timer));
}

/**
 * A complete fetch config (schema defaults) with small timeouts for tests, plus overrides. The
 * private-network guard is off (the test servers are on loopback, and a bare fetcher has no
 * seeds); test/fetch/address-guard*.test.ts test it.
 */
export function fetchTestConfig(overrides: FetchConfigInput = {}): CrawlConfig['fetch'] {
  return fetchSchema.parse({
    userAgent: 'skein-test/1.0 (+https://example.test/bot)',
    allowPrivateNetworks: true,
    ...overrides,
    timeouts: { lookupMs: 1_000, connectMs: 1_000, responseMs: 1_000, socketMs: 1_000, sendMs: 1_000, requestMs: 3_000, ...overrides.timeouts },
  });
}

type FetchConfigInput = Omit<NonNullable<CrawlConfigInput['fetch']>, 'timeouts'> & {
  timeouts?: NonNullable<NonNullable<CrawlConfigInput['fetch']>['timeouts']>;
};

/** A 127.0.0.1 port nothing listens on (connection refused). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
