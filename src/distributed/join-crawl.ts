/**
 * Joins this process to a distributed crawl: connects to Redis, seeds the
 * crawl definition (first node) or takes it from Redis (later nodes), and
 * builds what `createCrawler` needs to run the ordinary pipeline with the
 * shared `RedisFrontier` (wrapped to ride out Redis outages) and a local
 * store of its own under `<dataDir>/<crawlId>/nodes/<nodeId>/`.
 */
import { hostname } from 'node:os';
import path from 'node:path';
import type { CrawlConfig } from '../config/schema.js';
import type { CreateCrawlerOptions } from '../core/create-crawler.js';
import { ConfigError, FrontierUnavailableError } from '../core/errors.js';
import { CrawlEventBus } from '../core/events.js';
import { RedisFrontier } from '../frontier/redis-frontier.js';
import { crawlPaths, type CrawlPaths } from '../store/crawl-dir.js';
import type { PageStore } from '../store/page-store.js';
import { NodeFrontier, scheduledDelayMs } from './node-frontier.js';
import { NodeHeartbeat, type NodeState } from './node-heartbeat.js';
import { NodeStore } from './node-store.js';
import { commandTimeoutFor, connectRedis, redact, type RedisConnection } from './redis-connection.js';
import { RedisWatchdog } from './redis-watchdog.js';
import { RetryingFrontier } from './retrying-frontier.js';
import { assertSameCrawl, nodeConfig, publishCrawl, readCrawl, sharedPart, type SharedCrawl } from './shared-crawl.js';

export interface JoinCrawlOptions {
  /** `redis://…` or `rediss://…` (TLS), optionally with user and password. */
  redisUrl: string;
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
  /** Node-local settings: dataDir, fetch.concurrency, parser, store. */
  local: CrawlConfig;
}

export interface DistributedNode {
  readonly nodeId: string;
  readonly crawlId: string;
  /** True when this node stored the crawl definition (it also seeds sitemaps). */
  readonly seeded: boolean;
  readonly crawl: SharedCrawl;
  /** The config this node runs (shared part from Redis, local part from the node). */
  readonly config: CrawlConfig;
  /** Pass to `createCrawler` / `runCrawl`. */
  readonly crawlerOptions: CreateCrawlerOptions & { paths: CrawlPaths; events: CrawlEventBus };
  /** Waits for the last completions to reach Redis, then writes the node's final report. */
  finish(state: Exclude<NodeState, 'running' | 'paused'>): Promise<void>;
  /** Quits the Redis connection. */
  close(): Promise<void>;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Checks a crawl or node id (`field` names the flag in the error). */
export function assertId(field: 'crawl-id' | 'node-id', value: string): void {
  if (!ID_PATTERN.test(value)) throw new ConfigError(field, `${JSON.stringify(value)}: expected letters, digits, ".", "_" or "-" (max 100, starting with a letter or digit)`);
}

/** `<hostname>-<pid>`, made a valid id. */
export function defaultNodeId(): string {
  const host = hostname().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 80);
  return `${host || 'node'}-${process.pid}`;
}

/** Where a node of a distributed crawl stores its pages: `<dataDir>/<crawlId>/nodes/<nodeId>/`. */
export function nodePaths(dataDir: string, crawlId: string, nodeId: string): CrawlPaths {
  return crawlPaths(path.join(dataDir, crawlId, 'nodes'), nodeId);
}

export async function joinCrawl(options: JoinCrawlOptions): Promise<DistributedNode> {
  const { crawlId } = options;
  const nodeId = options.nodeId ?? defaultNodeId();
  assertId('crawl-id', crawlId);
  assertId('node-id', nodeId);
  const redisTimeoutMs = options.redisTimeoutMs ?? 60_000;
  const connection = await connectRedis({ url: options.redisUrl, commandTimeoutMs: commandTimeoutFor(redisTimeoutMs) });
  try {
    const { crawl, seeded } = await resolveCrawl(connection, options, nodeId);
    const config = nodeConfig(crawl, options.local, seeded);
    const events = new CrawlEventBus();
    const redisFrontier = new RedisFrontier({
      redis: connection.redis,
      crawlId,
      nodeId,
      maxPages: config.scope.maxPages,
      hostPolicy: { delayMs: scheduledDelayMs(config.politeness.delayMs), parallelism: config.fetch.perHostParallelism },
      jitter: config.politeness.jitter,
      leaseMs: crawl.leaseMs,
    });
    const released = await redisFrontier.releaseOwnLeases();
    if (released > 0) logAtStart(events, 'warn', `node ${nodeId}: ${released} page(s) its previous run had leased and not completed are queued again`);
    const label = `Redis at ${connection.target.redacted}`;
    // Giving up (the watchdog's verdict or the calls' own timeout) ends every use of the connection:
    // waiting calls return, the node flushes and exits; nothing waits for a reply that may never come.
    const watchdog = new RedisWatchdog({
      probe: async () => void (await connection.redis.ping()),
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
    const frontier = new NodeFrontier(retrying, { events });
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
      events,
      ...(options.heartbeatMs ? { intervalMs: options.heartbeatMs } : {}),
      isPaused: () => retrying.paused,
      stored: () => nodeStore?.size,
    });
    heartbeat.start();
    logAtStart(events, 'info', `node ${nodeId} ${seeded ? 'seeded' : 'joined'} crawl "${crawlId}" on ${connection.target.redacted}`);
    return {
      nodeId,
      crawlId,
      seeded,
      crawl,
      config,
      crawlerOptions: { frontier, paths: nodePaths(config.dataDir, crawlId, nodeId), wrapStore, events, resume: true },
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

/** Logs `message` when the crawl starts (joining happens before anything listens to the events). */
function logAtStart(events: CrawlEventBus, level: 'info' | 'warn', message: string): void {
  events.once('crawl:started', () => events.emit('log', { level, message }));
}

async function resolveCrawl(connection: RedisConnection, options: JoinCrawlOptions, nodeId: string): Promise<{ crawl: SharedCrawl; seeded: boolean }> {
  const { redis } = connection;
  try {
    if (!options.config) {
      const stored = await readCrawl(redis, options.crawlId);
      if (!stored) {
        throw new ConfigError('crawl-id', `no crawl "${options.crawlId}" in Redis at ${connection.target.redacted}; start it on one node with \`skein crawl --config … --redis … --crawl-id ${options.crawlId}\``);
      }
      return { crawl: stored, seeded: false };
    }
    const result = await publishCrawl(redis, {
      version: 1,
      crawlId: options.crawlId,
      config: sharedPart(options.config),
      leaseMs: options.leaseMs ?? 120_000,
      createdAt: new Date().toISOString(),
      seededBy: nodeId,
    });
    if (!result.seeded) assertSameCrawl(result.crawl, options.config);
    return result;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const why = connection.lastError() ?? redact((error as Error).message, connection.target);
    throw new FrontierUnavailableError('ERR_REDIS_CONNECT', `Redis at ${connection.target.redacted}: ${why}`, { retryable: true });
  }
}
