/**
 * Frontier throughput through Redis: full request cycles (add → lease →
 * complete) per second, for a few batch sizes. Uses REDIS_URL when set,
 * otherwise a private redis-server (never the shared one on 6379).
 *
 *   npx tsx bench/redis-frontier-ops.ts [requestsPerBatchSize]
 *
 * A batch of B means: one add() of B requests, one lease(B), then B
 * complete() calls in flight together (one script each, pipelined by ioredis
 * on one connection).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { crawlKeys } from '../src/frontier/redis-keys.js';
import { RedisFrontier } from '../src/frontier/redis-frontier.js';
import type { CrawlRequest } from '../src/core/types.js';
import { newIdentity, startRedisServer } from '../test/helpers/redis-server.js';

const total = Number(process.argv[2] ?? 20_000);
const HOSTS = 1000;
const server = await startRedisServer();
if (!server.ok) console.error(`skipped: ${server.reason}`);
else await run(server.url, server.stop);

async function run(url: string, stop: () => Promise<void>): Promise<void> {
  const redis = new Redis(url);
  try {
    console.log(`redis-frontier-ops: ${total} requests per batch size, ${HOSTS} hosts, node ${process.version}`);
    for (const batch of [1, 10, 100, 1000]) {
      const crawlId = `bench-${randomUUID()}`;
      const frontier = new RedisFrontier({
        redis,
        crawlId,
        nodeId: 'bench',
        identity: await newIdentity(redis, crawlId),
        maxPages: Number.MAX_SAFE_INTEGER,
        hostPolicy: { delayMs: 0, parallelism: 1_000_000 },
      });
      let seq = 0;
      let cycles = 0;
      const started = process.hrtime.bigint();
      while (cycles < total) {
        const requests: CrawlRequest[] = [];
        for (let i = 0; i < batch; i++, seq++) {
          const key = `https://host${seq % HOSTS}.example.com/page/${seq}`;
          requests.push({ key, url: key, depth: seq % 3, source: 'link' });
        }
        await frontier.add(requests);
        const leases = await frontier.lease(batch);
        await Promise.all(leases.map((l) => frontier.complete(l, 'ok')));
        cycles += leases.length;
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const stats = await frontier.stats();
      if (stats.done !== cycles || stats.queued !== 0) throw new Error(`inconsistent stats ${JSON.stringify(stats)}`);
      console.log(
        `batch ${String(batch).padStart(4)}: ${Math.round(cycles / seconds)} cycles/s ` +
          `(${Math.round((cycles * 3) / seconds)} request-ops/s: add+lease+complete), ${seconds.toFixed(2)} s`,
      );
      const keys = await redis.keys(crawlKeys(crawlId).pattern);
      if (keys.length > 0) await redis.del(...keys);
    }
  } finally {
    await redis.quit();
    await stop();
  }
}
