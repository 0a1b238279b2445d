/**
 * Distributed crawling on a real Redis Cluster (three masters started by the
 * test, see helpers/redis-cluster.ts): `--redis` with the nodes' URLs (or one
 * URL and `--redis-cluster`) runs the same crawl as on one Redis, every page
 * stored once; scripts survive a master losing its script cache (NOSCRIPT);
 * and a cluster that cannot serve the crawl (unreachable, a slot without a
 * master, a wrong password) ends the node at once with one clear message and
 * exit 3, nothing written.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { createGeneratedSite } from '../../src/demo/generated-site.js';
import { startSiteServer } from '../../src/demo/site-server.js';
import { missingSlotRanges, parseRedisUrl } from '../../src/distributed/redis-connection.js';
import { RedisFrontier } from '../../src/frontier/redis-frontier.js';
import { ConfigError } from '../../src/core/errors.js';
import { mergedExport, sitePaths, startNode } from '../helpers/distributed-cluster.js';
import { tempDataDir } from '../helpers/crawl-helpers.js';
import { startRedisCluster, type RedisClusterServer } from '../helpers/redis-cluster.js';
import { newIdentity } from '../helpers/redis-server.js';
import { runCli } from '../helpers/run-cli.js';
import { req, T0 } from '../frontier/frontier-contract.js';

describe('Redis Cluster URLs', () => {
  test('several URLs are a cluster; they must share scheme and credentials; only database 0', () => {
    const t = parseRedisUrl('redis://u:pw-123@10.0.0.1:7000, redis://u:pw-123@10.0.0.2:7001');
    assert.equal(t.cluster, true);
    assert.deepEqual(t.nodes, [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }]);
    assert.equal(t.redacted, 'redis://***:***@10.0.0.1:7000,redis://***:***@10.0.0.2:7001');
    assert.equal(parseRedisUrl('redis://h:7000').cluster, false);
    assert.equal(parseRedisUrl('redis://h:7000', { cluster: true }).cluster, true);
    const refused = (spec: string, pattern: RegExp) =>
      assert.throws(() => parseRedisUrl(spec), (e: unknown) => e instanceof ConfigError && e.field === 'redis' && pattern.test(e.message) && !e.message.includes('pw-'));
    refused('redis://u:pw-1@a:1,redis://u:pw-2@b:2', /same scheme, user and password/);
    refused('redis://a:1/2,redis://b:2/2', /only database 0/);
  });

  test('missing slot ranges', () => {
    assert.deepEqual(missingSlotRanges([[0, 16383]]), []);
    assert.deepEqual(missingSlotRanges([[0, 5460], [5462, 10922], [10923, 16000]]), [[5461, 5461], [16001, 16383]]);
    assert.deepEqual(missingSlotRanges([]), [[0, 16383]]);
  });
});

const cluster: RedisClusterServer = await startRedisCluster();

if (!cluster.ok) {
  test('Redis Cluster', (t) => t.skip(cluster.reason));
} else {
  describe('distributed crawl on a 3-master Redis Cluster (built CLI)', () => {
    let data: Awaited<ReturnType<typeof tempDataDir>>;
    before(async () => {
      data = await tempDataDir();
    });
    after(async () => {
      await data.cleanup();
      await cluster.stop();
    });

    test('two nodes, one given every node URL, one given a single node and --redis-cluster: every page stored once', async () => {
      const pages = 120;
      const web = await startSiteServer({ site: createGeneratedSite({ pages, pageBytes: 1500, linksPerPage: 10 }) });
      try {
        const crawlId = `c-${randomUUID().slice(0, 8)}`;
        const file = join(data.dir, `${crawlId}.json`);
        await writeFile(file, JSON.stringify({ seeds: [web.url + '/'], fetch: { perHostParallelism: 8 } }));
        const common = ['--crawl-id', crawlId, '--data-dir', data.dir, '--parser', 'inline', '--concurrency', '8', '--json'];
        const nodes = [
          startNode('crawl', 'n1', ['--config', file, '--redis', cluster.url, ...common]),
          startNode('crawl', 'n2', ['--config', file, '--redis', cluster.nodes[2]!.url, '--redis-cluster', ...common]),
        ];
        const results = await Promise.all(nodes.map((n) => n.result));
        for (const [i, r] of results.entries()) assert.equal(r.code, 0, `n${i + 1}: ${r.stderr}`);
        const records = await mergedExport(crawlId, [data.dir]);
        assert.deepEqual(records.map((r) => r.key).sort(), sitePaths(pages).map((p) => web.url + p).sort());
        for (const path of sitePaths(pages)) assert.equal(web.hits(path), 1, `${path} fetched once`);
        const status = await runCli(['status', '--redis', cluster.url, '--crawl-id', crawlId, '--json']);
        assert.equal(status.code, 0, status.stderr);
        assert.deepEqual(JSON.parse(status.stdout).pages.ok, pages + 1);
      } finally {
        await web.close();
      }
    });

    test('a master that lost its script cache (SCRIPT FLUSH: a restart, a failover) runs the scripts again', async () => {
      const redis = new Cluster(cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })));
      try {
        const crawlId = `s-${randomUUID().slice(0, 8)}`;
        const frontier = new RedisFrontier({ redis, crawlId, nodeId: 'n', identity: await newIdentity(redis as never, crawlId), maxPages: 100, hostPolicy: { delayMs: 0, parallelism: 10 } });
        assert.deepEqual(await frontier.add([req('a.test', '1')]), [{ ok: true }]);
        for (const node of cluster.nodes) {
          const client = node.client();
          await client.script('FLUSH');
          client.disconnect();
        }
        assert.deepEqual(await frontier.add([req('a.test', '1'), req('a.test', '2')]), [{ ok: false, reason: 'duplicate' }, { ok: true }]);
        assert.equal((await frontier.lease(10, T0)).length, 2);
      } finally {
        redis.disconnect();
      }
    });

    const noCrawlWritten = async (crawlId: string) => {
      const entries = await readdir(data.dir);
      assert.ok(!entries.includes(crawlId), `nothing written for ${crawlId}`);
    };

    test('unreachable cluster: exit 3, one clear message, nothing written', async () => {
      const result = await runCli(['crawl', 'http://127.0.0.1:9/', '--redis', 'redis://127.0.0.1:1,redis://127.0.0.1:2', '--crawl-id', 'down', '--data-dir', data.dir]);
      assert.equal(result.code, 3, result.stderr);
      assert.match(result.stderr, /cannot reach Redis Cluster at redis:\/\/127\.0\.0\.1:1,redis:\/\/127\.0\.0\.1:2/);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      await noCrawlWritten('down');
    });

    test('wrong password on a cluster: exit 3 without the password; the right one works', async () => {
      for (const node of cluster.nodes) {
        const client = node.client();
        await client.call('ACL', 'SETUSER', 'skein-test', 'on', '>right-pass-123', '~*', '+@all');
        client.disconnect();
      }
      const urls = (password: string) => cluster.nodes.map((n) => `redis://skein-test:${password}@127.0.0.1:${n.port}`).join(',');
      const wrong = await runCli(['crawl', 'http://127.0.0.1:9/', '--redis', urls('wrong-pass-456'), '--crawl-id', 'pw', '--data-dir', data.dir]);
      assert.equal(wrong.code, 3, wrong.stderr);
      assert.match(wrong.stderr, /WRONGPASS/);
      assert.doesNotMatch(wrong.stderr, /wrong-pass-456/);
      await noCrawlWritten('pw');
      const right = await runCli(['status', '--redis', urls('right-pass-123'), '--crawl-id', 'pw']);
      assert.equal(right.code, 2, right.stderr);
      assert.match(right.stderr, /no crawl "pw" in this Redis/);
    });

    // Last: it takes a slot away from the cluster.
    test('a slot without a master: exit 3 naming the slots, nothing written', async () => {
      const owner = cluster.nodes.find(() => true)!;
      const client = owner.client();
      const slots = (await client.cluster('SLOTS')) as unknown as Array<[number, number, [string, number]]>;
      const own = slots.find(([, , [, port]]) => port === owner.port)!;
      client.disconnect();
      for (const node of cluster.nodes) {
        const each = node.client();
        await each.cluster('DELSLOTS', own[0]);
        each.disconnect();
      }
      const result = await runCli(['crawl', 'http://127.0.0.1:9/', '--redis', cluster.url, '--crawl-id', 'slots', '--data-dir', data.dir]);
      assert.equal(result.code, 3, result.stderr);
      assert.match(result.stderr, new RegExp(`serves no master for 1 of its 16384 slots \\(${own[0]}\\)`));
      await noCrawlWritten('slots');
    });
  });
}
