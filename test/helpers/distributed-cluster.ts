/**
 * Helpers for distributed-crawl tests: spawn skein nodes (the built CLI) on
 * one Redis and crawl id, poll with a bound, read the merged export, and
 * drop a crawl's keys afterwards (the Redis may be a shared REDIS_URL).
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { PageRecord } from '../../src/core/types.js';
import type { GeneratedSite } from '../../src/demo/generated-site.js';
import { crawlKeys } from '../../src/frontier/redis-keys.js';
import { RedisFrontier } from '../../src/frontier/redis-frontier.js';
import { after, before, describe, test } from 'node:test';
import { tempDataDir } from './crawl-helpers.js';
import { startRedisServer, type RedisServer } from './redis-server.js';
import { runCli, type CliResult } from './run-cli.js';

export interface NodeProcess {
  nodeId: string;
  /** Resolves when the node exits. */
  result: Promise<CliResult>;
  /** The process (set once spawned). */
  child(): ChildProcess;
}

/** What a suite of distributed tests shares (see `describeCluster`). */
export interface ClusterSuite {
  readonly redisUrl: string;
  /** The suite's server: a test may pause or restart it when `owned` (not with REDIS_URL). */
  readonly server: Extract<RedisServer, { ok: true }>;
  /** A client of the suite's Redis (connected before the first test). */
  readonly redis: Redis;
  /** A temp data dir every node of the suite uses (removed after). */
  readonly dataDir: string;
  /** `clusterSetup` on the suite's Redis and data dir; its crawl's keys are dropped after the suite. */
  setup(siteUrl: string, config?: Record<string, unknown>, nodeFlags?: string[]): ReturnType<typeof clusterSetup>;
}

/**
 * A `describe` whose tests share a private redis-server (see
 * helpers/redis-server.ts) and a data dir; one skipped test when there is
 * no redis-server.
 */
export async function describeCluster(title: string, body: (suite: ClusterSuite) => void): Promise<void> {
  const server = await startRedisServer();
  if (!server.ok) {
    test(title, (t) => t.skip(server.reason));
    return;
  }
  const crawlIds: string[] = [];
  let redis: Redis | undefined;
  let data: Awaited<ReturnType<typeof tempDataDir>> | undefined;
  const suite: ClusterSuite = {
    redisUrl: server.url,
    server,
    get redis() {
      return redis!;
    },
    get dataDir() {
      return data!.dir;
    },
    setup: (siteUrl, config, nodeFlags) => clusterSetup({ redisUrl: server.url, dataDir: data!.dir, siteUrl, crawlIds, ...(config ? { config } : {}), ...(nodeFlags ? { nodeFlags } : {}) }),
  };
  describe(title, () => {
    before(async () => {
      redis = new Redis(server.url);
      data = await tempDataDir();
    });
    after(async () => {
      for (const id of crawlIds) await dropCrawl(redis!, id);
      await redis?.quit();
      await data?.cleanup();
      await server.stop();
    });
    body(suite);
  });
}

/**
 * A fresh crawl id (pushed to `crawlIds`, for clean-up), a config file in
 * `dataDir` seeding `siteUrl`, and the flags every node gets. Parsing is
 * inline by default: several nodes on 2 cores, and the parse mode is beside
 * the point in these tests.
 */
export async function clusterSetup(options: { redisUrl: string; dataDir: string; siteUrl: string; config?: Record<string, unknown>; crawlIds?: string[]; nodeFlags?: string[] }) {
  const crawlId = `t-${randomUUID().slice(0, 8)}`;
  options.crawlIds?.push(crawlId);
  const file = join(options.dataDir, `${crawlId}.json`);
  await writeFile(file, JSON.stringify({ seeds: [options.siteUrl + '/'], ...options.config }));
  const args = ['--redis', options.redisUrl, '--crawl-id', crawlId, '--data-dir', options.dataDir, ...(options.nodeFlags ?? ['--parser', 'inline', '--concurrency', '12']), '--json'];
  return { crawlId, file, args };
}

/** `/` and `/p/0` … `/p/<pages - 1>`: every path of a generated site. */
export function sitePaths(pages: number): string[] {
  return ['/', ...Array.from({ length: pages }, (_, i) => `/p/${i}`)];
}

/** Starts `skein <command> … --node-id <nodeId>` without waiting for it. */
export function startNode(command: 'crawl' | 'worker', nodeId: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 90_000): NodeProcess {
  let child: ChildProcess | undefined;
  const result = runCli([command, ...args, '--node-id', nodeId], { env, timeoutMs, onSpawn: (c) => (child = c) });
  return { nodeId, result, child: () => child! };
}

/** Waits for every node to exit and returns each one's JSON summary, failing on a node that did not exit 0. */
export async function nodeSummaries(nodes: readonly NodeProcess[]): Promise<Array<{ endReason: string; pages: { ok: number } }>> {
  const results = await Promise.all(nodes.map((n) => n.result));
  return results.map((r, i) => {
    if (r.code !== 0) throw new Error(`node ${nodes[i]!.nodeId} exited ${r.code ?? r.signal}: ${r.stderr}`);
    return JSON.parse(r.stdout) as { endReason: string; pages: { ok: number } };
  });
}

/** The records of `skein export <crawlId> --data-dir …` (JSON Lines), failing on a non-zero exit. */
export async function mergedExport(crawlId: string, dataDirs: string[]): Promise<PageRecord[]> {
  const result = await runCli(['export', crawlId, ...dataDirs.flatMap((d) => ['--data-dir', d]), '--format', 'jsonl']);
  if (result.code !== 0) throw new Error(`export exited ${result.code}: ${result.stderr}`);
  return result.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as PageRecord);
}

/** A node's last heartbeat counters (undefined before its first). */
export async function nodeReport(redis: Redis, crawlId: string, nodeId: string): Promise<{ ok: number; state: string } | undefined> {
  const raw = await redis.hget(`${RedisFrontier.keyPrefix(crawlId)}nodes`, nodeId);
  return raw ? (JSON.parse(raw) as { ok: number; state: string }) : undefined;
}

/** Deletes every key of one crawl. */
export async function dropCrawl(redis: Redis, crawlId: string): Promise<void> {
  const keys = await redis.keys(crawlKeys(crawlId).pattern);
  if (keys.length > 0) await redis.del(...keys);
}

/** A site server whose home page answers only once `open()` is called (so a test can start every node first). */
export async function startGatedSite(site: GeneratedSite): Promise<{ url: string; log: Array<{ path: string; atMs: number }>; open(): void; homeRequested(): boolean; close(): Promise<void> }> {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const log: Array<{ path: string; atMs: number }> = [];
  let homeRequested = false;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').replace(/[?#].*$/s, '');
    log.push({ path, atMs: Date.now() });
    if (path === '/') homeRequested = true;
    void (path === '/' ? gate : Promise.resolve()).then(() => {
      const page = site.page(path, `http://${req.headers.host}`);
      res.writeHead(page?.status ?? 404, { 'Content-Type': page?.contentType ?? 'text/plain' });
      res.end(page?.body ?? 'not found');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    open,
    homeRequested: () => homeRequested,
    close: () => {
      open();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
