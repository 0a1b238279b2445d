/**
 * `skein status` counts a distributed crawl as the merged export does, built
 * CLI against a private redis-server: a node stopped and rejoined keeps the
 * pages of its first run in the count (`status --redis`), a node's data dir
 * shows what its stores hold (`status <crawl-id> --data-dir …`), and a node
 * that has ended shows no live rate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGeneratedSite } from '../../src/demo/generated-site.js';
import { startSiteServer } from '../../src/demo/site-server.js';
import { crawlKey } from '../../src/distributed/shared-crawl.js';
import { describeCluster, mergedExport, nodeReport, startNode } from '../helpers/distributed-cluster.js';
import { waitFor } from '../helpers/wait-for.js';
import { runCli } from '../helpers/run-cli.js';

await describeCluster('honest status of a distributed crawl (built CLI)', (cluster) => {
  test('a node stopped and rejoined: status --redis and status --data-dir count every run, as export does; ended nodes show no live rate', async () => {
    const pages = 200;
    // n1 alone, 2 requests at a time of 30 ms each: still crawling when it is stopped.
    const web = await startSiteServer({ site: createGeneratedSite({ pages, pageBytes: 1500, linksPerPage: 12 }), latencyMs: 30 });
    try {
      const { crawlId, file, args } = await cluster.setup(web.url, { fetch: { perHostParallelism: 16 } }, ['--parser', 'inline', '--concurrency', '2']);
      const first = startNode('crawl', 'n1', ['--config', file, ...args]);
      await waitFor('n1 to store 40 pages', async () => ((await nodeReport(cluster.redis, crawlId, 'n1'))?.ok ?? 0) >= 40);
      first.child().kill('SIGTERM');
      const stopped = await first.result;
      assert.equal(stopped.code, 130, stopped.stderr);
      const firstRun = JSON.parse(stopped.stdout) as { pages: { ok: number } };
      assert.ok(firstRun.pages.ok >= 40);
      const afterStop = await runCli(['status', '--redis', cluster.redisUrl, '--crawl-id', crawlId]);
      assert.match(afterStop.stdout, /n1\s+stopped\s+\d+ stored \(all runs\); this run: ok \d+.*; [\d.]+ pages\/s avg \(/);
      assert.doesNotMatch(afterStop.stdout, /n1\s+stopped.*pages\/s now/, 'a stopped node has no live rate');

      // n1 rejoins with the same node id, n2 joins; together they finish.
      assert.equal(await cluster.redis.exists(crawlKey(crawlId)), 1);
      const faster = [...args, '--concurrency', '8'];
      const results = await Promise.all([startNode('crawl', 'n1', ['--config', file, ...faster]), startNode('worker', 'n2', faster)].map((n) => n.result));
      for (const r of results) assert.equal(r.code, 0, r.stderr);

      const records = await mergedExport(crawlId, [cluster.dataDir]);
      assert.equal(records.length, pages + 1, 'every page once in the export');
      const status = JSON.parse((await runCli(['status', '--redis', cluster.redisUrl, '--crawl-id', crawlId, '--json'])).stdout);
      assert.equal(status.pages.ok + status.pages.failed + status.pages.skipped, records.length, 'status --redis counts the first run of n1 too');
      assert.equal(status.pages.ok, records.filter((r) => r.outcome === 'ok').length);
      const n1 = status.nodes.find((n: { nodeId: string }) => n.nodeId === 'n1');
      assert.equal(n1.state, 'finished');
      assert.equal(n1.pagesPerSecond, 0, 'a finished node reports no current rate');
      assert.equal(n1.stored, records.filter((r) => r.node === 'n1').length, "n1's store: both of its runs");
      assert.equal(status.pagesPerSecond, 0);

      const local = await runCli(['status', crawlId, '--data-dir', cluster.dataDir, '--json']);
      assert.equal(local.code, 0, local.stderr);
      const stores = JSON.parse(local.stdout);
      assert.equal(stores.merged.pages.total, records.length, 'status --data-dir finds the node stores, like export');
      assert.equal(stores.merged.duplicates, 0);
      assert.deepEqual(stores.stores.map((s: { name: string; runs: number }) => `${s.name}:${s.runs}`), ['n1:2', 'n2:1']);
      const text = await runCli(['status', crawlId, '--data-dir', cluster.dataDir]);
      assert.match(text.stdout, new RegExp(`distributed crawl "${crawlId}": 2 store\\(s\\)`));
      assert.match(text.stdout, new RegExp(`merged, every page once: ${pages + 1} stored — ${pages + 1} ok`));
    } finally {
      await web.close();
    }
  });
});
