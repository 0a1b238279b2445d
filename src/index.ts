/**
 * skein's public library API.
 *
 * ```ts
 * import { crawl } from 'skein';
 * const summary = await crawl({ seeds: ['https://example.com/'], scope: { maxPages: 100 } });
 * ```
 */
import { validateConfig } from './config/load-config.js';
import type { CrawlConfigInput } from './config/schema.js';
import { createCrawler as createCrawlerFromConfig, type CreateCrawlerOptions, type CrawlHandle } from './core/create-crawler.js';
import type { CrawlSummary } from './core/events.js';

export { crawlConfigSchema } from './config/schema.js';
export type { CrawlConfig, CrawlConfigInput } from './config/schema.js';
export { loadConfig, validateConfig } from './config/load-config.js';
export type { CrawlHandle, CreateCrawlerOptions } from './core/create-crawler.js';
export { CrawlEventBus } from './core/events.js';
export type { CrawlEvents, CrawlEventName, CrawlSummary } from './core/events.js';
export * from './core/errors.js';
export type * from './core/types.js';
export type { Frontier, FrontierStats, HostPolicy } from './frontier/frontier.js';
export type { PageStore } from './store/page-store.js';
export { LowdbPageStore } from './store/lowdb-page-store.js';
export { normalizeUrl } from './url/normalize-url.js';
export { exportRecords } from './export/export-records.js';
export { exportDirectory } from './export/export-directory.js';
export type { DirectoryFormat, DirectoryExportResult } from './export/export-directory.js';
export { chunkMarkdown } from './export/chunk-markdown.js';
export type { ChunkOptions, MarkdownChunk } from './export/chunk-markdown.js';
export { replayCrawl, comparableRecord } from './replay/replay-crawl.js';
export type { ReplayCrawlOptions, ReplayCrawlResult } from './replay/replay-crawl.js';
export type { FixtureDefinition, FixtureMeta } from './replay/fixture-definition.js';
export type { ReplayOptions, RecordReplayOptions } from './replay/record-replay.js';

/** Creates a crawl from a config (validated here) without running it. */
export async function createCrawler(input: CrawlConfigInput, options: CreateCrawlerOptions = {}): Promise<CrawlHandle> {
  return createCrawlerFromConfig(validateConfig(input), options);
}

/** Runs a crawl to its end and returns the summary. */
export async function crawl(input: CrawlConfigInput, options: CreateCrawlerOptions = {}): Promise<CrawlSummary> {
  const handle = await createCrawler(input, options);
  try {
    return await handle.run();
  } finally {
    await handle.close();
  }
}
