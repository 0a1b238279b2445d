/**
 * The names of one distributed crawl's keys in Redis, in one place. Crawl-wide
 * keys share the hash tag `{<crawlId>}` (one Redis Cluster slot): the
 * definition, the identity, the node registry, the seed redirects, and the
 * small global frontier state (redis-global-scripts.ts: the `maxPages` budget
 * and the index of shards with work). Everything per host lives in one of the
 * crawl's shards, each under its own hash tag `{<crawlId>:<shard>}`
 * (redis-shard-scripts.ts), so the crawl spreads over a cluster's slots and
 * every frontier script touches one slot.
 *
 * The identity key holds the token of the crawl's current incarnation (set
 * with the crawl definition when a crawl is seeded or recovered), and every
 * shard keeps a copy of it (`shardIdentity`, written by the node that seeds or
 * recovers). Every frontier script checks the copy of its slot first, so a script run against a Redis that lost
 * the crawl (restarted without persistence, flushed, evicted) fails instead
 * of acting on an empty state, and a node of an earlier incarnation (the
 * crawl was recovered while it was away) cannot touch the new one.
 */
import { FrontierUnavailableError } from '../core/errors.js';

export interface CrawlKeys {
  /** Every key of the crawl starts with it: `skein:{<crawlId>}:`. */
  prefix: string;
  /** STRING: the crawl definition (distributed/shared-crawl.ts). */
  definition: string;
  /** STRING: the token of the crawl's current incarnation. */
  identity: string;
  /** HASH: node id → the node's last report (distributed/node-heartbeat.ts). */
  nodes: string;
  /** STRING per shard: the copy of the identity token its scripts check. */
  shardIdentity(shard: number): string;
  /** The prefix of every key of one shard: `skein:{<crawlId>:<shard>}:`. */
  shardPrefix(shard: number): string;
  /** A SCAN/KEYS pattern matching every key of the crawl, shards included. */
  pattern: string;
  /** Keys present while the crawl has any state (one of them without an identity: damaged state). */
  state: string[];
}

/** The keys of `crawlId` (its characters are letters, digits, ".", "_" and "-": nothing a pattern treats specially). Pure. */
export function crawlKeys(crawlId: string): CrawlKeys {
  const prefix = `skein:{${crawlId}}:`;
  const nodes = `${prefix}nodes`;
  const shardPrefix = (shard: number) => `skein:{${crawlId}:${shard}}:`;
  return {
    prefix,
    definition: `${prefix}crawl`,
    identity: `${prefix}identity`,
    nodes,
    shardIdentity: (shard) => `${shardPrefix(shard)}id`,
    shardPrefix,
    pattern: `skein:{${crawlId}[:}]*`,
    state: [`${prefix}g`, `${prefix}ready`, nodes],
  };
}

/** What a script's identity check found: the key missing, or holding another incarnation's token. */
export type IdentityProblem = 'gone' | 'replaced';

/** The Redis error word a script answers with when its identity check fails. */
export const IDENTITY_ERRORS: Record<IdentityProblem, string> = { gone: 'SKEIN_CRAWL_GONE', replaced: 'SKEIN_CRAWL_REPLACED' };

/** Why a node cannot work on its crawl: `damaged` when Redis holds part of it without its identity. */
export type CrawlStateProblem = IdentityProblem | 'damaged';

/**
 * The error of a node whose crawl is no longer in Redis (`ERR_FRONTIER_STATE_LOST`,
 * not retryable: waiting does not bring the state back). The CLI adds what the
 * node kept and how to continue.
 */
export function crawlStateLostError(crawlId: string, problem: CrawlStateProblem, cause?: unknown): FrontierUnavailableError {
  const keys = crawlKeys(crawlId);
  const messages: Record<CrawlStateProblem, string> = {
    gone: `the shared state of crawl "${crawlId}" is gone from Redis (its identity key ${keys.identity} is missing: Redis restarted without persistence, was flushed, or evicted keys); the queue, the seen URLs, the leases and the counters were lost, and nothing was done on the empty state`,
    replaced: `crawl "${crawlId}" in Redis is no longer the one this node joined (its identity changed: the crawl was recovered or started again while this node was away)`,
    damaged: `Redis holds part of crawl "${crawlId}" but not all of its definition and identity (keys evicted: run Redis with maxmemory-policy noeviction; or deleted by hand); delete what is left (redis-cli --scan --pattern '${keys.pattern}' | xargs redis-cli del) before rebuilding it`,
  };
  const message = messages[problem];
  return new FrontierUnavailableError('ERR_FRONTIER_STATE_LOST', message, { retryable: false, ...(cause === undefined ? {} : { cause }) });
}

/** Throws `ERR_FRONTIER_STATE_LOST` unless Redis holds `token` at the crawl's identity key (connection errors pass through). */
export async function checkIdentity(redis: { get(key: string): Promise<string | null> }, crawlId: string, token: string): Promise<void> {
  const found = await redis.get(crawlKeys(crawlId).identity);
  if (found !== token) throw crawlStateLostError(crawlId, found === null ? 'gone' : 'replaced');
}

/** The part of an ioredis client (or cluster client) the identity helpers use. */
interface KeyValueClient {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
}

/** Writes `token` as the identity every shard's scripts check (the node that seeds or rebuilds a crawl). */
export async function writeShardIdentities(redis: KeyValueClient, crawlId: string, token: string, shards: number): Promise<void> {
  const keys = crawlKeys(crawlId);
  await Promise.all(Array.from({ length: shards }, (_, shard) => redis.set(keys.shardIdentity(shard), token)));
}

/** How long a node waits for the node that seeded or rebuilt a crawl to write every shard's identity. */
export const SHARDS_WAIT_MS = 10_000;

/**
 * The shards whose identity copy is not `token`, once they stayed so for `waitMs`: the node that
 * seeded or rebuilt the crawl may still be writing them; those missing after that, their master
 * lost.
 */
export async function shardsWithoutIdentity(redis: KeyValueClient, crawlId: string, token: string, shards: number, waitMs = SHARDS_WAIT_MS): Promise<number[]> {
  const keys = crawlKeys(crawlId);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const found = await Promise.all(Array.from({ length: shards }, (_, shard) => redis.get(keys.shardIdentity(shard))));
    const missing = found.flatMap((value, shard) => (value === token ? [] : [shard]));
    if (missing.length === 0 || Date.now() >= deadline) return missing;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
