/**
 * A crawl's report from its stores: every store of the crawl (one, or the
 * node stores of a distributed crawl in several data dirs) is streamed once
 * through the collector; the metadata (seeds, runs) comes from the first
 * store that has it.
 */
import path from 'node:path';
import { openMergedCrawl } from '../distributed/merged-crawl.js';
import { CrawlMeta, type CrawlMetaData } from '../store/crawl-meta.js';
import { collectReport } from './collect-report.js';
import type { ReportData } from './report-data.js';

/** The report data of the crawl `name` in `dataDirs`; ConfigError when there is no such crawl. */
export async function buildReportData(dataDirs: string[], name: string, now = new Date()): Promise<ReportData> {
  const crawl = await openMergedCrawl(dataDirs, name);
  let meta: CrawlMetaData | undefined;
  for (const dir of crawl.dirs) {
    meta = await new CrawlMeta(path.join(dir, 'crawl.json')).read().catch(() => undefined);
    if (meta) break;
  }
  return collectReport(crawl.iterate(), { name, dirs: crawl.dirs, ...(meta ? { meta } : {}), now });
}
