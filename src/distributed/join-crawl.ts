/**
 * Joins this process to a distributed crawl: connects to Redis, seeds the
 * crawl definition (first node), takes it from Redis (later nodes) or
 * rebuilds it from the node directories (`--recover`, resolve-crawl.ts), and
 * builds what `createCrawler` needs to run the ordinary pipeline with the
 * shared `RedisFrontier` (wrapped to ride out Redis outages, watched for a
 * hung server or a lost crawl) and a local store and frontier journal of its
 * own under `<dataDir>/<crawlId>/nodes/<nodeId>/`, with a copy of the crawl
 * definition (`shared-crawl.json`).
 */
import path from 'node:path';
import type { CrawlConfig } from '../config/schema.js';
import type { CreateCrawlerOptions } from '../core/create-crawler.js';
import { ConfigError } from '../core/errors.js';
import { CrawlEventBus } from '../core/events.js';
import { RedisFrontier } from '../frontier/redis-frontier.js';
import { checkIdentity, crawlStateLostError, shardsWithoutIdentity, writeShardIdentities } from '../frontier/redis-keys.js';
import { crawlPaths, type CrawlPaths } from '../store/crawl-dir.js';
import { assertId, defaultNodeId } from './node-id.js';
import { nodePaths } from './node-paths.js';
import { FrontierJournal } from '../store/frontier-journal.js';
import { makeDirectory } from '../store/make-directory.js';
import type { PageStore } from '../store/page-store.js';
import { NodeFrontier, scheduledDelayMs } from './node-frontier.js';
import { NodeHeartbeat, type NodeState } from './node-heartbeat.js';
import { NodeStore } from './node-store.js';
import { addNodeDirs } from './recover-crawl.js';
import { commandTimeoutFor, connectRedis, type RedisClient } from './redis-connection.js';
import { RedisWatchdog } from './redis-watchdog.js';
import { resolveCrawl, type ResolvedCrawl } from './resolve-crawl.js';
import { RetryingFrontier } from './retrying-frontier.js';
import { nodeConfig, writeCrawlCopy, type SharedCrawl } from './shared-crawl.js';

export interface JoinCrawlOptions {
  /** `redis://…` or `rediss://…` (TLS), optionally with user and password. */
  redisUrl: string;
  /** The URL names one node of a Redis Cluster (several URLs always do). */
  redisCluster?: boolean;
  /** Shared by every node of one crawl; also the crawl name. */
  crawlId: string;
  /** This node's id (its store directory and lease ids). @default "<hostname>-<pid>" */
  nodeId?: string;
  /** Give up after Redis has been unreachable this long mid-crawl. @default 60000 */
  redisTimeoutMs?: number;
  /** Lease length, when this node seeds the crawl (joiners use the stored one). @default 120000 */
  leaseMs?: number;
  /** @default 1000 */
  heartbeatMs?: number;
  /** Longest wait between a page stored and its flush + completion in Redis (group commit). @default 50 */
  commitIntervalMs?: number;
  /** `skein crawl`: the crawl to run; seeded when the id is new, else it must match the stored one. Absent for `skein worker`. */
  config?: CrawlConfig;
  /** Rebuild the crawl from the node directories in the data dir if Redis lost it, and add what they hold (see recover-crawl.ts). */
  recover?: boolean;
  /** Node-local settings: dataDir, fetch.concurrency, parser, store. */
  local: CrawlConfig;
}

export interface DistributedNode {
  readonly nodeId: string;
  readonly crawlId: string;
  /** True when this node stored the crawl definition (it also seeds sitemaps). */
  readonly seeded: boolean;
  readonly crawl: SharedCrawl;
  /** This node's directory. */
  readonly paths: CrawlPaths;
  /** The config this node runs (shared part from Redis, local part from the node). */
  readonly config: CrawlConfig;
  /** Pass to `createCrawler` / `runCrawl`. */
  readonly crawlerOptions: CreateCrawlerOptions & { paths: CrawlPaths; events: CrawlEventBus };
  /** Waits for the last completions to reach Redis, then writes the node's final report. */
  finish(state: Exclude<NodeState, 'running' | 'paused'>): Promise<void>;
  /** Quits the Redis connection. */
  close(): Promise<void>;
}

