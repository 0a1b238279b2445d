/**
 * Distributed mode on the command line: the `--redis` / `--crawl-id` flags
 * of `skein crawl`, `skein worker` and `skein status`, and running one node.
 *
 *   skein crawl --config site.json --redis redis://host:6379 --crawl-id site-2026
 *   skein worker --redis redis://host:6379 --crawl-id site-2026
 *   skein status --redis redis://host:6379 --crawl-id site-2026
 *
 * The Redis URL may also come from SKEIN_REDIS_URL (keeps the password out of
 * `ps` and shell history); it is never printed unredacted.
 */
import { Command, Option } from 'commander';
import type { CrawlConfig } from '../config/schema.js';
import { ConfigError, FrontierUnavailableError } from '../core/errors.js';
import { formatClusterStatus, readClusterStatus } from '../distributed/cluster-status.js';
import { assertId, joinCrawl, type DistributedNode } from '../distributed/join-crawl.js';
import { connectRedis } from '../distributed/redis-connection.js';
import { explainFrontierLoss } from './frontier-loss-message.js';
import { positiveIntFlag } from './positive-int-flag.js';
import { EXIT_NOTHING_CRAWLED, runCrawl, type OutputOptions } from './run-crawl.js';

/** What the distributed flags hold once checked. */
export interface RedisFlags {
  redisUrl: string;
  /** `--redis-cluster`: the URL names one node of a Redis Cluster (several URLs always do). */
  redisCluster?: boolean;
  crawlId: string;
  nodeId?: string;
  redisTimeoutMs: number;
  leaseMs?: number;
  /** Rebuild the crawl from the node stores in the data dir if Redis lost it. */
  recover?: boolean;
}

const DEFAULT_REDIS_TIMEOUT_MS = 60_000;

/** `--redis` and `--crawl-id` (every distributed command). */
export function addRedisTargetFlags(command: Command): Command {
  return command
    .option('--redis <url>', 'Redis of a distributed crawl: redis://[user:password@]host:6379 or rediss:// for TLS; a Redis Cluster: its nodes\' URLs, comma-separated (or env SKEIN_REDIS_URL)')
    .option('--redis-cluster', 'the --redis URL is one node of a Redis Cluster (implied when it lists several)')
    .option('--crawl-id <id>', 'id shared by every node of one distributed crawl (also its name)');
}

/** The flags of a node that runs pages: target plus node id, outage limit and lease length. */
export function addRedisFlags(command: Command): Command {
  addRedisTargetFlags(command);
  command.addOption(new Option('--node-id <id>', 'this node\'s id; its pages go to <data-dir>/<crawl-id>/nodes/<node-id>/ (default: "<hostname>-<pid>")'));
  command.addOption(new Option('--redis-timeout <ms>', `give up (exit 3) after Redis has been unreachable this long mid-crawl (default: ${DEFAULT_REDIS_TIMEOUT_MS})`).argParser(positiveIntFlag('redis-timeout')));
  command.addOption(new Option('--lease-ms <ms>', 'when seeding: a page handed to a node that dies is handed out again after this (default: 120000)').argParser(positiveIntFlag('lease-ms')));
  command.addOption(
    new Option('--recover', "if Redis lost the crawl (restarted empty, flushed): rebuild it from the node stores and frontier journals in this node's --data-dir, then crawl on; harmless when nothing was lost (what Redis already has is skipped)"),
  );
  return command;
}

/** True when the options ask for distributed mode. */
export function wantsRedis(options: Record<string, unknown>): boolean {
  return options.redis !== undefined || options.crawlId !== undefined;
}

/** Checks the distributed flags; `ConfigError` names the missing or bad one. */
export function redisFlagsFrom(options: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): RedisFlags {
  const redisUrl = (options.redis as string | undefined) ?? env.SKEIN_REDIS_URL;
  if (!redisUrl) throw new ConfigError('redis', 'expected a Redis URL with --crawl-id (e.g. --redis redis://127.0.0.1:6379, or SKEIN_REDIS_URL)');
  const crawlId = options.crawlId as string | undefined;
  if (!crawlId) throw new ConfigError('crawl-id', 'required with --redis: the id every node of the crawl shares (e.g. --crawl-id site-2026)');
  assertId('crawl-id', crawlId);
  if (options.nodeId !== undefined) assertId('node-id', options.nodeId as string);
  for (const flag of ['resume', 'fresh'] as const) {
    if (options[flag]) throw new ConfigError(flag, `not with --redis: the crawl's state lives in Redis; run the same command again to rejoin (a node keeps its store under --node-id)`);
  }
  return {
    redisUrl,
    ...(options.redisCluster ? { redisCluster: true } : {}),
    crawlId,
    ...(options.nodeId !== undefined ? { nodeId: options.nodeId as string } : {}),
    redisTimeoutMs: (options.redisTimeout as number | undefined) ?? DEFAULT_REDIS_TIMEOUT_MS,
    ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs as number } : {}),
    ...(options.recover ? { recover: true } : {}),
  };
}

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
