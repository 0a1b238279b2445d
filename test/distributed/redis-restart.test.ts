/**
 * A Redis restarted empty under a running crawl (no persistence), built CLI
 * against a private redis-server: the nodes notice the crawl is gone and stop
 * with exit 3 instead of finishing it, write nothing into the empty Redis,
 * and say how to continue; a node started without --recover refuses to seed
 * a new crawl over the lost one; the printed commands (with --recover)
 * rebuild the shared frontier from the nodes' stores and journals, and the
 * crawl completes with every page once and no stored page fetched again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createGeneratedSite } from '../../src/demo/generated-site.js';
import { startSiteServer } from '../../src/demo/site-server.js';
import { storedRecords } from '../helpers/crawl-helpers.js';
import { describeCluster, mergedExport, nodeReport, sitePaths, startNode } from '../helpers/distributed-cluster.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { waitFor } from '../helpers/wait-for.js';

/** The command a stopped node printed to continue with (`skein …` on its own line), as arguments. */
function printedCommand(result: CliResult): string[] {
  const line = result.stderr.split('\n').find((l) => /^ {4}skein /.test(l));
  assert.ok(line, `a command to continue with in: ${result.stderr}`);
  return line.trim().split(/ +/).slice(1);
}

await describeCluster('a Redis restarted empty (no persistence)', (cluster) => {
  test('the nodes stop with exit 3, never "done"; the printed --recover commands rebuild the crawl from the nodes and it completes, every page once', { skip: cluster.server.owned ? false : 'needs a private redis-server it can restart (REDIS_URL is set)' }, async () => {
    const pages = 400;
    // 2 requests at a time of 40 ms each per node: still crawling when Redis restarts.
    const web = await startSiteServer({ site: createGeneratedSite({ pages, pageBytes: 1500, linksPerPage: 12 }), latencyMs: 40 });
    const probe = new Redis(cluster.redisUrl);
    try {
      const { crawlId, file, args } = await cluster.setup(web.url, { fetch: { perHostParallelism: 4 } }, ['--parser', 'inline', '--concurrency', '2']);
      const timeout = ['--redis-timeout', '20000']; // rides out the restart: only the lost state may stop the nodes
      const nodes = [startNode('crawl', 'n1', ['--config', file, ...args, ...timeout])];
      await waitFor('n1 to seed the crawl', async () => (await nodeReport(probe, crawlId, 'n1')) !== undefined);
      nodes.push(startNode('worker', 'n2', [...args, ...timeout]));
      await waitFor('both nodes to store pages', async () => {
        const reports = await Promise.all(['n1', 'n2'].map((id) => nodeReport(probe, crawlId, id)));
        return reports.every((r) => (r?.ok ?? 0) >= 15);
      });

      const restartedAt = Date.now();
      await cluster.server.restart();
      const [r1, r2] = await Promise.all(nodes.map((n) => n.result));
      const tookMs = Date.now() - restartedAt;
      for (const r of [r1!, r2!]) {
        assert.equal(r.code, 3, r.stderr);
        assert.match(r.stderr, new RegExp(`the shared state of crawl "${crawlId}" is gone from Redis`));
        assert.match(r.stderr, /Kept on this node's disk: \d+ stored page\(s\)/);
        assert.match(r.stderr, /run every node again with --recover added/);
        assert.doesNotMatch(r.stdout, /"endReason"/, 'no summary of a finished crawl');
      }
      assert.ok(tookMs < 15_000, `the nodes noticed at once, long before --redis-timeout (${tookMs} ms)`);
      assert.deepEqual(await probe.keys('*'), [], 'nothing was written into the empty Redis');

      // Without --recover, a node does not start a new crawl over the lost one.
      const fresh = await runCli(['crawl', '--config', file, ...args, '--node-id', 'n3']);
      assert.equal(fresh.code, 3, fresh.stderr);
      assert.match(fresh.stderr, new RegExp(`holds no crawl "${crawlId}", but .* holds 2 node directories of it`));
      assert.match(fresh.stderr, /--recover/);
      assert.deepEqual(await probe.keys('*'), [], 'nothing seeded');
      const status = await runCli(['status', '--redis', cluster.redisUrl, '--crawl-id', crawlId]);
      assert.equal(status.code, 2);
      assert.match(status.stderr, /run them again with --recover/);

      const nodesDir = join(cluster.dataDir, crawlId, 'nodes');
      const storedBefore = new Set([...(await storedRecords(nodesDir, 'n1')).keys(), ...(await storedRecords(nodesDir, 'n2')).keys()]);
      const [again1, again2] = await Promise.all([runCli(printedCommand(r1!)), runCli(printedCommand(r2!))]);
      assert.equal(again1.code, 0, again1.stderr);
      assert.equal(again2.code, 0, again2.stderr);
      assert.match(again1.stderr + again2.stderr, /crawl ".*" rebuilt from the 2 node directories in .*: \d+ stored pages \(\d+ new to Redis, marked done\), \d+ journaled URLs \(\d+ queued again\)/);

      const records = await mergedExport(crawlId, [cluster.dataDir]);
      assert.deepEqual(records.map((r) => r.key).sort(), sitePaths(pages).map((p) => web.url + p).sort(), 'every page once, none missing');
      const refetched = [...storedBefore].filter((key) => web.hits(new URL(key).pathname) > 1);
      assert.deepEqual(refetched, [], 'no page stored before the restart was fetched again');
      const live = JSON.parse((await runCli(['status', '--redis', cluster.redisUrl, '--crawl-id', crawlId, '--json'])).stdout);
      assert.equal(live.finished, true);
      assert.equal(live.pages.ok, pages + 1, 'the rebuilt counters hold the pages stored before the restart too');
      assert.equal(live.recovered.by === 'n1' || live.recovered.by === 'n2', true);
    } finally {
      probe.disconnect();
      await web.close();
    }
  });
});
