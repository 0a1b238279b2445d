/**
 * Admission micro-benchmark: pushes synthetic URLs through the frontier's
 * dedup, in batches of 1,000 as discovered links arrive, and reports URLs/s
 * and RSS growth per URL seen (after a full GC; run with --expose-gc).
 *
 *   node --expose-gc dist/bench/frontier-admission.js [--urls 10000000] [--hosts 1000000] [--target seen|frontier] [--budget-mb 64]
 *
 * `--target seen` measures the seen-set alone (every URL is new once, and
 * each is offered twice: half the offers are duplicates); `--target frontier`
 * measures `MemoryFrontier.add` with the crawl's memory budget for queued
 * requests (past it they go to a spill file, as in a crawl).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import type { CrawlRequest } from '../src/core/types.js';
import { FingerprintSet } from '../src/frontier/fingerprint-set.js';
import { MemoryFrontier } from '../src/frontier/memory-frontier.js';
import { applyCrawlHeapPolicy } from '../src/core/heap-policy.js';

const { values } = parseArgs({
  options: {
    urls: { type: 'string', default: '10000000' },
    hosts: { type: 'string', default: '1000000' },
    target: { type: 'string', default: 'seen' },
    'budget-mb': { type: 'string', default: '64' },
  },
});
const urls = Number(values.urls);
const hosts = Number(values.hosts);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
// The heap of a crawl's main process, where the frontier lives.
applyCrawlHeapPolicy();

/** URL i: host chosen by a multiplicative hash (links spread over all hosts), a path per URL. */
const urlOf = (i: number): string => `http://h${(Math.imul(i, 2654435761) >>> 0) % hosts}.example.com/section/${i % 97}/page-${i}.html`;

gc();
const rssBefore = process.memoryUsage.rss();
const started = performance.now();
/** The highest RSS seen while admitting (sampled every 100 ms while `frontier.add` yields; the seen-set's loop does not). */
let peakRss = rssBefore;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 100);
let accepted = 0;
if (values.target === 'seen') {
  const seen = new FingerprintSet();
  for (let i = 0; i < urls; i++) {
    if (seen.add(urlOf(i))) accepted++;
    if (i % 2 === 1 && seen.add(urlOf(i - 1))) accepted++; // a duplicate
  }
  await report(seen.size, seen.bytes);
  // Used after the report, so the set is alive while RSS is read.
  if (seen.size !== accepted) throw new Error(`the seen-set holds ${seen.size} URLs, ${accepted} were accepted`);
} else {
  const dir = await mkdtemp(path.join(tmpdir(), 'skein-admission-'));
  const budgetBytes = Number(values['budget-mb']) * 2 ** 20;
  const frontier = new MemoryFrontier({ maxPages: urls, hostPolicy: { delayMs: 0, parallelism: 4 }, spill: { dir, budgetBytes } });
  const batch: CrawlRequest[] = [];
  for (let i = 0; i < urls; i++) {
    const url = urlOf(i);
    batch.push({ key: url, url, depth: 1, source: 'link' });
    if (batch.length === 1000 || i === urls - 1) {
      for (const result of await frontier.add(batch)) if (result.ok) accepted++;
      batch.length = 0;
    }
  }
  const stats = await frontier.stats();
  await report(stats.seen, undefined, stats.hosts);
  await frontier.close();
  await rm(dir, { recursive: true, force: true });
}

/**
 * Prints the figures. RSS growth is read after a full GC and again 2 s and
 * a second GC later: V8 gives the pages a collection freed back to the
 * system in the background, so RSS read right after the GC still counts
 * them (tens of MB at this size).
 */
async function report(seen: number, tableBytes?: number, hostsHeld?: number): Promise<void> {
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  gc!();
  const rssRightAfterGc = process.memoryUsage.rss();
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  gc!();
  const rssAfter = process.memoryUsage.rss();
  const perUrl = (rssAfter - rssBefore) / seen;
  console.log(
    JSON.stringify({
      target: values.target,
      urls,
      hosts,
      accepted,
      seen,
      ...(hostsHeld !== undefined ? { hostsHeld } : {}),
      seconds: Math.round(seconds * 10) / 10,
      urlsPerSecond: Math.round(urls / seconds),
      rssGrowthMb: Math.round((rssAfter - rssBefore) / 2 ** 20),
      rssGrowthRightAfterGcMb: Math.round((rssRightAfterGc - rssBefore) / 2 ** 20),
      heapUsedMb: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
      arrayBuffersMb: Math.round(process.memoryUsage().arrayBuffers / 2 ** 20),
      rssBytesPerUrl: Math.round(perUrl * 10) / 10,
      peakRssGrowthMb: Math.round((peakRss - rssBefore) / 2 ** 20),
      peakRssBytesPerUrl: Math.round(((peakRss - rssBefore) / seen) * 10) / 10,
      heapTotalMb: Math.round(process.memoryUsage().heapTotal / 2 ** 20),
      ...(tableBytes !== undefined ? { tableBytesPerUrl: Math.round((tableBytes / seen) * 10) / 10 } : {}),
      loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    }),
  );
}
