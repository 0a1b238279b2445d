/**
 * Sitemap discovery: the robots.txt `Sitemap:` URLs and (optionally) `/sitemap.xml` of each seed
 * origin, followed through sitemap indexes, read as XML `<urlset>`, gzip or plain text.
 * Never throws: every broken sitemap is an entry in `errors`. Scope filtering is the crawler's job.
 */
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { cheerioNow, importCheerio } from '../parse/cheerio-loader.js';
import type { FetchOptions, FetchResult } from '../fetch/fetch-types.js';

const gunzipAsync = promisify(gunzip);

/** The sitemap protocol's size limit for one (uncompressed) sitemap: 50 MiB. */
export const SITEMAP_MAX_BYTES = 50 * 1024 * 1024;

/** The injected fetch (src/fetch's fetcher in the crawler, a fake in tests). Never throws. */
export type SitemapFetch = (url: string, opts?: FetchOptions) => Promise<FetchResult>;

export interface DiscoverSitemapOptions {
  fetch: SitemapFetch;
  /** Seed URLs; with `tryDefault`, `/sitemap.xml` of each of their origins is tried. */
  seeds: string[];
  /** `Sitemap:` URLs from robots.txt (see `RobotsCache.sitemapsFor`). */
  robotsSitemaps: string[];
  /** Also try `<origin>/sitemap.xml` for each seed origin (a 404 there is not an error). */
  tryDefault: boolean;
  /** Stop once this many URLs were found. */
  maxUrls: number;
  /** Sitemap documents fetched at most (indexes included). @default 50 */
  maxSitemaps?: number;
  /** How deep sitemap indexes may nest (a top-level sitemap is depth 0). @default 3 */
  maxDepth?: number;
  /** Cap on one sitemap's bytes, downloaded and after gunzip. @default 52428800 (50 MiB) */
  maxBytes?: number;
}

export interface SitemapError {
  sitemap: string;
  message: string;
}

export interface SitemapDiscovery {
  /** Page URLs in document order, deduplicated, at most `maxUrls`. */
  urls: string[];
  errors: SitemapError[];
}

/** What one sitemap document contained. */
export type SitemapDoc = { kind: 'urlset'; locs: string[] } | { kind: 'index'; locs: string[] };

class SitemapDocError extends Error {}
/** A document that is no sitemap at all (an HTML page, say): silent for a guessed `/sitemap.xml`. */
class NotASitemapError extends SitemapDocError {}

/** Fetches and follows sitemaps; see the module doc. Sitemaps are read one at a time, in order. */
export async function discoverSitemapUrls(options: DiscoverSitemapOptions): Promise<SitemapDiscovery> {
  const maxSitemaps = options.maxSitemaps ?? 50;
  const maxDepth = options.maxDepth ?? 3;
  const maxBytes = options.maxBytes ?? SITEMAP_MAX_BYTES;
  const urls = new Set<string>();
  const errors: SitemapError[] = [];
  const visited = new Set<string>();
  const guessed = new Set<string>();
  let fetched = 0;
  let limitReported = false;

  const full = (): boolean => urls.size >= options.maxUrls;

  const visit = async (sitemap: string, depth: number): Promise<void> => {
    if (full() || visited.has(sitemap)) return; // a sitemap seen before (cycle or duplicate) is skipped
    visited.add(sitemap);
    if (depth > maxDepth) {
      errors.push({ sitemap, message: `sitemap index nesting deeper than ${maxDepth}: not followed` });
      return;
    }
    if (fetched >= maxSitemaps) {
      if (!limitReported) errors.push({ sitemap, message: `maxSitemaps (${maxSitemaps}) reached: this and later sitemaps skipped` });
      limitReported = true;
      return;
    }
    fetched++;
    let doc: SitemapDoc;
    try {
      doc = await loadSitemap(options.fetch, sitemap, maxBytes, guessed.has(sitemap));
    } catch (error) {
      if (error instanceof NotFoundDefault) return;
      errors.push({ sitemap, message: error instanceof Error ? error.message : String(error) });
      return;
    }
    let invalid = 0;
    for (const loc of doc.locs) {
      const href = absoluteHttpUrl(loc);
      if (!href) {
        invalid++;
        continue;
      }
      if (doc.kind === 'index') {
        await visit(href, depth + 1);
      } else {
        urls.add(href);
      }
      if (full()) break;
    }
    if (invalid > 0) errors.push({ sitemap, message: `${invalid} <loc> value(s) that are not absolute http(s) URLs skipped` });
  };

  const roots: string[] = [];
  for (const value of options.robotsSitemaps) {
    const href = absoluteHttpUrl(value);
    if (href) roots.push(href);
    else errors.push({ sitemap: value, message: 'not an absolute http(s) URL' });
  }
  if (options.tryDefault) {
    for (const seed of options.seeds) {
      const origin = absoluteHttpUrl(seed) && new URL(seed).origin;
      if (!origin) continue;
      const href = `${origin}/sitemap.xml`;
      if (!roots.includes(href)) {
        roots.push(href);
        guessed.add(href);
      }
    }
  }
  for (const root of roots) {
    if (full()) break;
    await visit(root, 0);
  }
  return { urls: [...urls].slice(0, options.maxUrls), errors };
}

