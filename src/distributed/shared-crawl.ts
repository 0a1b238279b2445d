/**
 * The crawl definition every node of a distributed crawl runs, kept in Redis
 * at `skein:{<crawlId>}:crawl` so that nodes joining later (`skein worker`)
 * run the same crawl as the node that seeded it.
 *
 * A config splits in two:
 * - shared (from Redis, the same on every node): seeds, scope, politeness,
 *   fetch (except concurrency), extract. These decide which pages the crawl
 *   holds and how hard each host is hit, so they must not differ per node.
 * - node-local (each node's own flags/file/env): dataDir, fetch.concurrency,
 *   parser, store. These size one machine.
 * The crawl name is the crawl id.
 */
import type { Redis } from 'ioredis';
import { validateConfig } from '../config/load-config.js';
import type { CrawlConfig } from '../config/schema.js';
import { ConfigError } from '../core/errors.js';
import { RedisFrontier } from '../frontier/redis-frontier.js';

/** What the seeding node stores. */
export interface SharedCrawl {
  version: 1;
  crawlId: string;
  /** The shared part of the seeder's validated config (see `sharedPart`). */
  config: Record<string, unknown>;
  /** Lease length every node uses (a lease of a dead node comes back after this). */
  leaseMs: number;
  createdAt: string;
  seededBy: string;
}

/** Top-level config keys that are node-local. */
const LOCAL_KEYS = ['name', 'dataDir', 'parser', 'store', '$schema'] as const;

/** The shared part of a config (a plain JSON object). Pure. */
export function sharedPart(config: CrawlConfig): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  for (const key of LOCAL_KEYS) delete copy[key];
  delete (copy.fetch as Record<string, unknown>).concurrency;
  return copy;
}

/** The first dotted path where two JSON values differ, or undefined when equal. Pure. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const found = firstDifference(a[key], b[key], path ? `${path}.${key}` : key);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  return JSON.stringify(a) === JSON.stringify(b) ? undefined : path || 'config';
}

/**
 * This node's config: the shared part from Redis, the node-local part from
 * `local`, named after the crawl. `seeding` false (a joining node) turns off
 * sitemap seeding, which only the seeding node does. Validated. Pure.
 */
export function nodeConfig(shared: SharedCrawl, local: CrawlConfig, seeding: boolean): CrawlConfig {
  const base = shared.config as { fetch?: Record<string, unknown>; politeness?: Record<string, unknown> };
  return validateConfig({
    ...shared.config,
    name: shared.crawlId,
    dataDir: local.dataDir,
    parser: local.parser,
    store: local.store,
    fetch: { ...base.fetch, concurrency: local.fetch.concurrency },
    politeness: { ...base.politeness, ...(seeding ? {} : { sitemaps: false }) },
  });
}

/**
 * Stores `crawl` unless the crawl id already has one (atomic SET NX).
 * Returns the stored crawl and whether this call stored it.
 */
export async function publishCrawl(redis: Redis, crawl: SharedCrawl): Promise<{ crawl: SharedCrawl; seeded: boolean }> {
  const key = crawlKey(crawl.crawlId);
  const set = await redis.set(key, JSON.stringify(crawl), 'NX');
  if (set === 'OK') return { crawl, seeded: true };
  const stored = await readCrawl(redis, crawl.crawlId);
  if (!stored) throw new ConfigError('crawl-id', `the crawl "${crawl.crawlId}" vanished from Redis while joining it`);
  return { crawl: stored, seeded: false };
}

/** The stored crawl, or undefined when no node seeded this crawl id. */
export async function readCrawl(redis: Redis, crawlId: string): Promise<SharedCrawl | undefined> {
  const raw = await redis.get(crawlKey(crawlId));
  if (raw === null) return undefined;
  let value: SharedCrawl;
  try {
    value = JSON.parse(raw) as SharedCrawl;
  } catch {
    throw new ConfigError('crawl-id', `the crawl definition of "${crawlId}" in Redis is not valid JSON`);
  }
  if (value.version !== 1 || value.crawlId !== crawlId || !isObject(value.config)) {
    throw new ConfigError('crawl-id', `the crawl definition of "${crawlId}" in Redis has an unknown format (version ${String(value.version)})`);
  }
  return value;
}

/** A joining `skein crawl` must describe the same crawl as the stored one. */
export function assertSameCrawl(stored: SharedCrawl, config: CrawlConfig): void {
  const field = firstDifference(stored.config, sharedPart(config));
  if (field === undefined) return;
  throw new ConfigError(
    field,
    `differs from the crawl "${stored.crawlId}" stored in Redis (seeded by ${stored.seededBy}); every node must run the same crawl. ` +
      `Join it with \`skein worker --redis … --crawl-id ${stored.crawlId}\` (takes the stored config), or pick another --crawl-id.`,
  );
}

export function crawlKey(crawlId: string): string {
  return `${RedisFrontier.keyPrefix(crawlId)}crawl`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
