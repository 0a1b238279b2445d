/**
 * Where a crawl lives on disk:
 *
 * ```
 * <dataDir>/<name>/
 *   crawl.json        name, config, runs (crawl-meta.ts)
 *   pages/            page records, one segment per flush, each with a keys
 *                     sidecar (lowdb-page-store.ts, keys-sidecar.ts)
 *   frontier/         accepted requests, one segment per flush (frontier-journal.ts)
 *   cookies.json      the cookie jar, with fetch.cookies (cookie-file.ts)
 * ```
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { CRAWL_NAME_PATTERN, CRAWL_NAME_RULE } from '../config/crawl-location.js';
import { ConfigError, StoreError } from '../core/errors.js';
import { CrawlMeta, type CrawlMetaData } from './crawl-meta.js';

export interface CrawlPaths {
  /** `<dataDir>/<name>` */
  dir: string;
  /** `<dir>/pages` */
  pages: string;
  /** `<dir>/frontier` */
  frontier: string;
  /** `<dir>/crawl.json` */
  meta: string;
}

const MAX_NAME_CHARS = 100;

/** Throws `ConfigError` (field `name`) unless `name` is a valid crawl name (so it can never escape dataDir). */
export function assertCrawlName(name: string): void {
  if (!CRAWL_NAME_PATTERN.test(name)) throw new ConfigError('name', `${JSON.stringify(name)}: ${CRAWL_NAME_RULE}`);
}

/** `<dataDir>/<name>`; throws `ConfigError` for an invalid name. */
export function crawlDir(dataDir: string, name: string): string {
  assertCrawlName(name);
  return path.join(dataDir, name);
}

/** Every path of the crawl `name` under `dataDir`. */
export function crawlPaths(dataDir: string, name: string): CrawlPaths {
  const dir = crawlDir(dataDir, name);
  return {
    dir,
    pages: path.join(dir, 'pages'),
    frontier: path.join(dir, 'frontier'),
    meta: path.join(dir, 'crawl.json'),
  };
}

/**
 * A crawl name from a seed URL: its host, plus the port when one is given
 * (`https://docs.example.com/a` → `docs.example.com`,
 * `http://127.0.0.1:8080/` → `127.0.0.1-8080`). Characters a name may not
 * contain become "-"; the result always passes the config's `name` rule.
 */
export function deriveCrawlName(seedUrl: string | URL): string {
  let url: URL;
  try {
    url = new URL(seedUrl);
  } catch {
    throw new ConfigError('seeds', `cannot derive a crawl name from ${JSON.stringify(String(seedUrl))}: not an absolute URL`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, ''); // IPv6 literals come bracketed
  const raw = url.port ? `${host}-${url.port}` : host;
  const name = raw
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, MAX_NAME_CHARS)
    .replace(/[-.]+$/, '');
  return name === '' ? 'crawl' : name;
}

export interface CrawlListing {
  name: string;
  /** `<dataDir>/<name>` */
  dir: string;
  /** The crawl's metadata, when `crawl.json` could be read. */
  meta?: CrawlMetaData;
  /** Why `crawl.json` could not be read (one bad crawl does not hide the others). */
  error?: StoreError;
}

/**
 * The crawls in `dataDir` (directories holding a `crawl.json`), sorted by
 * name. A missing `dataDir` has no crawls.
 */
export async function listCrawls(dataDir: string): Promise<CrawlListing[]> {
  let entries;
  try {
    entries = await readdir(dataDir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new StoreError('ERR_STORE_READ', `could not list crawls in ${dataDir}: ${(error as Error).message}`, { cause: error });
  }
  const listings: CrawlListing[] = [];
  const names = entries
    .filter((entry) => entry.isDirectory() && CRAWL_NAME_PATTERN.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  for (const name of names) {
    const paths = crawlPaths(dataDir, name);
    try {
      const meta = await new CrawlMeta(paths.meta).read();
      if (meta) listings.push({ name, dir: paths.dir, meta });
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      listings.push({ name, dir: paths.dir, error });
    }
  }
  return listings;
}
