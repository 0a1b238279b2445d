/**
 * Running one node of a distributed crawl from the command line (`skein crawl
 * --redis …`, `skein worker`), and `skein status --redis …`. Apart from the
 * flags (redis-flags.ts) so that only these commands load a Redis client.
 */
import type { CrawlConfig } from '../config/schema.js';
import { ConfigError, FrontierUnavailableError } from '../core/errors.js';
import { formatClusterStatus, readClusterStatus } from '../distributed/cluster-status.js';
import { joinCrawl, type DistributedNode } from '../distributed/join-crawl.js';
import { connectRedis } from '../distributed/redis-connection.js';
import { explainFrontierLoss } from './frontier-loss-message.js';
import { redisFlagsFrom, wantsRedis, type RedisFlags } from './redis-flags.js';
import { EXIT_NOTHING_CRAWLED, runCrawl, type OutputOptions } from './run-crawl.js';

/**
 * Runs this process as one node of a distributed crawl and returns its exit
 * code. `config` (from `skein crawl`) seeds the crawl or must match the stored
 * one; without it (`skein worker`) the stored config is used and `local`
 * only supplies the node's own settings.
 */
export async function runNode(flags: RedisFlags, local: CrawlConfig, config: CrawlConfig | undefined, output: OutputOptions): Promise<number> {
  let node: DistributedNode | undefined;
  try {
    node = await joinCrawl({ ...flags, local, ...(config ? { config } : {}) });
    try {
      const { code } = await runCrawl(node.config, { ...output, continueBy: 'rejoin' }, node.crawlerOptions);
      await node.finish(code === 0 || code === EXIT_NOTHING_CRAWLED ? 'finished' : 'stopped');
      return code;
    } catch (error) {
      await node.finish('failed');
      throw error;
    } finally {
      await node.close();
    }
  } catch (error) {
    if (error instanceof FrontierUnavailableError) throw await explainFrontierLoss(error, { flags, ...(node ? { node: node.paths, nodeId: node.nodeId } : {}) });
    throw error;
  }
}

/** `skein crawl … --redis … --crawl-id …`: this node runs `config`'s crawl. */
export function runCrawlOnRedis(config: CrawlConfig, options: Record<string, unknown>): Promise<number> {
  if (config.seeds.length === 0) throw new ConfigError('seeds', 'expected at least one seed URL to start a distributed crawl (to join one, use `skein worker --redis … --crawl-id …`)');
  return runNode(redisFlagsFrom(options), config, config, { quiet: Boolean(options.quiet), json: Boolean(options.json) });
}

/** `skein status --redis … --crawl-id …`: prints the live cluster status. */
export async function printClusterStatus(name: string | undefined, options: Record<string, unknown>): Promise<void> {
  if (!wantsRedis(options) && !process.env.SKEIN_REDIS_URL) throw new ConfigError('name', 'expected a crawl name, or --redis <url> --crawl-id <id> for a distributed crawl');
  const flags = redisFlagsFrom({ ...options, crawlId: options.crawlId ?? name });
  const connection = await connectRedis({ url: flags.redisUrl, ...(flags.redisCluster ? { cluster: true } : {}) });
  try {
    const status = await readClusterStatus(connection.redis, flags.crawlId);
    process.stdout.write(options.json ? JSON.stringify(status, null, 2) + '\n' : formatClusterStatus(status));
  } finally {
    await connection.close();
  }
}
