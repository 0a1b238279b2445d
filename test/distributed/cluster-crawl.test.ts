/**
 * Distributed crawling against a real Redis (a private redis-server, or
 * REDIS_URL): several built `skein` processes share one crawl. Every page is
 * stored exactly once across the nodes (merged export), a node killed with
 * -9 loses nothing, per-host politeness holds cluster-wide, and Redis
 * trouble ends a node with exit code 3 without printing credentials.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createGeneratedSite } from '../../src/demo/generated-site.js';
import { startSiteServer, type SiteServer } from '../../src/demo/site-server.js';
import { crawlKey } from '../../src/distributed/shared-crawl.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { storedRecords } from '../helpers/crawl-helpers.js';
import { describeCluster, mergedExport, nodeReport, sitePaths, startGatedSite, nodeSummaries, startNode } from '../helpers/distributed-cluster.js';
import { waitFor } from '../helpers/wait-for.js';
import { runCli } from '../helpers/run-cli.js';

await describeCluster('distributed crawl on Redis (built CLI, 3 nodes)', (cluster) => {
  const { redisUrl } = cluster;
  /** A fresh crawl id, a config file for `site`, and the flags every node gets. */
  const setup = (web: Pick<SiteServer, 'url'>, config: Record<string, unknown>) => cluster.setup(web.url, config);
  const pagePaths = sitePaths;

  test('three nodes crawl 1,000 pages: every page stored exactly once, none missing; status shows it', async () => {
    // 1,000 pages (not 2,000): the file's four crawls stay well inside the per-file timeout on a loaded machine.
    const pages = 1000;
    const web = await startSiteServer({ site: createGeneratedSite({ pages, pageBytes: 2000, linksPerPage: 20 }) });
    try {
      const { crawlId, file, args } = await setup(web, { fetch: { perHostParallelism: 16 } });
      // Two nodes run the same command (one seeds, one joins); the third joins as a worker.
      const nodes = [startNode('crawl', 'n1', ['--config', file, ...args]), startNode('crawl', 'n2', ['--config', file, ...args])];
      await waitFor('the crawl definition in Redis', async () => (await cluster.redis.exists(crawlKey(crawlId))) === 1);
      nodes.push(startNode('worker', 'n3', args));
      const summaries = await nodeSummaries(nodes);
      assert.ok(summaries.every((s) => s.endReason === 'done'));
      assert.ok(summaries.every((s) => s.pages.ok > 0), `every node did part of the work: ${summaries.map((s) => s.pages.ok).join(', ')}`);
      assert.equal(summaries.reduce((n, s) => n + s.pages.ok, 0), pages + 1, 'no page stored by two nodes');

      const records = await mergedExport(crawlId, [cluster.dataDir]);
      const keys = records.map((r) => r.key).sort();
      assert.deepEqual(keys, pagePaths(pages).map((p) => web.url + p).sort(), 'every page once, none missing');
      assert.ok(records.every((r) => r.outcome === 'ok' && ['n1', 'n2', 'n3'].includes(r.node ?? '')));
      for (const path of pagePaths(pages)) assert.equal(web.hits(path), 1, `${path} fetched once`);

      const status = await runCli(['status', '--redis', redisUrl, '--crawl-id', crawlId, '--json']);
      assert.equal(status.code, 0, status.stderr);
      const s = JSON.parse(status.stdout);
      assert.equal(s.finished, true);
      assert.deepEqual([s.frontier.done, s.frontier.queued, s.frontier.leased, s.pages.ok], [pages + 1, 0, 0, pages + 1]);
      assert.deepEqual(s.nodes.map((n: { nodeId: string; state: string }) => `${n.nodeId}:${n.state}`), ['n1:finished', 'n2:finished', 'n3:finished']);
      const text = await runCli(['status', '--redis', redisUrl, '--crawl-id', crawlId]);
      assert.match(text.stdout, new RegExp(`distributed crawl "${crawlId}" — finished`));
      assert.match(text.stdout, /n3\s+finished\s+\d+ stored \(all runs\); this run: ok \d+/);

      // Joining a crawl with another definition is refused (exit 2, names the field).
      const other = await runCli(['crawl', '--config', file, ...args, '--max-depth', '3', '--node-id', 'n4']);
      assert.equal(other.code, 2);
      assert.match(other.stderr, /scope\.maxDepth: differs from the crawl/);
      // Running the same command again on a finished crawl: nothing left, exit 0 at once.
      const again = await runCli(['crawl', '--config', file, ...args, '--node-id', 'n5']);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(JSON.parse(again.stdout).pages.ok, 0);
    } finally {
      await web.close();
    }
  });

  test('kill -9 one node mid-crawl: the crawl still completes, every page still stored exactly once', async (t) => {
    const pages = 600;
    // 2 requests at a time of 40 ms each per node: n1 is still crawling when n2 and n3 have started.
    const web = await startSiteServer({ site: createGeneratedSite({ pages, pageBytes: 2000, linksPerPage: 20 }), latencyMs: 40 });
    try {
      const { crawlId, file, args: common } = await setup(web, { fetch: { perHostParallelism: 16 } });
      const args = [...common, '--concurrency', '2'];
      const nodes = [startNode('crawl', 'n1', ['--config', file, '--lease-ms', '3000', ...args])];
      await waitFor('the crawl definition in Redis', async () => (await cluster.redis.exists(crawlKey(crawlId))) === 1);
      nodes.push(startNode('worker', 'n2', args), startNode('worker', 'n3', args));
      await waitFor('n3 to store pages', async () => ((await nodeReport(cluster.redis, crawlId, 'n3'))?.ok ?? 0) >= 20);
      nodes[2]!.child().kill('SIGKILL');
      const [r1, r2, r3] = await Promise.all(nodes.map((n) => n.result));
      assert.equal(r3!.signal, 'SIGKILL');
      assert.equal(r1!.code, 0, r1!.stderr);
      assert.equal(r2!.code, 0, r2!.stderr);

      const records = await mergedExport(crawlId, [cluster.dataDir]);
      const keys = records.map((r) => r.key).sort();
      assert.deepEqual(keys, pagePaths(pages).map((p) => web.url + p).sort(), 'every page once, none missing');
      const killedStore = await storedRecords(join(cluster.dataDir, crawlId, 'nodes'), 'n3');
      assert.ok(killedStore.size >= 1, 'what the killed node flushed is still on its disk');
      // The killed node's leases (at most perHostParallelism, as completions wait for its flush) come back
      // after --lease-ms; a lease outliving --lease-ms on a busy machine is handed out again too.
      const refetched = pagePaths(pages).filter((p) => web.hits(p) > 1).length;
      t.diagnostic(`pages fetched twice: ${refetched}; pages the killed node had flushed: ${killedStore.size}`);
      assert.ok(refetched <= pages / 10, `only a few pages are fetched again (${refetched})`);
    } finally {
      await web.close();
    }
  });

  test('cluster-wide politeness: request starts to one host are spaced by the delay across 3 nodes', async () => {
    const site = createGeneratedSite({ pages: 24, pageBytes: 2000, linksPerPage: 8 });
    const web = await startGatedSite(site);
    try {
      const delayMs = 150;
      // Robots off: a node's first request to a host waits for its robots.txt fetch between lease and
      // fetch, which bunches it with the next node's (see docs/distributed.md, "Politeness").
      const { crawlId, file, args } = await setup({ url: web.url }, { politeness: { delayMs, respectRobots: false, sitemaps: false }, fetch: { perHostParallelism: 4 } });
      const nodes = ['n1', 'n2', 'n3'].map((id) => startNode('crawl', id, ['--config', file, ...args]));
      // The home page answers once every node has joined, so the pages after it are spread over
      // three running nodes rather than over nodes still starting up.
      await waitFor('all nodes joined and the home page asked for', async () => {
        const reports = await Promise.all(['n1', 'n2', 'n3'].map((id) => nodeReport(cluster.redis, crawlId, id)));
        return reports.every(Boolean) && web.homeRequested();
      });
      web.open();
      const busy = (await nodeSummaries(nodes)).filter((s) => s.pages.ok > 0).length;
      assert.ok(busy >= 2, `at least two nodes fetched pages (${busy})`);
      // The frontier spaces the leases; a request reaches the server later when its node stalls between
      // request start and the bytes on the wire (a cold first connection: 30–65 ms; a process not
      // scheduled on this oversubscribed 2-core machine: up to 200 ms), and a late request bunches
      // with the next node's punctual one. Such late requests (arrival − the record's request start
      // > 20 ms, same clock) are left out of the gap check; most requests must remain in it.
      const records = await mergedExport(crawlId, [cluster.dataDir]);
      const startedAt = new Map(records.map((r) => [new URL(r.key).pathname, Date.parse(r.fetchedAt)]));
      assert.deepEqual(web.log.map((r) => r.path).sort(), pagePaths(24).sort(), 'every page fetched once');
      const punctual = web.log.filter((r) => r.atMs - startedAt.get(r.path)! <= 20);
      assert.ok(punctual.length >= 16, `most requests reach the server within 20 ms of their start (${punctual.length} of 25)`);
      const times = punctual.map((r) => r.atMs).sort((a, b) => a - b);
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      // Without a shared host schedule, three nodes each spacing their own requests interleave at
      // random: gaps near 0 and a median near delay / 3. With it, the median gap is the delay; a
      // node stalled by the OS between its lease and its request (which record timestamps cannot
      // see) can shorten one gap, never to near 0.
      const sorted = [...gaps].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)]!;
      assert.ok(median >= delayMs - 20, `median gap ${median} ms, gaps ${gaps.join(' ')}`);
      assert.ok(sorted[0]! >= delayMs / 2, `smallest gap ${sorted[0]} ms, gaps ${gaps.join(' ')}`);
    } finally {
      await web.close();
    }
  });

  test('Redis down at start: exit 3, a clear message, no password printed', async () => {
    const result = await runCli(['crawl', 'http://127.0.0.1:9/', '--redis', 'redis://skein:hunter2-secret@127.0.0.1:1', '--crawl-id', 'down', '--data-dir', cluster.dataDir]);
    assert.equal(result.code, 3);
    assert.match(result.stderr, /cannot reach Redis at redis:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:1/);
    assert.doesNotMatch(result.stderr + result.stdout, /hunter2/);
    const worker = await runCli(['worker', '--redis', redisUrl, '--crawl-id', 'never-seeded', '--data-dir', cluster.dataDir]);
    assert.equal(worker.code, 2);
    assert.match(worker.stderr, /no crawl "never-seeded" in Redis/);
  });

  test('wrong password: exit 3 without the password; the right one works', { skip: process.env.REDIS_URL ? 'needs a private redis-server (REDIS_URL is set)' : false }, async () => {
    await cluster.redis.call('ACL', 'SETUSER', 'skein-test', 'on', '>right-pass-123', '~*', '+@all');
    const url = new URL(redisUrl);
    const wrong = await runCli(['status', '--redis', `redis://skein-test:wrong-pass-456@${url.host}`, '--crawl-id', 'x']);
    assert.equal(wrong.code, 3);
    assert.match(wrong.stderr, /WRONGPASS/);
    assert.doesNotMatch(wrong.stderr, /wrong-pass-456/);
    const right = await runCli(['status', '--redis', `redis://skein-test:right-pass-123@${url.host}`, '--crawl-id', 'x']);
    assert.equal(right.code, 2, 'authenticated; the crawl id simply does not exist');
    assert.match(right.stderr, /no crawl "x" in this Redis/);
  });

  test('Redis lost mid-crawl: the node pauses, gives up after --redis-timeout with exit 3, keeps its pages', { skip: process.env.REDIS_URL ? 'needs a private redis-server it can stop (REDIS_URL is set)' : false }, async () => {
    const own = await startRedisServer();
    assert.ok(own.ok);
    const web = await startSiteServer({ site: createGeneratedSite({ pages: 400, pageBytes: 2000, linksPerPage: 20 }) });
    const probe = new Redis(own.url);
    try {
      const crawlId = 'lost';
      const file = join(cluster.dataDir, 'lost.json');
      await writeFile(file, JSON.stringify({ seeds: [web.url + '/'], politeness: { delayMs: 20 } }));
      const node = startNode('crawl', 'n1', ['--config', file, '--redis', own.url, '--crawl-id', crawlId, '--data-dir', cluster.dataDir, '--workers', '1', '--redis-timeout', '1500']);
      await waitFor('pages stored', async () => ((await nodeReport(probe, crawlId, 'n1'))?.ok ?? 0) >= 10);
      const reported = (await nodeReport(probe, crawlId, 'n1'))!.ok;
      probe.disconnect();
      const stoppedAt = Date.now();
      await own.stop();
      const result = await node.result;
      assert.equal(result.code, 3, result.stderr);
      assert.ok(Date.now() - stoppedAt >= 1_400, 'waited for --redis-timeout before giving up');
      assert.match(result.stderr, /paused, retrying for up to 1500 ms/);
      assert.match(result.stderr, /unreachable for [\d.]+ s \(limit 1500 ms, --redis-timeout\); gave up/);
      const kept = await storedRecords(join(cluster.dataDir, crawlId, 'nodes'), 'n1');
      assert.ok(kept.size >= reported, `pages stored locally are kept (${kept.size} ≥ ${reported})`);
    } finally {
      probe.disconnect();
      await web.close();
      await own.stop();
    }
  });
});
