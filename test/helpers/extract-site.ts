/**
 * The extraction fixture site (test/fixtures/extract/site/), served by nock
 * at https://shop.example in this process (fetching happens here; the parser
 * workers only see bytes). Unknown paths, robots.txt included, are 404s.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';

export const SHOP_ORIGIN = 'https://shop.example';

const SITE_DIR = join(process.cwd(), 'test/fixtures/extract/site');

/** URL path → fixture file. */
const PAGES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/c/chairs': 'c/chairs.html',
  '/c/chairs/page/2': 'c/chairs-2.html',
  ...Object.fromEntries([1, 2, 3, 4, 5, 6].map((n) => [`/p/${n}`, `p/${n}.html`])),
};

export interface ShopSite {
  /** Requests per path (404s included). */
  hits: Map<string, number>;
  close(): void;
}

/** Intercepts every request to SHOP_ORIGIN and refuses any other network access. */
export function serveShopSite(): ShopSite {
  const hits = new Map<string, number>();
  const bodies = new Map(Object.entries(PAGES).map(([path, file]) => [path, readFileSync(join(SITE_DIR, file))]));
  nock.disableNetConnect();
  nock(SHOP_ORIGIN)
    .persist()
    .get(/.*/)
    .reply((uri) => {
      const path = new URL(uri, SHOP_ORIGIN).pathname;
      hits.set(path, (hits.get(path) ?? 0) + 1);
      const body = bodies.get(path);
      if (body === undefined) return [404, 'not found', { 'content-type': 'text/plain' }];
      return [200, body, { 'content-type': 'text/html; charset=utf-8' }];
    });
  return {
    hits,
    close() {
      nock.cleanAll();
      nock.enableNetConnect();
    },
  };
}

/** RFC 4180 CSV (quoted cells, doubled quotes, CRLF or LF rows) into rows of cells. */
export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const endRow = (): void => {
    row.push(cell);
    rows.push(row);
    row = [];
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) endRow();
  return rows;
}

/** CSV text as one object per data row, keyed by the header. */
export function csvObjects(text: string): Array<Record<string, string>> {
  const [header, ...rows] = parseCsvRows(text);
  return rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i] ?? ''])));
}
