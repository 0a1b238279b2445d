/**
 * A sharded crawl on a real 3-master Redis Cluster (AOF on) through faults:
 * three built `skein` nodes crawl a synthetic broad web of 30 loopback hosts
 * (test/helpers/broad-web/, one listening socket per host); mid-crawl one
 * node is killed with SIGKILL and one master of the cluster is restarted.
 * The other nodes ride out the restart, the crawl completes, the crawl's keys
 * sit on every master, and the merged export holds every reachable page
 * exactly once with the outcome the web's ground truth says.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { crawlKeys } from '../../src/frontier/redis-keys.js';
import { BroadWeb, type BroadWebOptions } from '../helpers/broad-web/broad-web.js';
import { checkBroadCrawl } from '../helpers/broad-web/broad-web-check.js';
import { startBroadWebServerProcess, type BroadWebServerProcess } from '../helpers/broad-web/broad-web-server-process.js';
import { broadWebTruth } from '../helpers/broad-web/broad-web-truth.js';
import { tempDataDir } from '../helpers/crawl-helpers.js';
import { mergedExport, startNode } from '../helpers/distributed-cluster.js';
import { startRedisCluster, type RedisClusterServer } from '../helpers/redis-cluster.js';
import { waitFor } from '../helpers/wait-for.js';

const cluster: RedisClusterServer = await startRedisCluster({ appendonly: true });

const webOptions: BroadWebOptions = {
  hosts: 30,
  seed: 5,
  seedCount: 6,
  maxPagesPerHost: 15,
  crawlDelayFraction: 0,
  behaviours: { slow: 0.4, unavailable: 0, refused: 0, reset: 0, hang: 0 },
  slowLatencyMs: [20, 80],
  trapFraction: 0,
};

if (!cluster.ok) {
  test('sharded crawl through faults on a Redis Cluster', (t) => t.skip(cluster.reason));
} else {
  describe('sharded crawl through faults on a 3-master Redis Cluster (built CLI)', () => {
    let data: Awaited<ReturnType<typeof tempDataDir>>;
    let server: BroadWebServerProcess;
    let redis: Cluster;
    before(async () => {
      data = await tempDataDir();
      server = await startBroadWebServerProcess(webOptions, { bind: 'each' });
      redis = new Cluster(cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })), { clusterRetryStrategy: () => 200 });
      redis.on('error', () => undefined);
    });
    after(async () => {
      redis.disconnect();
      await server.close();
      await data.cleanup();
      await cluster.stop();
    });

    test('kill -9 one node of three and restart one master mid-crawl: every reachable page stored exactly once', async () => {
      const web = new BroadWeb(webOptions);
      const truth = broadWebTruth(web, { ports: server.ports, maxRepeatedSegments: 3, perHostParallelism: 2 });
      const crawlId = `f-${randomUUID().slice(0, 8)}`;
      const file = join(data.dir, `${crawlId}.json`);
      await writeFile(file, JSON.stringify({ seeds: web.seedUrls(server.ports), scope: { mode: 'any', maxDepth: 1000, maxPages: 1_000_000 }, fetch: { perHostParallelism: 2 } }));
      const args = ['--config', file, '--redis', cluster.url, '--crawl-id', crawlId, '--data-dir', data.dir, '--parser', 'inline', '--concurrency', '8', '--lease-ms', '4000', '--redis-timeout', '60000', '--json', '-q'];
      const nodes = ['n1', 'n2', 'n3'].map((id) => startNode('crawl', id, args, {}, 110_000));
      const stored = async (nodeId: string) => {
        const raw = await redis.hget(crawlKeys(crawlId).nodes, nodeId).catch(() => null);
        return raw ? (JSON.parse(raw) as { ok: number; failed: number }).ok : 0;
      };
      await waitFor('a quarter of the pages stored', async () => (await stored('n1')) + (await stored('n2')) + (await stored('n3')) >= truth.expected.size / 4, 60_000);
      nodes[2]!.child().kill('SIGKILL');
      // The crawl's keys spread over every master (each holds some of its shards).
      for (const node of cluster.nodes) {
        const client = node.client();
        const keys = await client.keys(crawlKeys(crawlId).pattern);
        client.disconnect();
        assert.ok(keys.length > 0, `master ${node.port} holds part of the crawl`);
      }
      await cluster.nodes[1]!.restart();
      const results = await Promise.all(nodes.map((n) => n.result));
      assert.equal(results[2]!.signal, 'SIGKILL');
      for (const [i, r] of results.slice(0, 2).entries()) assert.equal(r.code, 0, `n${i + 1}: ${r.stderr.slice(-3000)}`);

      const records = await mergedExport(crawlId, [data.dir]);
      const check = checkBroadCrawl({ web, truth, server: await server.report(), records, perHostParallelism: 2 });
      // Pages in flight on the killed node are fetched again by design: "served more than once" is expected.
      const storeViolations = check.violations.filter((v) => /^(stored twice|reachable but not stored|stored but not reachable|wrong outcome)/.test(v));
      assert.deepEqual(storeViolations, []);
      assert.equal(check.figures.stored, truth.expected.size);
    });
  });
}
