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
 * The crawl name is the crawl id. Secrets (header values, proxy credentials) are
 * stored as "[redacted]": every node takes them from its own config (the same
 * --config file, SKEIN_* variables, or `${env:NAME}` references).
 *
 * The definition is stored together with the crawl's identity token
 * (`instance`, see frontier/redis-keys.ts), and every node keeps a copy in its
 * own directory (`shared-crawl.json`), so that a crawl whose Redis state was
 * lost can be rebuilt from the nodes (recover-crawl.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RedisClient } from './redis-connection.js';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { validateConfig } from '../config/load-config.js';
import type { CrawlConfig } from '../config/schema.js';
import { ConfigError } from '../core/errors.js';
import { redactConfig, restoreRedacted } from '../fetch/redact-secrets.js';
import { crawlKeys, crawlStateLostError } from '../frontier/redis-keys.js';
import type { CrawlPaths } from '../store/crawl-dir.js';

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
  /**
   * Token of this incarnation of the crawl, new when it is seeded or
   * recovered; the crawl's identity key holds it while its state is in Redis.
   * Absent in definitions written before identities existed.
   */
  instance?: string;
  /**
   * How many shards the frontier's keys are spread over (frontier/redis-codec.ts).
   * Absent in definitions of an older skein, whose frontier sat in one slot.
   */
  shards?: number;
  /** Set when the crawl was rebuilt from its nodes' stores. */
  recovered?: { at: string; by: string };
}

/** Top-level config keys that are node-local. */
const LOCAL_KEYS = ['name', 'dataDir', 'parser', 'store', '$schema'] as const;

/** The shared part of a config (a plain JSON object). Pure. */
export function sharedPart(config: CrawlConfig): Record<string, unknown> {
  // Secrets are never stored, in Redis or in the nodes' copies: each node brings its own (`nodeConfig`).
  const copy = redactConfig(config) as unknown as Record<string, unknown>;
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
    fetch: { ...restoreRedacted(base.fetch ?? {}, local.fetch), concurrency: local.fetch.concurrency },
    politeness: { ...base.politeness, ...(seeding ? {} : { sitemaps: false }) },
  });
}

/**
 * Seeds or joins, atomically: KEYS definition, identity, then keys that exist
 * only while the crawl has state. ARGV definition JSON, its token.
 * Returns {'seeded'}, {'joined', definition}, or {'damaged', definition|false}
 * when only part of the crawl is there (a definition or an identity without
 * the other, or state without either: evicted keys, a hand-made deletion).
 */
const PUBLISH = `
local hasDefinition = redis.call('EXISTS', KEYS[1]) == 1
local hasIdentity = redis.call('EXISTS', KEYS[2]) == 1
if hasDefinition and hasIdentity then return { 'joined', redis.call('GET', KEYS[1]) } end
if hasDefinition then return { 'damaged', redis.call('GET', KEYS[1]) } end
if hasIdentity then return { 'damaged', false } end
for i = 3, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then return { 'damaged', false } end
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
return { 'seeded' }
`;

/**
 * Stores `crawl` (which must carry its `instance` token) with its identity
 * unless the crawl id already has one. Returns the stored crawl and whether
 * this call stored it. Throws `ERR_FRONTIER_STATE_LOST` when Redis holds only
 * part of the crawl, and `ConfigError` for a crawl an older skein started.
 */
export async function publishCrawl(redis: RedisClient, crawl: SharedCrawl & { instance: string }): Promise<{ crawl: SharedCrawl & { instance: string }; seeded: boolean }> {
  const keys = crawlKeys(crawl.crawlId);
  const [result, raw] = (await redis.eval(PUBLISH, 2 + keys.state.length, keys.definition, keys.identity, ...keys.state, JSON.stringify(crawl), crawl.instance)) as [string, string | null | undefined];
  if (result === 'seeded') return { crawl, seeded: true };
  const stored = raw ? checkSharedCrawl(raw, crawl.crawlId, 'in Redis') : undefined;
  if (result === 'joined' && stored?.instance && stored.shards) return { crawl: { ...stored, instance: stored.instance }, seeded: false };
  if (stored && (!stored.instance || !stored.shards)) throw olderCrawl(crawl.crawlId);
  throw crawlStateLostError(crawl.crawlId, 'damaged');
}

