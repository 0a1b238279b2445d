/**
 * A hostile HTTP server for the crawler's robustness tests (127.0.0.1, port 0).
 *
 * One route per failure a crawler meets in the wild, all linked from the index page `/`, so a
 * crawl seeded with `/` discovers every one of them. Every request is logged with its arrival
 * time. Routes stop their work when the client goes away, and `close()` ends everything at once
 * (open sockets destroyed, timers cleared), so a test process always exits.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { constants, crc32, deflateRawSync } from 'node:zlib';

/** Options of {@link startFaultServer}. */
export interface FaultServerOptions {
  /** Body of /robots.txt; `null` answers 404 (which means "allow all"). @default "User-agent: *\nDisallow: /private/\n" */
  robotsTxt?: string | null;
  /** Appends `Crawl-delay: <n>` to robots.txt (to the last group when `robotsTxt` is given). */
  crawlDelaySeconds?: number;
}

/** One request as received: target (path and query) and arrival time (`Date.now()` ms). */
export interface FaultRequest {
  path: string;
  atMs: number;
}

export interface FaultServer {
  /** Base URL without trailing slash, e.g. `http://127.0.0.1:40123`. */
  url: string;
  port: number;
  /** Every request in arrival order (live). */
  log: FaultRequest[];
  /** Requests for `path`: an exact match on path+query when `path` has a `?`, else on the pathname. */
  hits(path: string): number;
  /** Destroys every socket, stops every timer and stops listening. */
  close(): Promise<void>;
}

/** The hostile routes, each linked from `/`. */
export const FAULT_PATHS = [
  '/faults/no-headers', '/faults/trickle', '/faults/reset-mid-body', '/faults/short-body', '/faults/huge',
  '/faults/gzip-bomb', '/faults/pdf', '/faults/image.png', '/faults/wrong-charset', '/faults/no-charset-latin1',
  '/faults/nested', '/faults/many-links', '/faults/redirect-loop', '/faults/redirect-offsite', '/faults/redirect-ftp',
  '/faults/redirect-robots', '/faults/redirect-trap', '/faults/redirect-known', '/faults/redirect-new',
  '/faults/odd-links', '/trap/calendar?month=1', '/trap/deep/a', '/trap/loop/', '/trap/session?sid=start',
  '/limited/429', '/limited/503-date', '/limited/503-day', '/limited/429-date-far', '/ok/1', '/faults/missing',
] as const;

/** robots.txt unless replaced: everything but `/private/` (where `/faults/redirect-robots` leads). */
export const DEFAULT_ROBOTS_TXT = 'User-agent: *\nDisallow: /private/\n';
/** `/faults/redirect-new` leads here, and nothing links it. */
export const REDIRECT_NEW_TARGET = '/ok/60';

/** `/limited/503-day` always answers 503 with this Retry-After (a day, in seconds). */
export const RETRY_AFTER_DAY_SECONDS = 86_400;

/** `/faults/huge` streams this many bytes (no Content-Length), unless the client leaves first. */
export const HUGE_BYTES = 50 * 1024 * 1024;
/** `/faults/gzip-bomb` inflates to this many bytes (104 KB on the wire). */
export const GZIP_BOMB_BYTES = 100 * 1024 * 1024 + 62;
/** `/faults/short-body` declares this Content-Length… */
export const SHORT_BODY_DECLARED = 10_000;
/** …and sends only this many body bytes before closing the connection. */
export const SHORT_BODY_SENT = 100;
/** `/faults/reset-mid-body` declares this Content-Length and resets after half of it. */
export const RESET_BODY_DECLARED = 20_000;
/** Links on `/faults/many-links`; after dropping fragments and utm_* they are `/ok/1 … /ok/50`. */
export const MANY_LINKS_COUNT = 30_000;
/** `/faults/wrong-charset`: the header (utf-8) wins over the windows-1252 bytes, so é and è decode to U+FFFD. */
export const WRONG_CHARSET_TITLE = 'Caf\uFFFD cr\uFFFDme';
/** `/faults/no-charset-latin1`: no charset in the header; the meta tag (iso-8859-1) decodes the title. */
export const LATIN1_TITLE = 'Café crème';
/** Pages on this server that the links of `/faults/odd-links` must resolve to. */
export const ODD_LINKS_SAME_SERVER = ['/ok/11', '/ok/12', '/ok/13', '/ok/14', '/ok/15', '/ok/16'] as const;

