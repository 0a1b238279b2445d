/**
 * A crawl state on disk for the benchmarks that read one back (resume-cost.ts,
 * recover-cost.ts): realistic requests and ~2 KB page records, written
 * through the real store and journal in crawl order.
 */
import path from 'node:path';
import type { CrawlRequest, PageRecord } from '../src/core/types.js';
import { FrontierJournal } from '../src/store/frontier-journal.js';
import { LowdbPageStore } from '../src/store/lowdb-page-store.js';

/** Pages per store flush. */
export const BATCH = 500;

/** Request n: 20 hosts, URLs of realistic length. */
export function requestAt(n: number): CrawlRequest {
  const key = `https://site-${n % 20}.example.com/section-${n % 97}/article-${n}-about-crawling`;
  return { key, url: key, depth: 1 + (n % 5), referrer: `https://site-${n % 20}.example.com/section-${n % 97}/`, source: 'link' };
}

/** A stored page of about 2 KB as compact JSON. */
export function recordFor(request: CrawlRequest, n: number): PageRecord {
  return {
    key: request.key,
    url: request.url,
    finalUrl: request.url,
    redirects: [],
    status: 200,
    contentType: 'text/html; charset=utf-8',
    depth: request.depth,
    ...(request.referrer ? { referrer: request.referrer } : {}),
    fetchedAt: new Date(1_700_000_000_000 + n * 1_000).toISOString(),
    outcome: 'ok',
    bytes: 40_000 + (n % 997),
    timings: { waitMs: 40, downloadMs: 11, parseMs: 6, totalMs: 60 },
    title: `Article ${n} about crawling`,
    description: 'What a search engine would show under the title of this page in its results.',
    lang: 'en',
    h1: [`Article ${n}`],
    text: `Paragraph ${n} of body text, as extracted from the page. `.repeat(20).slice(0, 1_000),
    links: Array.from({ length: 8 }, (_, i) => requestAt(n * 3 + i).key),
  };
}

/** Writes the state through the real store and journal, in crawl order: journal first, then pages. */
export async function buildState(dir: string, pages: number, urls: number): Promise<void> {
  const journal = new FrontierJournal(path.join(dir, 'frontier'));
  const store = await LowdbPageStore.open(path.join(dir, 'pages'), { flushFirst: () => journal.flush() });
  const journalPerPageBatch = Math.ceil(urls / Math.ceil(pages / BATCH));
  let recorded = 0;
  for (let done = 0; done < pages; done += BATCH) {
    const upTo = Math.min(urls, recorded + journalPerPageBatch);
    const batch: CrawlRequest[] = [];
    for (; recorded < upTo; recorded++) batch.push(requestAt(recorded));
    journal.record(batch);
    for (let n = done; n < Math.min(pages, done + BATCH); n++) store.put(recordFor(requestAt(n), n));
    await store.flush();
  }
  const rest: CrawlRequest[] = [];
  for (; recorded < urls; recorded++) rest.push(requestAt(recorded));
  journal.record(rest);
  await store.close();
  await journal.flush();
}
