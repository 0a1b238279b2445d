/**
 * The names of one distributed crawl's keys in Redis, in one place: the
 * frontier's own keys (redis-scripts.ts) all start with `prefix`, and the
 * crawl-wide keys are named here. A sharded layout (keys spread over a Redis
 * Cluster) changes this file and the scripts, not their callers.
 *
 * The identity key holds the token of the crawl's current incarnation (set
 * with the crawl definition when a crawl is seeded or recovered). Every
 * frontier script checks it first, so a script run against a Redis that lost
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
  /** A SCAN/KEYS pattern matching every key of the crawl. */
  pattern: string;
  /** Keys present while the crawl has any state (one of them without an identity: damaged state). */
  state: string[];
}

/** The keys of `crawlId` (its characters are letters, digits, ".", "_" and "-": nothing a pattern treats specially). Pure. */
export function crawlKeys(crawlId: string): CrawlKeys {
  const prefix = `skein:{${crawlId}}:`;
  const nodes = `${prefix}nodes`;
  return { prefix, definition: `${prefix}crawl`, identity: `${prefix}identity`, nodes, pattern: `${prefix}*`, state: [`${prefix}n`, `${prefix}seen`, `${prefix}leases`, nodes] };
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
