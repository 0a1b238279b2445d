/**
 * Shared helpers for crawl-level tests: temp dirs, a config builder with
 * test-friendly defaults, running one crawl to its end, and reading back what
 * a crawl stored.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { performance } from 'node:perf_hooks';
import { validateConfig } from '../../src/config/load-config.js';
import type { CrawlConfig, CrawlConfigInput } from '../../src/config/schema.js';
import type { CrawlEventBus, CrawlSummary } from '../../src/core/events.js';
import type { PageRecord } from '../../src/core/types.js';
import { createCrawler } from '../../src/index.js';
import { crawlPaths } from '../../src/store/crawl-dir.js';
import { LowdbPageStore } from '../../src/store/lowdb-page-store.js';

export async function tempDataDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'skein-test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Returns `newDir()`, which makes a fresh temp dir named `<prefix>…`. Every dir
 * it made is removed by an `after` hook of the suite (or file, at top level)
 * that called `tempDirs`.
 */
export function tempDirs(prefix = 'skein-test-'): () => Promise<string> {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };

/** A validated config for tests: small worker count, fast flushes, robots on. */
export function testConfig(dataDir: string, input: DeepPartial<CrawlConfigInput> & { seeds: string[] }): CrawlConfig {
  const base = {
    name: 'test',
    dataDir,
    parser: { workers: 2, taskTimeoutMs: 10_000 },
    store: { flushIntervalMs: 200, batchSize: 50 },
    fetch: { timeouts: { requestMs: 5_000, responseMs: 3_000 }, concurrency: 16, perHostParallelism: 8 },
  };
  return validateConfig(merge(base, input as Record<string, unknown>));
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev)
      ? merge(prev as Record<string, unknown>, v as Record<string, unknown>)
      : v;
  }
  return out;
}

/** Every record a crawl stored on disk, by key. */
export async function storedRecords(dataDir: string, name: string): Promise<Map<string, PageRecord>> {
  const store = await LowdbPageStore.open(crawlPaths(dataDir, name).pages);
  const records = new Map<string, PageRecord>();
  for await (const record of store.iterate()) {
    if (records.has(record.key)) throw new Error(`stored twice: ${record.key}`);
    records.set(record.key, record);
  }
  await store.close();
  return records;
}

export interface CrawlRun {
  summary: CrawlSummary;
  /** What the crawl stored, by key (see `storedRecords`). */
  records: Map<string, PageRecord>;
  /** Wall time of `run()` alone. */
  wallMs: number;
}

/**
 * Runs one crawl to its end (closing it even if `run()` throws) and reads back
 * what it stored. `listen` subscribes to the crawl's events before it starts.
 */
export async function runCrawl(config: CrawlConfig, listen?: (events: CrawlEventBus) => void): Promise<CrawlRun> {
  const handle = await createCrawler(config);
  listen?.(handle.events);
  const started = performance.now();
  let summary: CrawlSummary;
  try {
    summary = await handle.run();
  } finally {
    await handle.close();
  }
  const wallMs = performance.now() - started;
  return { summary, records: await storedRecords(config.dataDir, handle.name), wallMs };
}