export async function joinCrawl(options: JoinCrawlOptions): Promise<DistributedNode> {
  const { crawlId } = options;
  const nodeId = options.nodeId ?? defaultNodeId();
  assertId('crawl-id', crawlId);
  assertId('node-id', nodeId);
  const redisTimeoutMs = options.redisTimeoutMs ?? 60_000;
  const connection = await connectRedis({ url: options.redisUrl, ...(options.redisCluster ? { cluster: true } : {}), commandTimeoutMs: commandTimeoutFor(redisTimeoutMs) });
  try {
    const resolved = await resolveCrawl(connection, { ...options, dataDir: options.local.dataDir }, nodeId);
    const { crawl } = resolved;
    const seeded = resolved.how === 'seeded';
    const config = nodeConfig(crawl, options.local, seeded);
    const paths = nodePaths(config.dataDir, crawlId, nodeId);
    const events = new CrawlEventBus();
    await shardsReady(connection.redis, resolved);
    const redisFrontier = new RedisFrontier({
      redis: connection.redis,
      crawlId,
      nodeId,
      identity: crawl.instance,
      shards: crawl.shards,
      // The node polls the frontier every 50 ms while it waits; every shard is asked 4 times a second at most.
      scanMinIntervalMs: 250,
      maxPages: config.scope.maxPages,
      hostPolicy: { delayMs: scheduledDelayMs(config.politeness.delayMs), parallelism: config.fetch.perHostParallelism },
      jitter: config.politeness.jitter,
      leaseMs: crawl.leaseMs,
      // Round trips: a few leases kept ahead of need, and host releases and completions riding with the next exchange.
      prefetch: Math.ceil(config.fetch.concurrency / 2),
      lingerMs: 25,
    });
    if (resolved.add) logAtStart(events, 'warn', await addToFrontier(redisFrontier, resolved, options.local.dataDir));
    await makeDirectory(paths.dir);
    await writeCrawlCopy(paths, crawl);
    const released = await redisFrontier.releaseOwnLeases();
    if (released > 0) logAtStart(events, 'warn', `node ${nodeId}: ${released} page(s) its previous run had leased and not completed are queued again`);
    const label = `Redis at ${connection.target.redacted}`;
    // Giving up (the watchdog's verdict or the calls' own timeout) ends every use of the connection:
    // waiting calls return, the node flushes and exits; nothing waits for a reply that may never come.
    const watchdog = new RedisWatchdog({
      probe: () => checkIdentity(connection.redis, crawlId, crawl.instance),
      timeoutMs: redisTimeoutMs,
      label,
      onDead: (error) => retrying.giveUp(error),
    });
    const retrying = new RetryingFrontier(redisFrontier, {
      timeoutMs: redisTimeoutMs,
      events,
      label,
      onGiveUp: () => {
        watchdog.stop();
        connection.redis.disconnect();
      },
    });
    watchdog.start();
    connection.redis.on('ready', () => watchdog.probeNow());
    const frontier = new NodeFrontier(retrying, { events, journal: new FrontierJournal(paths.frontier), unconfirmed: () => retrying.gaveUp !== undefined });
    let nodeStore: NodeStore | undefined;
    const wrapStore = (store: PageStore) => {
      nodeStore = new NodeStore(store, {
        nodeId,
        onDurable: (keys) => frontier.durable(keys),
        ...(options.commitIntervalMs ? { commitIntervalMs: options.commitIntervalMs } : {}),
        onError: (error) => events.emit('log', { level: 'error', message: `flushing the page store: ${(error as Error).message}` }),
      });
      frontier.attach(nodeStore);
      return nodeStore;
    };
    const heartbeat = new NodeHeartbeat({
      redis: connection.redis,
      crawlId,
      nodeId,
      identity: crawl.instance,
      events,
      ...(options.heartbeatMs ? { intervalMs: options.heartbeatMs } : {}),
      isPaused: () => retrying.paused,
      stored: () => nodeStore?.size,
      redisCounts: () => redisFrontier.counts,
    });
    heartbeat.start();
    logAtStart(events, 'info', `node ${nodeId} ${resolved.how} crawl "${crawlId}" on ${connection.target.redacted}`);
    return {
      nodeId,
      crawlId,
      seeded,
      crawl,
      paths,
      config,
      crawlerOptions: { frontier, paths, wrapStore, events, resume: true, nodeId },
      async finish(state) {
        await frontier.settle();
        await heartbeat.stop(state);
      },
      async close() {
        watchdog.stop();
        await connection.close();
      },
    };
  } catch (error) {
    await connection.close();
    throw error;
  }
}

/**
 * Every shard must hold the crawl's identity before a node works on it: the
 * node that seeded or rebuilt the crawl writes them; a joining node waits for
 * them (the seeder may still be writing), and stops with
 * `ERR_FRONTIER_STATE_LOST` when some stay missing (their master lost them).
 */
async function shardsReady(redis: RedisClient, resolved: ResolvedCrawl): Promise<void> {
  const { crawlId, instance, shards } = resolved.crawl;
  if (resolved.how !== 'joined') return writeShardIdentities(redis, crawlId, instance, shards);
  if ((await shardsWithoutIdentity(redis, crawlId, instance, shards)).length > 0) throw crawlStateLostError(crawlId, 'gone');
}

/** Logs `message` when the crawl starts (joining happens before anything listens to the events). */
function logAtStart(events: CrawlEventBus, level: 'info' | 'warn', message: string): void {
  events.once('crawl:started', () => events.emit('log', { level, message }));
}

/** Adds the node directories `resolved` names to the shared frontier; what was added, for the log. */
async function addToFrontier(frontier: RedisFrontier, resolved: ResolvedCrawl, dataDir: string): Promise<string> {
  const { nodes, stored, markedDone, journaled, queued } = await addNodeDirs(frontier, resolved.add!.nodes);
  const { crawlId } = resolved.crawl;
  const dirs = `the ${nodes} node director${nodes === 1 ? 'y' : 'ies'} in ${dataDir}/${crawlId}/nodes/`;
  return (
    (resolved.how === 'recovered' ? `crawl "${crawlId}" rebuilt from ${dirs}: ` : `added ${dirs} to crawl "${crawlId}": `) +
    `${stored} stored pages (${markedDone} new to Redis, marked done), ${journaled} journaled URLs (${queued} queued again)`
  );
}
