/**
 * How a starting node comes to its crawl: it seeds it (the crawl id is new),
 * joins it (Redis holds it), or rebuilds it from the node directories in its
 * data dir (`--recover`, after Redis lost it). A node never starts a crawl
 * over one whose state was lost: when Redis holds nothing but the data dir
 * holds node stores of the crawl, it stops (exit 3) and says how to continue.
 */
import { randomUUID } from 'node:crypto';
import type { CrawlConfig } from '../config/schema.js';
import { ConfigError, FrontierUnavailableError } from '../core/errors.js';
import { DEFAULT_SHARDS } from '../frontier/redis-codec.js';
import { redact, type RedisConnection } from './redis-connection.js';
import { findNodeDirs, type NodeDirs } from './recover-crawl.js';
import { shardsWithoutIdentity } from '../frontier/redis-keys.js';
import { assertSameCrawl, firstDifference, publishCrawl, readCrawl, rekeyCrawl, sharedPart, withInstance, type SharedCrawl } from './shared-crawl.js';

export interface ResolveCrawlOptions {
  crawlId: string;
  /** `skein crawl`: the crawl to run (seeded when new, else it must match). Absent for `skein worker`. */
  config?: CrawlConfig;
  /** Lease length when seeding. @default 120000 */
  leaseMs?: number;
  /** Rebuild the crawl from the node directories in `dataDir` if Redis lost it, and add what they hold. */
  recover?: boolean;
  /** The node's data dir (where its node directory and its neighbours' are). */
  dataDir: string;
}

export interface ResolvedCrawl {
  crawl: SharedCrawl & { instance: string; shards: number };
  /** `recovered`: this node published the rebuilt crawl; `joined` with `add`: it adds its data dir to a crawl Redis holds. */
  how: 'seeded' | 'joined' | 'recovered';
  /**
   * Node directories whose pages and journals go into the shared frontier
   * before this node crawls: with `--recover`, and when the data dir holds
   * nodes of an earlier incarnation of the crawl (it was rebuilt since).
   */
  add?: NodeDirs;
}

/** Seeds, joins or rebuilds the crawl (see the file's comment). */
export async function resolveCrawl(connection: RedisConnection, options: ResolveCrawlOptions, nodeId: string): Promise<ResolvedCrawl> {
  const { redis } = connection;
  const { crawlId } = options;
  try {
    const local = await findNodeDirs(options.dataDir, crawlId);
    if (options.recover) {
      if (!local) {
        throw new ConfigError('recover', `nothing to recover: no node directory of crawl "${crawlId}" with its definition (shared-crawl.json) in ${options.dataDir}/${crawlId}/nodes/; give the --data-dir the nodes stored in`);
      }
      if (options.config) assertSameCrawl(local.crawl, options.config);
      const rebuilt = { ...local.crawl, instance: newInstance(), shards: local.crawl.shards ?? DEFAULT_SHARDS, recovered: { at: new Date().toISOString(), by: nodeId } };
      const result = await publishCrawl(redis, rebuilt);
      const field = firstDifference(result.crawl.config, local.crawl.config);
      if (field !== undefined) throw new ConfigError(field, `the crawl "${crawlId}" in Redis differs from the one stored in ${options.dataDir}/${crawlId}/nodes/; pick another --crawl-id`);
      if (!result.seeded) {
        // Redis kept the crawl's definition; if a master lost shards, the crawl gets a new identity.
        // Missing identities are first waited for: another node recovering at the same moment may
        // have published the crawl and still be writing them (taking them as lost would rekey the
        // crawl under that node).
        const kept = withInstance(result.crawl);
        if ((await shardsWithoutIdentity(redis, crawlId, kept.instance, kept.shards)).length > 0) {
          const rekeyed = withInstance(await rekeyCrawl(redis, { ...kept, instance: newInstance(), recovered: rebuilt.recovered }, kept.instance));
          return { crawl: rekeyed, how: 'recovered', add: local };
        }
      }
      return { crawl: withInstance(result.crawl), how: result.seeded ? 'recovered' : 'joined', add: local };
    }
    const stored = await readCrawl(redis, crawlId);
    if (!stored && local) throw stateLostAtStart(connection, options, local);
    if (!options.config) {
      if (!stored) throw new ConfigError('crawl-id', `no crawl "${crawlId}" in Redis at ${connection.target.redacted}; start it on one node with \`skein crawl --config … --redis … --crawl-id ${crawlId}\``);
      return joined(withInstance(stored), local);
    }
    const result = await publishCrawl(redis, {
      version: 1,
      crawlId,
      config: sharedPart(options.config),
      leaseMs: options.leaseMs ?? 120_000,
      createdAt: new Date().toISOString(),
      seededBy: nodeId,
      instance: newInstance(),
      shards: DEFAULT_SHARDS,
    });
    if (result.seeded) return { crawl: withInstance(result.crawl), how: 'seeded' };
    assertSameCrawl(result.crawl, options.config);
    return joined(withInstance(result.crawl), local);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof FrontierUnavailableError) throw error;
    const why = connection.lastError() ?? redact((error as Error).message, connection.target);
    throw new FrontierUnavailableError('ERR_REDIS_CONNECT', `Redis at ${connection.target.redacted}: ${why}`, { retryable: true });
  }
}

/** Joins `crawl`; the data dir's nodes are added when one of them last ran an earlier incarnation of it (rebuilt since). */
function joined(crawl: SharedCrawl & { instance: string; shards: number }, local: NodeDirs | undefined): ResolvedCrawl {
  const earlier = local && [...local.instances].some((instance) => instance !== crawl.instance);
  return { crawl, how: 'joined', ...(earlier ? { add: local } : {}) };
}

function newInstance(): string {
  return randomUUID();
}

function stateLostAtStart(connection: RedisConnection, options: ResolveCrawlOptions, local: NodeDirs): FrontierUnavailableError {
  const { crawlId } = options;
  return new FrontierUnavailableError(
    'ERR_FRONTIER_STATE_LOST',
    `Redis at ${connection.target.redacted} holds no crawl "${crawlId}", but ${options.dataDir}/${crawlId}/nodes/ holds ${local.nodes.length} node director${local.nodes.length === 1 ? 'y' : 'ies'} of it (seeded by ${local.crawl.seededBy} at ${local.crawl.createdAt}): its shared state was lost (Redis restarted without persistence, was flushed, or this is another Redis); nothing was started`,
    { retryable: false },
  );
}
