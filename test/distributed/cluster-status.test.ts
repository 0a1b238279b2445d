/**
 * `skein status` of a distributed crawl (readClusterStatus) against a real
 * Redis: "finished" is the shared frontier's own notion of done, so a crawl
 * that spent its `maxPages` budget with URLs still queued reads as finished.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { validateConfig } from '../../src/config/load-config.js';
import type { CrawlRequest } from '../../src/core/types.js';
import { formatClusterStatus, readClusterStatus } from '../../src/distributed/cluster-status.js';
import { publishCrawl, sharedPart } from '../../src/distributed/shared-crawl.js';
import { RedisFrontier } from '../../src/frontier/redis-frontier.js';
import { DEFAULT_SHARDS } from '../../src/frontier/redis-codec.js';
import { writeShardIdentities } from '../../src/frontier/redis-keys.js';
import { dropCrawl } from '../helpers/distributed-cluster.js';
import { startRedisServer } from '../helpers/redis-server.js';

const server = await startRedisServer();

const request = (path: string): CrawlRequest => ({ key: `https://a.test${path}`, url: `https://a.test${path}`, depth: 1, source: 'link' });

if (!server.ok) {
  test('cluster status', (t) => {
    t.skip(server.reason);
  });
} else {
  const redisUrl = server.url;
  describe('cluster status on Redis', () => {
    const redis = new Redis(redisUrl);
    const crawlIds: string[] = [];
    after(async () => {
      for (const id of crawlIds) await dropCrawl(redis, id);
      await redis.quit();
      await server.stop();
    });

    test('maxPages reached with URLs still queued: finished, like the frontier says', async () => {
      const crawlId = `t-${randomUUID().slice(0, 8)}`;
      crawlIds.push(crawlId);
      const maxPages = 2;
      const config = validateConfig({ seeds: ['https://a.test/'], scope: { maxPages } });
      const instance = 'incarnation-1';
      await publishCrawl(redis, { version: 1, crawlId, config: sharedPart(config), leaseMs: 60_000, createdAt: new Date().toISOString(), seededBy: 'n1', instance, shards: DEFAULT_SHARDS });
      await writeShardIdentities(redis, crawlId, instance, DEFAULT_SHARDS);
      const node = new RedisFrontier({ redis, crawlId, nodeId: 'n1', identity: instance, maxPages, hostPolicy: { delayMs: 0, parallelism: 4 } });
      await node.add(['/', '/1', '/2', '/3', '/4'].map(request));
      const leases = await node.lease(10);
      assert.equal(leases.length, maxPages, 'the budget caps what is handed out');

      const running = await readClusterStatus(redis, crawlId);
      assert.equal(running.finished, false, 'pages in flight');
      assert.deepEqual([running.frontier.queued, running.frontier.leased], [3, 2]);
      assert.deepEqual(running.busiestHosts, [{ host: 'a.test', queued: 3, inFlight: 2, delayMs: 0 }]);
      assert.deepEqual(running.backoff, []);

      await node.complete(leases[0]!, 'ok');
      await node.complete(leases[1]!, 'failed');
      const done = await readClusterStatus(redis, crawlId);
      assert.deepEqual(done.pages, { ok: 1, failed: 1, skipped: 0 }, 'records by outcome, from the shared frontier');
      assert.equal(await node.isDone(), true);
      assert.deepEqual([done.maxPages, done.frontier.done, done.frontier.queued, done.frontier.leased], [maxPages, 2, 3, 0]);
      assert.equal(done.finished, true, 'maxPages reached: nothing more will be fetched');
      assert.match(formatClusterStatus(done), new RegExp(`distributed crawl "${crawlId}" — finished`));

      assert.equal((await node.drainHost('a.test')).length, 3);
      assert.deepEqual((await readClusterStatus(redis, crawlId)).pages, { ok: 1, failed: 1, skipped: 3 }, 'a host given up: its requests become skipped records');

      const untilMs = Date.now() + 60_000;
      await node.backoffHost('a.test', untilMs);
      const backedOff = await readClusterStatus(redis, crawlId);
      assert.deepEqual(backedOff.backoff, [{ host: 'a.test', untilMs }]);
    });
  });
}
