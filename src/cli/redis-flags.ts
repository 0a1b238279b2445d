/**
 * Distributed mode on the command line: the `--redis` / `--crawl-id` flags
 * of `skein crawl`, `skein worker` and `skein status`, and running one node.
 *
 *   skein crawl --config site.json --redis redis://host:6379 --crawl-id site-2026
 *   skein worker --redis redis://host:6379 --crawl-id site-2026
 *   skein status --redis redis://host:6379 --crawl-id site-2026
 *
 * The Redis URL may also come from SKEIN_REDIS_URL (keeps the password out of
 * `ps` and shell history); it is never printed unredacted. Running a node is
 * in run-node.ts, loaded only when a command runs one (it needs Redis).
 */
import { Command, Option } from 'commander';
import { ConfigError } from '../core/errors.js';
import { assertId } from '../distributed/node-id.js';
import { positiveIntFlag } from './positive-int-flag.js';

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