/**
 * A guessed `/sitemap.xml` that is not there (4xx) or is no sitemap (sites often answer any path
 * with an HTML page): not worth an error entry.
 */
class NotFoundDefault extends Error {}

async function loadSitemap(fetch: SitemapFetch, url: string, maxBytes: number, guessed: boolean): Promise<SitemapDoc> {
  let result: FetchResult;
  try {
    result = await fetch(url, { keepBody: true, maxBodyBytes: maxBytes });
  } catch (error) {
    throw new SitemapDocError(`fetch failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (guessed && result.status !== undefined && result.status >= 400 && result.status < 500) throw new NotFoundDefault();
  if (!result.ok) throw new SitemapDocError(`${result.reason} (${result.code}): ${result.message}`);
  if (result.status < 200 || result.status >= 300) throw new SitemapDocError(`HTTP ${result.status}`);

  let body = result.body;
  if (body[0] === 0x1f && body[1] === 0x8b) {
    // A .gz file served without Content-Encoding: the fetcher kept the compressed bytes.
    try {
      body = await gunzipAsync(body, { maxOutputLength: maxBytes });
    } catch (error) {
      const tooBig = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
      throw new SitemapDocError(tooBig ? `gunzipped sitemap larger than ${maxBytes} bytes` : `gunzip failed: ${(error as Error).message}`);
    }
  }
  await importCheerio(); // parseSitemap reads XML with it
  try {
    return parseSitemap(body.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    throw guessed && error instanceof NotASitemapError ? new NotFoundDefault() : error;
  }
}

/**
 * Reads one sitemap document: XML `<urlset>` (its `<url><loc>` values) or `<sitemapindex>`
 * (its `<sitemap><loc>` values), or plain text with one URL per line. Entities are decoded and
 * values trimmed. Throws `SitemapDocError` for a document that is neither, or truncated XML.
 */
export function parseSitemap(text: string): SitemapDoc {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('<')) {
    const locs = trimmed.split(/\r\n|\r|\n/).map((l) => l.trim()).filter((l) => l.length > 0);
    if (locs.length === 0) throw new SitemapDocError('empty sitemap');
    if (!locs.some((l) => absoluteHttpUrl(l))) throw new NotASitemapError('not a sitemap: no XML and no URL lines');
    return { kind: 'urlset', locs };
  }
  const $ = cheerioNow().load(trimmed, { xml: true });
  const root = $.root().children().get().find((el) => ROOTS.has(localName(el.name)));
  if (!root) throw new NotASitemapError('not a sitemap: no <urlset> or <sitemapindex> element');
  const rootName = localName(root.name);
  if (!new RegExp(`</([\\w.-]+:)?${rootName}\\s*>`).test(trimmed)) {
    throw new SitemapDocError(`malformed XML: <${rootName}> is not closed (truncated sitemap?)`);
  }
  const kind = rootName === 'sitemapindex' ? 'index' : 'urlset';
  const entryName = kind === 'index' ? 'sitemap' : 'url';
  const locs: string[] = [];
  for (const entry of root.children) {
    if (entry.type !== 'tag' || localName(entry.name) !== entryName) continue;
    for (const field of entry.children) {
      if (field.type === 'tag' && localName(field.name) === 'loc') locs.push(textOf(field).trim());
    }
  }
  return { kind, locs };
}

const ROOTS = new Set(['urlset', 'sitemapindex']);

/** Sitemaps may use a namespace prefix (`<sm:urlset>`): compare local names. */
function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}

/** Text of a node with its descendants (CDATA included). Much faster than `$(el).text()` per element. */
function textOf(node: TextNode): string {
  if (node.type === 'text') return node.data ?? '';
  return node.children ? node.children.map(textOf).join('') : '';
}

interface TextNode {
  type: string;
  data?: string;
  children?: TextNode[];
}

function absoluteHttpUrl(value: string): string | null {
  try {
    const u = new URL(value.trim());
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}