const html = (title: string, body: string): string =>
  `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>\n<body>${body}</body></html>\n`;

const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const TINY_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

/** Built on first use, once per process. */
const lazy = <T>(build: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= build());
};

/**
 * A gzip member inflating to GZIP_BOMB_BYTES, built in ~30 ms: a fully flushed deflate segment is
 * self-contained, so one compressed MiB of spaces is repeated 100 times, followed by the CRC.
 */
const gzipBomb = lazy(() => {
  const prefix = Buffer.from('<!doctype html><html><head><title>bomb</title></head><body><p>');
  const spaces = Buffer.alloc(1024 * 1024, 0x20);
  const flush = { level: 9, finishFlush: constants.Z_FULL_FLUSH };
  let crc = crc32(prefix);
  for (let i = 0; i < 100; i++) crc = crc32(spaces, crc);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE((prefix.length + 100 * spaces.length) >>> 0, 4);
  const segment = deflateRawSync(spaces, flush);
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  return Buffer.concat([header, deflateRawSync(prefix, flush), ...Array<Buffer>(100).fill(segment), deflateRawSync(Buffer.alloc(0)), trailer]);
});

const nestedPage = lazy(() => Buffer.from(html('Nested', `${'<div>'.repeat(50_000)}<p>deepest <a href="/ok/21">deep link</a></p>`)));

const manyLinksPage = lazy(() => {
  const suffixes = ['', '#top', '?utm_source=many-links', '?utm_source=x&utm_medium=y'];
  const links: string[] = [];
  for (let j = 0; j < MANY_LINKS_COUNT; j++) links.push(`<a href="/ok/${1 + (j % 50)}${suffixes[Math.floor(j / 50) % 4]}">link ${j}</a>\n`);
  return Buffer.from(html('Many links', links.join('')));
});

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');

/** Writes a raw HTTP response head and `bodyBytes` of body straight to the socket. */
function rawResponse(socket: Socket, declaredLength: number, bodyBytes: number, then: () => void): void {
  const head = `HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${declaredLength}\r\nConnection: close\r\n\r\n`;
  socket.write(Buffer.concat([Buffer.from(head), Buffer.alloc(bodyBytes, 0x61)]), then);
}

