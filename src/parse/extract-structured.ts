/**
 * Built-in structured-data extractors, each switched on in
 * `extract.builtins` and written to one key of `record.fields`:
 *
 * - `jsonLd`: every `<script type="application/ld+json">` block, parsed, one
 *   list entry per valid block (a block holding an array stays one entry);
 *   an invalid block is left out and reported in `warnings`;
 * - `openGraph` / `twitter`: `<meta property|name="og:*">` / `"twitter:*"`
 *   as an object keyed by the name without its prefix (`image:width`); a
 *   repeated name becomes a list;
 * - `microdata`: see extract-microdata.ts;
 * - `hreflang`: `<link rel="alternate" hreflang href>` as `[{ lang, url }]`;
 * - `feeds`: `<link rel="alternate">` of type RSS, Atom or JSON Feed as
 *   `[{ url, type: "rss" | "atom" | "json", title? }]`.
 *
 * URLs are resolved against the `<base href>` / page URL. Pure.
 */
import type { CheerioAPI } from 'cheerio/slim';
import type { BuiltinsConfig } from '../config/extract-schema.js';
import { hasToken } from './extract-metadata.js';
import { extractMicrodata } from './extract-microdata.js';
import { resolveUrl } from './extract-post-process.js';

interface Attributed {
  attribs?: Record<string, string>;
  children?: Array<{ type: string; data?: string }>;
}

function attribs(el: unknown): Record<string, string> {
  return (el as Attributed).attribs ?? {};
}

/** Comment and CDATA wrappers some sites put around script contents. */
const WRAPPERS = /^\s*(?:<!--|\/\/\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|\/\/\s*\]\]>|\]\]>)\s*$/g;

/** Parsed JSON-LD blocks plus one warning per invalid block. */
export function extractJsonLd($: CheerioAPI): { blocks: unknown[]; warnings: string[] } {
  const scripts = $('script[type]').toArray().filter((el) => attribs(el).type!.trim().toLowerCase() === 'application/ld+json');
  const blocks: unknown[] = [];
  const warnings: string[] = [];
  scripts.forEach((el, i) => {
    const source = ((el as Attributed).children ?? []).map((child) => child.data ?? '').join('').replace(WRAPPERS, '').trim();
    const where = `JSON-LD block ${i + 1} of ${scripts.length}`;
    if (source === '') {
      warnings.push(`invalid ${where}: empty`);
      return;
    }
    try {
      blocks.push(JSON.parse(source));
    } catch (error) {
      warnings.push(`invalid ${where}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  return { blocks, warnings };
}

/** `<meta>` tags whose `property` or `name` starts with `prefix:`, keyed without the prefix. */
export function extractMetaPrefixed($: CheerioAPI, prefix: 'og' | 'twitter'): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const start = `${prefix}:`;
  for (const el of $('meta[content]').toArray()) {
    const a = attribs(el);
    const key = (a.property ?? a.name ?? '').trim().toLowerCase();
    if (!key.startsWith(start) || key.length === start.length) continue;
    const name = key.slice(start.length);
    if (name === '__proto__') continue;
    const value = a.content!.trim();
    const existing = out[name];
    if (existing === undefined) out[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[name] = [existing, value];
  }
  return out;
}

function alternateLinks($: CheerioAPI): Array<Record<string, string>> {
  return $('link[rel][href]')
    .toArray()
    .map(attribs)
    .filter((a) => hasToken(a.rel, 'alternate'));
}

/** hreflang alternates, `[{ lang, url }]`, in document order. */
export function extractHreflang($: CheerioAPI, baseUrl: string): Array<{ lang: string; url: string }> {
  const out: Array<{ lang: string; url: string }> = [];
  for (const a of alternateLinks($)) {
    const lang = a.hreflang?.trim();
    const url = resolveUrl(a.href!, baseUrl);
    if (lang && url !== undefined) out.push({ lang, url });
  }
  return out;
}

const FEED_TYPES: Readonly<Record<string, 'rss' | 'atom' | 'json'>> = {
  'application/rss+xml': 'rss',
  'application/atom+xml': 'atom',
  'application/feed+json': 'json',
};

/** Feed links, `[{ url, type, title? }]`, in document order. */
export function extractFeeds($: CheerioAPI, baseUrl: string): Array<{ url: string; type: 'rss' | 'atom' | 'json'; title?: string }> {
  const out: Array<{ url: string; type: 'rss' | 'atom' | 'json'; title?: string }> = [];
  for (const a of alternateLinks($)) {
    const type = FEED_TYPES[(a.type ?? '').split(';')[0]!.trim().toLowerCase()];
    const url = resolveUrl(a.href!, baseUrl);
    if (type === undefined || url === undefined) continue;
    const title = a.title?.trim();
    out.push(title ? { url, type, title } : { url, type });
  }
  return out;
}

/** Runs the switched-on built-ins; each adds its key even when the page has nothing (`[]` / `{}`). */
export function extractBuiltins($: CheerioAPI, builtins: BuiltinsConfig, baseUrl: string): { fields: Record<string, unknown>; warnings: string[] } {
  const fields: Record<string, unknown> = {};
  const warnings: string[] = [];
  if (builtins.jsonLd) {
    const jsonLd = extractJsonLd($);
    fields.jsonLd = jsonLd.blocks;
    warnings.push(...jsonLd.warnings);
  }
  if (builtins.openGraph) fields.openGraph = extractMetaPrefixed($, 'og');
  if (builtins.twitter) fields.twitter = extractMetaPrefixed($, 'twitter');
  if (builtins.microdata) fields.microdata = extractMicrodata($, baseUrl);
  if (builtins.hreflang) fields.hreflang = extractHreflang($, baseUrl);
  if (builtins.feeds) fields.feeds = extractFeeds($, baseUrl);
  return { fields, warnings };
}
