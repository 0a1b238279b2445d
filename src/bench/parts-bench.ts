/**
 * The crawl's per-page parts measured in isolation, on the main thread, for
 * comparison with a whole crawl's CPU per page:
 * - fetch: the crawler's got fetcher (`createFetcher`, same config) fetching
 *   distinct pages of the site with the crawl's concurrency;
 * - parse: `parsePage` on the fetched bodies (what a worker does per page);
 * - store: `LowdbPageStore` put + flush of the real records those pages make.
 * CPU is `process.cpuUsage()` of this process (all its threads), per page.
 * Fetch and parse are timed on a second pass whose results are dropped at
 * once, as in a crawl; the first, untimed pass keeps what the next part needs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CrawlConfig } from '../config/schema.js';
import { parseRulesFor } from '../core/create-crawler.js';
import { fetchedRecord } from '../core/records.js';
import type { CrawlRequest, ParsedPage } from '../core/types.js';
import type { FetchSuccess } from '../fetch/fetch-types.js';
import { createFetcher } from '../fetch/fetcher.js';
import { compileParseRules, parsePage } from '../parse/parse-page.js';
import { LowdbPageStore } from '../store/lowdb-page-store.js';
import { round, runConcurrently } from './run-concurrently.js';

export interface PartsBenchResult {
  /** Pages fetched in the fetch part, and the pages/s that fetching alone reached (server included). */
  fetch: { pages: number; pagesPerSecond: number; cpuMsPerPage: number };
  parse: { pages: number; cpuMsPerPage: number };
  store: { pages: number; cpuMsPerPage: number };
  /** fetch + parse + store, CPU ms per page. */
  sumCpuMsPerPage: number;
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/**
 * Measures the parts against `siteUrl` (a generated site with `/p/<n>`
 * pages) with the crawl's own config. `pages` pages are fetched; parse and
 * store run over them (bodies kept in memory: keep `pages` modest).
 */
export async function runPartsBench(siteUrl: string, config: CrawlConfig, pages: number): Promise<PartsBenchResult> {
  const urls = Array.from({ length: pages }, (_, i) => `${siteUrl}/p/${i}`);
  const fetcher = createFetcher(config.fetch, undefined, { seeds: [siteUrl] });
  let responses: FetchSuccess[];
  let fetchCpuMs: number;
  let fetchSeconds: number;
  try {
    // Untimed: the bodies parse and store need (also warms the server's page cache and the JIT).
    const results = await runConcurrently(urls, config.fetch.concurrency, (url) => fetcher.fetch(url));
    responses = results.filter((r): r is FetchSuccess => r.ok);
    if (responses.length !== results.length) throw new Error(`${results.length - responses.length} of ${results.length} benchmark fetches failed`);
    // Timed: the same pages again, each result dropped at once as the crawler does. Keeping
    // thousands of bodies alive would bill the benchmark's own garbage collection to "fetch".
    const cpu = process.cpuUsage();
    const startedAt = performance.now();
    await runConcurrently(urls, config.fetch.concurrency, async (url) => void (await fetcher.fetch(url)));
    fetchSeconds = (performance.now() - startedAt) / 1000;
    fetchCpuMs = cpuMsSince(cpu);
  } finally {
    fetcher.close();
  }

  const compiled = compileParseRules(parseRulesFor(config));
  const requests: CrawlRequest[] = responses.map((r) => ({ key: r.finalUrl, url: r.url, depth: 2, source: 'link' }));
  const inputs = responses.map((r, i) => ({ url: r.finalUrl, depth: requests[i]!.depth, status: r.status, contentType: r.contentType ?? 'text/html', body: r.body }));
  // Untimed: the records store needs (and the JIT warm-up). Timed: the same pages again, each
  // result dropped at once as a parser worker does once it has sent it.
  const parsed: ParsedPage[] = inputs.map((input) => parsePage(input, compiled));
  const parseCpu = process.cpuUsage();
  for (const input of inputs) parsePage(input, compiled);
  const parseCpuMs = cpuMsSince(parseCpu);

  const dir = await mkdtemp(join(tmpdir(), 'skein-bench-store-'));
  let storeCpuMs: number;
  try {
    const store = await LowdbPageStore.open(join(dir, 'pages'));
    const storeCpu = process.cpuUsage();
    const nowMs = Date.now();
    for (let i = 0; i < responses.length; i++) {
      store.put(fetchedRecord(requests[i]!, responses[i]!, nowMs, nowMs, parsed[i]!));
      if (store.pending >= config.store.batchSize) await store.flush();
    }
    await store.close();
    storeCpuMs = cpuMsSince(storeCpu);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const n = responses.length;
  const fetch = { pages: n, pagesPerSecond: round(n / fetchSeconds, 1), cpuMsPerPage: round(fetchCpuMs / n) };
  const parse = { pages: n, cpuMsPerPage: round(parseCpuMs / n) };
  const store = { pages: n, cpuMsPerPage: round(storeCpuMs / n) };
  return { fetch, parse, store, sumCpuMsPerPage: round(fetch.cpuMsPerPage + parse.cpuMsPerPage + store.cpuMsPerPage) };
}