/** Starts a fault server on 127.0.0.1 with a free port. */
export async function startFaultServer(opts: FaultServerOptions = {}): Promise<FaultServer> {
  const log: FaultRequest[] = [];
  const sockets = new Set<Socket>();
  const intervals = new Set<NodeJS.Timeout>();
  const firstHits = new Map<string, number>();
  let origin = '';

  const robots = (): string | null => {
    const base = opts.robotsTxt === undefined ? DEFAULT_ROBOTS_TXT : opts.robotsTxt;
    if (base === null || opts.crawlDelaySeconds === undefined) return base;
    return `${base.replace(/\n?$/, '\n')}Crawl-delay: ${opts.crawlDelaySeconds}\n`;
  };
  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void => {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': bytes.length, ...headers }).end(bytes);
  };
  const page = (res: ServerResponse, title: string, body: string): void => send(res, 200, 'text/html; charset=utf-8', html(title, body));
  const redirect = (res: ServerResponse, status: number, location: string): void =>
    send(res, status, 'text/html; charset=utf-8', html('Moved', `<a href="${location}">moved</a>`), { Location: location });
  /** Runs `fn` every `everyMs` until the response closes or the server does. */
  const every = (res: ServerResponse, everyMs: number, fn: () => void): void => {
    const timer = setInterval(fn, everyMs);
    intervals.add(timer);
    res.once('close', () => {
      clearInterval(timer);
      intervals.delete(timer);
    });
  };
  /** Count of earlier requests for `key`, then counts this one. */
  const seenBefore = (key: string): number => {
    const n = firstHits.get(key) ?? 0;
    firstHits.set(key, n + 1);
    return n;
  };

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse, url: URL) => void> = {
    '/': (_req, res) => page(res, 'Fault index', FAULT_PATHS.map((p) => `<a href="${p}">${p}</a>`).join('<br>\n')),
    // A dead link, the commonest fault of all (any unknown path answers 404 too).
    '/faults/missing': (_req, res) => send(res, 404, 'text/html; charset=utf-8', html('Not found', 'no such page')),
    '/robots.txt': (_req, res) => {
      const body = robots();
      send(res, body === null ? 404 : 200, 'text/plain; charset=utf-8', body ?? 'not found');
    },
    '/faults/no-headers': () => undefined,
    '/faults/trickle': (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.flushHeaders();
      every(res, 200, () => res.write('.'));
    },
    '/faults/reset-mid-body': (req) => rawResponse(req.socket, RESET_BODY_DECLARED, RESET_BODY_DECLARED / 2, () => req.socket.resetAndDestroy()),
    '/faults/short-body': (req) => rawResponse(req.socket, SHORT_BODY_DECLARED, SHORT_BODY_SENT, () => req.socket.end()),
    '/faults/huge': (_req, res) => {
      const chunk = Buffer.from('<p>' + 'huge page filler text '.repeat(2978) + '</p>\n'); // 65,522 bytes
      let sent = 0;
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      const pump = (): void => {
        while (!res.destroyed && sent < HUGE_BYTES) {
          const piece = chunk.subarray(0, Math.min(chunk.length, HUGE_BYTES - sent));
          sent += piece.length;
          if (!res.write(piece)) return void res.once('drain', pump);
        }
        if (!res.destroyed) res.end();
      };
      pump();
    },
    '/faults/gzip-bomb': (_req, res) => send(res, 200, 'text/html; charset=utf-8', gzipBomb(), { 'Content-Encoding': 'gzip' }),
    '/faults/pdf': (_req, res) => send(res, 200, 'application/pdf', TINY_PDF),
    '/faults/image.png': (_req, res) => send(res, 200, 'image/png', TINY_PNG),
    '/faults/wrong-charset': (_req, res) =>
      send(res, 200, 'text/html; charset=utf-8', latin1(html('Café crème', '<p>D\xe9j\xe0 vu \x93quoted\x94 5 \x80</p><a href="/ok/20">next</a>').replace('<meta charset="utf-8">', ''))),
    '/faults/no-charset-latin1': (_req, res) =>
      send(res, 200, 'text/html', latin1(html(LATIN1_TITLE, '<p>Déjà vu à la carte</p><a href="/ok/20">next</a>').replace('utf-8', 'iso-8859-1'))),
    '/faults/nested': (_req, res) => send(res, 200, 'text/html; charset=utf-8', nestedPage()),
    '/faults/many-links': (_req, res) => send(res, 200, 'text/html; charset=utf-8', manyLinksPage()),
    '/faults/redirect-loop': (_req, res) => redirect(res, 302, '/faults/redirect-loop-b'),
    '/faults/redirect-loop-b': (_req, res) => redirect(res, 302, '/faults/redirect-loop'),
    '/faults/redirect-offsite': (_req, res) => redirect(res, 301, 'http://other.invalid/'),
    '/faults/redirect-ftp': (_req, res) => redirect(res, 302, 'ftp://127.0.0.1/x'),
    // Redirect hops the crawler must check like links: robots.txt, traps, and dedup.
    '/faults/redirect-robots': (_req, res) => redirect(res, 302, '/private/secret'),
    '/private/secret': (_req, res) => page(res, 'Secret', 'robots.txt disallows this page'),
    '/faults/redirect-trap': (_req, res) => redirect(res, 301, '/trap/loop/x/x/x/x/'),
    '/faults/redirect-known': (_req, res) => redirect(res, 301, '/ok/1'),
    '/faults/redirect-new': (_req, res) => redirect(res, 301, REDIRECT_NEW_TARGET),
    '/faults/odd-links': (_req, res) => {
      const hostPort = origin.slice('http://'.length);
      const hrefs = [
        '../ok/11', `//${hostPort}/ok/12`, '  /ok/13  ', '/ok/\n14', '\t/ok/15', `HTTP://${hostPort.toUpperCase()}/ok/16`,
        'http://example.invalid:80/ok/17', '#frag', '', 'javascript:alert(1)', 'mailto:someone@example.invalid',
        'data:text/html,%3Cp%3Ehi%3C%2Fp%3E', 'tel:+15550100',
      ];
      page(res, 'Odd links', hrefs.map((h, i) => `<a href="${h}">odd ${i}</a>`).join('\n') + '\n<a>no href</a>');
    },
    '/trap/calendar': (_req, res, url) => {
      const month = Number.parseInt(url.searchParams.get('month') ?? '0', 10) || 0;
      page(res, `Calendar ${month}`, `<a href="/trap/calendar?month=${month + 1}">next month</a>`);
    },
    '/trap/session': (_req, res) => {
      const links = [0, 1].map(() => `<a href="/trap/session?sid=${randomBytes(8).toString('hex')}">session</a>`);
      page(res, 'Session', `${links.join('\n')}\n<a href="/ok/2">ok</a>`);
    },
    '/limited/429': (_req, res) =>
      seenBefore('429') === 0 ? send(res, 429, 'text/plain', 'slow down', { 'Retry-After': '1' }) : page(res, 'Limited 429', 'fine now'),
    // One endpoint under maintenance for a day, and one rate-limited until tomorrow: the rest of the site is fine.
    '/limited/503-day': (_req, res) => send(res, 503, 'text/plain', 'maintenance', { 'Retry-After': String(RETRY_AFTER_DAY_SECONDS) }),
    '/limited/429-date-far': (_req, res) =>
      send(res, 429, 'text/plain', 'quota exceeded', { 'Retry-After': new Date(Date.now() + RETRY_AFTER_DAY_SECONDS * 1000).toUTCString() }),
    '/limited/503-date': (_req, res) => {
      if (seenBefore('503') > 0) return page(res, 'Limited 503', 'fine now');
      const retryAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000).toUTCString();
      send(res, 503, 'text/plain', 'maintenance', { 'Retry-After': retryAt });
    },
  };

  /** Routes matched by pattern; false when none matches. */
  const patterned = (res: ServerResponse, pathname: string): boolean => {
    const ok = /^\/ok\/([1-9]\d{0,6})$/.exec(pathname);
    if (ok) {
      page(res, `OK ${ok[1]}`, `<p>Plain page ${ok[1]}.</p><a href="/">index</a>`);
    } else if (/^\/trap\/deep(?:\/[a-z])+$/.test(pathname)) {
      const depth = pathname.split('/').length - 3;
      page(res, `Deep ${depth}`, `<a href="${pathname}/${String.fromCharCode(97 + (depth % 26))}">deeper</a>`);
    } else if (/^\/trap\/loop\/(?:x\/)*x?$/.test(pathname)) {
      page(res, 'Loop', '<a href="x/">again</a>'); // relative: /trap/loop/x/ → /trap/loop/x/x/ → …
    } else {
      return false;
    }
    return true;
  };

  const server = createServer((req, res) => {
    const target = req.url ?? '/';
    log.push({ path: target, atMs: Date.now() });
    const url = new URL(target, origin);
    const route = routes[url.pathname];
    if (route) return route(req, res, url);
    if (!patterned(res, url.pathname)) send(res, 404, 'text/html; charset=utf-8', html('Not found', 'not found'));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: origin,
    port,
    log,
    hits: (path) => log.filter((e) => (path.includes('?') ? e.path === path : e.path.replace(/\?.*$/s, '') === path)).length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of intervals) clearInterval(timer);
        intervals.clear();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      }),
  };
}