/** KEYS definition, identity. ARGV the token expected, new definition, new token. Replaces both if the token is still the expected one. */
const REKEY = `
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  redis.call('SET', KEYS[2], ARGV[3])
  return { 'rekeyed', ARGV[2] }
end
return { 'other', redis.call('GET', KEYS[1]) }
`;

/**
 * Gives a crawl whose state Redis kept only in part (a master of a cluster
 * restarted empty: some shards lost) a new identity: `crawl` with its new
 * token replaces the stored definition if that still holds `crawl`'s old
 * token `previous`; else another node did it first and its crawl is returned.
 * Nodes still on the old token stop at their next script (crawl replaced).
 */
export async function rekeyCrawl(redis: RedisClient, crawl: SharedCrawl & { instance: string }, previous: string): Promise<SharedCrawl> {
  const keys = crawlKeys(crawl.crawlId);
  const [, raw] = (await redis.eval(REKEY, 2, keys.definition, keys.identity, previous, JSON.stringify(crawl), crawl.instance)) as [string, string | null];
  if (raw === null) throw crawlStateLostError(crawl.crawlId, 'damaged');
  return checkSharedCrawl(raw, crawl.crawlId, 'in Redis');
}

/** The stored crawl, or undefined when no node seeded this crawl id. */
export async function readCrawl(redis: RedisClient, crawlId: string): Promise<SharedCrawl | undefined> {
  const raw = await redis.get(crawlKeys(crawlId).definition);
  return raw === null ? undefined : checkSharedCrawl(raw, crawlId, 'in Redis');
}

/** `crawl` with its token and shard count, or `ConfigError` for a crawl an older skein started (it has none). */
export function withInstance(crawl: SharedCrawl): SharedCrawl & { instance: string; shards: number } {
  if (!crawl.instance || !crawl.shards) throw olderCrawl(crawl.crawlId);
  return { ...crawl, instance: crawl.instance, shards: crawl.shards };
}

/** Where a node keeps its copy of the definition: `<node dir>/shared-crawl.json`. */
export function crawlCopyPath(paths: CrawlPaths): string {
  return path.join(paths.dir, 'shared-crawl.json');
}

/** Writes the node's copy of the definition (atomically: temp file + rename). */
export async function writeCrawlCopy(paths: CrawlPaths, crawl: SharedCrawl): Promise<void> {
  await new Low<SharedCrawl>(new JSONFile(crawlCopyPath(paths)), crawl).write();
}

/** A node's copy of the definition; undefined when it has none (a node of an older skein). */
export async function readCrawlCopy(paths: CrawlPaths, crawlId: string): Promise<SharedCrawl | undefined> {
  const file = crawlCopyPath(paths);
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return checkSharedCrawl(raw, crawlId, `in ${file}`);
}

function checkSharedCrawl(raw: string, crawlId: string, where: string): SharedCrawl {
  let value: SharedCrawl;
  try {
    value = JSON.parse(raw) as SharedCrawl;
  } catch {
    throw new ConfigError('crawl-id', `the crawl definition of "${crawlId}" ${where} is not valid JSON`);
  }
  if (value.version !== 1 || value.crawlId !== crawlId || !isObject(value.config)) {
    throw new ConfigError('crawl-id', `the crawl definition of "${crawlId}" ${where} has an unknown format (version ${String(value.version)})`);
  }
  return value;
}

function olderCrawl(crawlId: string): ConfigError {
  return new ConfigError('crawl-id', `crawl "${crawlId}" was started by an older skein (its definition has no identity token or shard count: its frontier has another layout); finish it with that version, or start a new crawl with another --crawl-id`);
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
  return crawlKeys(crawlId).definition;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
