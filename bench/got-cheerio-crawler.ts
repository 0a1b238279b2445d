/**
 * The yardstick of `bench/versus-got-cheerio.ts`: the crawler a competent Node
 * developer writes in an afternoon with the same libraries skein uses, the
 * obvious way. got (skein's pinned version) fetches, a p-queue of the same
 * concurrency bounds the requests in flight, `cheerio.load` parses each HTML
 * page, and each page's record (title, links resolved against the page and
 * deduplicated in a Set, visible text) is appended to a JSONL file.
 *
 * Scope is the seed's host; a page's URL is deduplicated by its string with
 * the #fragment removed (no other normalisation). What it leaves out, and
 * skein does: robots.txt (never fetched), sitemaps, per-host politeness and
 * backoff, body size caps, charset sniffing, crash-safe storage and resume.
 * It keeps no state but the seen-set and the file.
 *
 *   node dist/bench/got-cheerio-crawler.js <seed> --out pages.jsonl [--max-pages 1000] [--concurrency 16]
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import * as cheerio from 'cheerio';
import got from 'got';
import PQueue from 'p-queue';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string', default: 'pages.jsonl' },
    'max-pages': { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '16' },
  },
});
const seed = positionals[0];
if (!seed) throw new Error('usage: got-cheerio-crawler <seed> --out <file> [--max-pages n] [--concurrency n]');
const maxPages = Number(values['max-pages']);
const host = new URL(seed).host;

const queue = new PQueue({ concurrency: Number(values.concurrency) });
const out = createWriteStream(values.out, { flags: 'a' });
const seen = new Set<string>();
let failed = 0;

function enqueue(url: string): void {
  if (seen.has(url) || seen.size >= maxPages) return;
  seen.add(url);
  void queue.add(() => crawlPage(url));
}

async function crawlPage(url: string): Promise<void> {
  try {
    const response = await got(url, { timeout: { request: 30_000 }, retry: { limit: 2 }, throwHttpErrors: false });
    const type = response.headers['content-type'] ?? '';
    if (!type.includes('text/html')) {
      out.write(JSON.stringify({ url, status: response.statusCode, contentType: type }) + '\n');
      return;
    }
    const $ = cheerio.load(response.body);
    const title = $('title').first().text().trim();
    const links = new Set<string>();
    $('a[href]').each((_, element) => {
      try {
        const link = new URL($(element).attr('href')!, response.url);
        link.hash = '';
        if (link.protocol === 'http:' || link.protocol === 'https:') links.add(link.href);
      } catch {
        // not a URL: skip it
      }
    });
    $('script, style, noscript, template').remove();
    const text = $('body').text().replace(/\s+/g, ' ').trim();
    out.write(JSON.stringify({ url, status: response.statusCode, title, links: [...links], text }) + '\n');
    for (const link of links) {
      if (new URL(link).host === host) enqueue(link);
    }
  } catch (error) {
    failed++;
    out.write(JSON.stringify({ url, error: (error as Error).message }) + '\n');
  }
}

enqueue(seed);
await queue.onIdle();
out.end();
await once(out, 'finish');
console.log(JSON.stringify({ pages: seen.size, failed }));
