/**
 * A small local site for record/replay tests (127.0.0.1, port 0): a generated
 * site whose HTML pages are sent gzip-encoded, plus what a fixture must carry
 * byte-exact: a redirect, a PDF and a PNG (binary), a gzipped sitemap file
 * (binary, listed in robots.txt), JSON (compact and pretty), a Latin-1 page
 * (text that is not UTF-8) and a 404.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { createGeneratedSite } from '../../src/demo/generated-site.js';

/** Extra routes, all listed in the gzipped sitemap (so the crawl finds them). */
export const EXTRA_PATHS = ['/old', '/doc.pdf', '/logo.png', '/data.json', '/pretty.json', '/latin1', '/missing'] as const;

/** Binary bytes that are not valid UTF-8 (so they must be stored as hex). */
export const PDF_BYTES = Buffer.concat([Buffer.from('%PDF-1.4\n%'), Buffer.from([0xe2, 0xe3, 0xcf, 0xd3, 0x0a, 0x00, 0xff]), Buffer.from('\n%%EOF\n')]);
export const PNG_BYTES = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
export const COMPACT_JSON = '{"name":"skein","pages":[1,2,3]}';
export const PRETTY_JSON = '{\n  "name": "skein"\n}\n';
/** `Café` in ISO-8859-1: the 0xE9 byte is not valid UTF-8. */
export const LATIN1_HTML = Buffer.from('<!doctype html><html><head><meta charset="iso-8859-1"><title>Caf\u00e9</title></head><body><h1>Caf\u00e9</h1><a href="/moved">moved</a></body></html>', 'latin1');
export const MOVED_TITLE = 'Moved here';

export interface ReplaySite {
  /** Origin without a trailing slash. */
  url: string;
  /** Requests received so far. */
  readonly requests: number;
  close(): Promise<void>;
}

/** Starts the site; `pages` generated pages (small, few links). */
export async function startReplaySite(options: { pages?: number } = {}): Promise<ReplaySite> {
  const site = createGeneratedSite({ pages: options.pages ?? 12, pageBytes: 1_500, linksPerPage: 8, seed: 5 });
  let origin = '';
  let requests = 0;
  const send = (res: ServerResponse, status: number, type: string, body: Buffer | string, headers: Record<string, string> = {}): void => {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, { 'content-type': type, 'content-length': String(bytes.length), ...headers }).end(bytes);
  };
  const sitemap = (): Buffer =>
    gzipSync(
      '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' +
        EXTRA_PATHS.map((path) => `<url><loc>${origin}${path}</loc></url>\n`).join('') +
        '</urlset>\n',
    );
  const server = createServer((req, res) => {
    requests++;
    const path = (req.url ?? '/').replace(/[?#].*$/s, '');
    switch (path) {
      case '/robots.txt':
        return send(res, 200, 'text/plain; charset=utf-8', `User-agent: *\nDisallow: /private/\n\nSitemap: ${origin}/sitemap-extra.xml.gz\n`);
      case '/sitemap-extra.xml.gz':
        return send(res, 200, 'application/gzip', sitemap());
      case '/old':
        return send(res, 301, 'text/html; charset=utf-8', '<a href="/moved">moved</a>', { location: '/moved' });
      case '/moved':
        return send(res, 200, 'text/html; charset=utf-8', `<!doctype html><html lang="en"><head><title>${MOVED_TITLE}</title></head><body><h1>${MOVED_TITLE}</h1><a href="/">home</a></body></html>`);
      case '/doc.pdf':
        return send(res, 200, 'application/pdf', PDF_BYTES);
      case '/logo.png':
        return send(res, 200, 'image/png', PNG_BYTES);
      case '/data.json':
        return send(res, 200, 'application/json', COMPACT_JSON);
      case '/pretty.json':
        return send(res, 200, 'application/json; charset=utf-8', PRETTY_JSON);
      case '/latin1':
        return send(res, 200, 'text/html; charset=iso-8859-1', LATIN1_HTML);
    }
    const page = site.page(path, origin);
    if (!page) return send(res, 404, 'text/html; charset=utf-8', '<h1>Not found</h1>');
    // Generated pages are compressed: the fixture stores them decoded.
    send(res, page.status, page.contentType, gzipSync(page.body), { 'content-encoding': 'gzip', vary: 'Accept-Encoding', 'set-cookie': 'session=secret' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
