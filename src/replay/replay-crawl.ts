/**
 * `replayCrawl()`: run a recorded crawl again, offline, from a test, and get
 * its stored records back. See docs/replay.md for a worked node:test example.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeLayers, validateConfig } from '../config/load-config.js';
import type { CrawlConfigInput } from '../config/schema.js';
import { createCrawler } from '../core/create-crawler.js';
import type { CrawlSummary } from '../core/events.js';
import type { PageRecord } from '../core/types.js';
import { crawlPaths } from '../store/crawl-dir.js';
import { LowdbPageStore } from '../store/lowdb-page-store.js';
import type { FixtureDefinition } from './fixture-definition.js';
import { readFixture } from './read-fixture.js';
import { withoutRedactedValues } from '../fetch/redact-secrets.js';

/**
 * Under the caller's config: one request at a time, so pages are discovered in
 * the same order every run (the same depth and referrer on every record).
 */
const REPLAY_DEFAULTS = { name: 'replay', fetch: { concurrency: 1 } };

export interface ReplayCrawlOptions {
  /** A fixture file written by `skein crawl --record`, a WARC file or directory (`--warc`), or its definitions. */
  fixture: string | readonly FixtureDefinition[];
  /**
   * Config over the recorded crawl's own (which gives the seeds, scope and
   * everything else that was recorded): e.g. other extraction rules.
   * `dataDir` defaults to a temporary directory, removed afterwards; a stored
   * crawl of the same name there is replaced. `name` defaults to "replay" and
   * `fetch.concurrency` to 1 (records identical run after run, referrers included).
   */
  config?: CrawlConfigInput;
  /** Keep the configured delays. @default false */
  politeness?: boolean;
}

export interface ReplayCrawlResult {
  summary: CrawlSummary;
  /** Every stored record (ok, failed and skipped pages), sorted by key. */
  records: PageRecord[];
}

/**
 * Replays a fixture with no network and returns what the crawl stored.
 * Requests the fixture does not hold become failed records with reason `not-recorded`.
 *
 * @example
 * const { records } = await replayCrawl({ fixture: 'test/fixtures/site.json', config: { extract: { fields: { price: '.price' } } } });
 */
export async function replayCrawl(options: ReplayCrawlOptions): Promise<ReplayCrawlResult> {
  const fixture = await readFixture(options.fixture);
  const tempDir = options.config?.dataDir === undefined ? await mkdtemp(join(tmpdir(), 'skein-replay-')) : undefined;
  try {
    const config = validateConfig(
      mergeLayers(withoutRedactedValues(fixture.meta?.config ?? {}), REPLAY_DEFAULTS, (options.config ?? {}) as Record<string, unknown>, tempDir ? { dataDir: tempDir } : {}),
    );
    const handle = await createCrawler(config, { fresh: true, replay: { fixture: fixture.definitions, politeness: options.politeness ?? false } });
    let summary: CrawlSummary;
    try {
      summary = await handle.run();
    } finally {
      await handle.close();
    }
    return { summary, records: await readRecords(crawlPaths(config.dataDir, handle.name).pages) };
  } finally {
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  }
}

/** A record without what differs from run to run (`fetchedAt`, `timings`): compare these. */
export function comparableRecord(record: PageRecord): Omit<PageRecord, 'fetchedAt' | 'timings'> {
  const { fetchedAt: _fetchedAt, timings: _timings, ...rest } = record;
  return rest;
}

async function readRecords(pagesPath: string): Promise<PageRecord[]> {
  const store = await LowdbPageStore.open(pagesPath);
  const records: PageRecord[] = [];
  try {
    for await (const record of store.iterate()) records.push(record);
  } finally {
    await store.close();
  }
  return records.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
