/**
 * A Redis that stops answering mid-crawl (SIGSTOP: its connections stay
 * open, nothing is refused, nothing comes back), built CLI against a private
 * redis-server: `--redis-timeout` holds, the node keeps what it fetched on
 * its own disk and exits 3 with a message that says what happened, and once
 * Redis runs again the same command rejoins and finishes the crawl.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createGeneratedSite } from '../../src/demo/generated-site.js';
import { startSiteServer } from '../../src/demo/site-server.js';
import { storedRecords } from '../helpers/crawl-helpers.js';
import { describeCluster, mergedExport, nodeReport, sitePaths, startNode } from '../helpers/distributed-cluster.js';
import { waitFor } from '../helpers/wait-for.js';

await describeCluster('a hung Redis (SIGSTOP)', (cluster) => {
  test('--redis-timeout holds: in-flight pages stored and flushed, exit 3 within the timeout and a short grace; the same command rejoins once Redis runs again', { skip: cluster.server.owned ? false : 'needs a private redis-server it can pause (REDIS_URL is set)' }, async () => {
    const pages = 400;
    // 2 requests at a time of 40 ms each: still crawling when Redis is paused.
    const web = await startSiteServer({ site: createGeneratedSite({ pages, pageBytes: 1500, linksPerPage: 12 }), latencyMs: 40 });
    const probe = new Redis(cluster.redisUrl);
    try {
      const { crawlId, file, args } = await cluster.setup(web.url, { fetch: { perHostParallelism: 4 } }, ['--parser', 'inline', '--concurrency', '2']);
      const command = ['--config', file, ...args, '--redis-timeout', '2000'];
      const node = startNode('crawl', 'n1', command);
      await waitFor('pages stored', async () => ((await nodeReport(probe, crawlId, 'n1'))?.ok ?? 0) >= 20);
      const reported = (await nodeReport(probe, crawlId, 'n1'))!.ok;
      probe.disconnect();
      cluster.server.pause();
      const pausedAt = Date.now();
      const result = await node.result;
      const tookMs = Date.now() - pausedAt;
      assert.equal(result.code, 3, result.stderr);
      // The watchdog probes every 200 ms (a tenth of the timeout): its last answer came at most that long before the pause.
      assert.ok(tookMs >= 2_000 - 250, `waited for --redis-timeout (${tookMs} ms)`);
      assert.ok(tookMs < 2_000 + 3_500, `gave up within the timeout and a short grace (${tookMs} ms)`);
      assert.match(result.stderr, /unreachable for [\d.]+ s \(limit 2000 ms, --redis-timeout\); gave up/);
      assert.match(result.stderr, /no reply \(the server is hung, paused or overloaded\)/);
      const kept = await storedRecords(join(cluster.dataDir, crawlId, 'nodes'), 'n1');
      assert.ok(kept.size >= reported, `pages stored before the hang are on disk (${kept.size} ≥ ${reported})`);

      cluster.server.resume();
      const again = await startNode('crawl', 'n1', command).result;
      assert.equal(again.code, 0, again.stderr);
      const records = await mergedExport(crawlId, [cluster.dataDir]);
      assert.deepEqual(records.map((r) => r.key).sort(), sitePaths(pages).map((p) => web.url + p).sort(), 'every page once');
    } finally {
      probe.disconnect();
      cluster.server.resume();
      await web.close();
    }
  });
});
