/**
 * Runs the Redis frontier's Lua scripts on a client (defined on it on first
 * use, re-sent by ioredis after NOSCRIPT), counts what was sent, and turns
 * Redis failures into frontier errors: a failed identity check is
 * `ERR_FRONTIER_STATE_LOST`, another Lua or reply error `ERR_FRONTIER_SCRIPT`,
 * anything about the connection (or a cluster that is resharding or failing
 * over) a retryable FrontierUnavailableError.
 */
import type { Cluster, Redis } from 'ioredis';
import { FrontierError, FrontierUnavailableError } from '../core/errors.js';
import { SEED_REDIRECT_SCRIPT, SEED_REDIRECTS_SCRIPT, SYNC_SCRIPT } from './redis-global-scripts.js';
import { crawlStateLostError, IDENTITY_ERRORS, type IdentityProblem } from './redis-keys.js';
import { SHARD_SCRIPTS, type ShardScriptName } from './redis-shard-scripts.js';

/** Counters of what a frontier sent to Redis. */
export interface RedisCallCounts {
  /** Script calls. */
  calls: number;
  /** Groups of calls sent together and awaited together (what the node waits on). */
  rounds: number;
  /** Script calls by script name. */
  byScript: Record<string, number>;
}

const GLOBAL_SCRIPTS = {
  skeinGlobalSync: [3, SYNC_SCRIPT],
  skeinSeedRedirect: [3, SEED_REDIRECT_SCRIPT],
  skeinSeedRedirects: [2, SEED_REDIRECTS_SCRIPT],
} as const;

export type GlobalScriptName = keyof typeof GLOBAL_SCRIPTS;

type ScriptCall = (...args: Array<string | number>) => Promise<unknown>;

export class ScriptRunner {
  readonly #redis: Redis | Cluster;
  readonly #crawlId: string;
  readonly counts: RedisCallCounts = { calls: 0, rounds: 0, byScript: {} };

  constructor(redis: Redis | Cluster, crawlId: string) {
    this.#redis = redis;
    this.#crawlId = crawlId;
  }

  /** Runs one script with its keys and arguments. */
  async run(name: ShardScriptName | GlobalScriptName, keys: string[], args: Array<string | number>): Promise<unknown> {
    const redis = this.#redis;
    const commands = redis as unknown as Record<string, ScriptCall | undefined>;
    if (typeof commands[name] !== 'function') {
      for (const [script, lua] of Object.entries(SHARD_SCRIPTS)) redis.defineCommand(script, { numberOfKeys: 1, lua });
      for (const [script, [numberOfKeys, lua]] of Object.entries(GLOBAL_SCRIPTS)) redis.defineCommand(script, { numberOfKeys, lua });
    }
    this.counts.calls++;
    this.counts.byScript[name] = (this.counts.byScript[name] ?? 0) + 1;
    try {
      return await commands[name]!.call(redis, ...keys, ...args);
    } catch (error) {
      throw toFrontierError(error, this.#crawlId);
    }
  }
}

function toFrontierError(error: unknown, crawlId: string): FrontierError {
  const e = error as { name?: string; message?: string; code?: string };
  const message = `Redis frontier: ${e.message ?? String(error)}`;
  for (const [problem, word] of Object.entries(IDENTITY_ERRORS) as Array<[IdentityProblem, string]>) {
    if (e.name === 'ReplyError' && e.message?.startsWith(word)) return crawlStateLostError(crawlId, problem, error);
  }
  if (e.name === 'ReplyError' && !/^(CLUSTERDOWN|TRYAGAIN|LOADING|MASTERDOWN|READONLY)/.test(e.message ?? '')) return new FrontierError('ERR_FRONTIER_SCRIPT', message, { cause: error });
  return new FrontierUnavailableError('ERR_FRONTIER_UNAVAILABLE', message, { retryable: true, cause: error });
}
