/**
 * WARC in a distributed crawl: two nodes of one crawl on a private Redis, each
 * with --warc to the same directory. Each node writes its own files, its node
 * id in their names; every file parses with warcio (digests verified,
 * requests and responses paired, revisits referring to records in the
 * archive); each stored page's response is in the archive exactly once, in a
 * file of the node that stored it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createGeneratedSite } from '../../src/demo/generated-site.js';
import { startSiteServer } from '../../src/demo/site-server.js';
import { crawlKey } from '../../src/distributed/shared-crawl.js';
import { describeCluster, mergedExport, sitePaths, nodeSummaries, startNode } from '../helpers/distributed-cluster.js';
import { checkPairs, checkRevisits, readWarc, warcFiles } from '../helpers/read-warc.js';
import { waitFor } from '../helpers/wait-for.js';

await describeCluster('WARC in a distributed crawl (built CLI, 2 nodes, private Redis)', (cluster) => {
  test('each node writes its own files (node id in the name); every file parses; each stored page\'s response once', async (t) => {
    const pages = 300;
    // 20 ms a response, 4 at a time per node: the first node is still crawling when the second joins.
    const web = await startSiteServer({ site: createGeneratedSite({ pages, pageBytes: 3000, linksPerPage: 20 }), latencyMs: 20 });
    try {
      const warcDir = path.join(cluster.dataDir, 'warc');
      const { crawlId, file, args } = await cluster.setup(web.url, { fetch: { perHostParallelism: 8 } }, ['--parser', 'inline', '--concurrency', '4']);
      // Both run the same command: one seeds the crawl, the other joins it.
      const command = ['--config', file, ...args, '--warc', warcDir];
      const nodes = [startNode('crawl', 'n1', command)];
      await waitFor('the crawl definition in Redis', async () => (await cluster.redis.exists(crawlKey(crawlId))) === 1);
      nodes.push(startNode('crawl', 'n2', command));
      const summaries = await nodeSummaries(nodes);
      t.diagnostic(`pages stored by n1, n2: ${summaries.map((s) => s.pages.ok).join(', ')}`);
      assert.ok(summaries.every((s) => s.pages.ok > 0), `both nodes did part of the work: ${summaries.map((s) => s.pages.ok).join(', ')}`);

      const files = await warcFiles(warcDir);
      const nodeOf = (file: string): string | undefined => /-\d{17}-\d{5}-(n[12])\.warc\.gz$/.exec(file)?.[1];
      assert.deepEqual(files.filter((f) => !nodeOf(f)), [], 'every file name carries its node id');
      assert.deepEqual([...new Set(files.map(nodeOf))].sort(), ['n1', 'n2'], 'each node wrote its own files');

      const records = await readWarc(warcDir); // every record of every file parses, digests verified
      checkPairs(records);
      checkRevisits(records);
      for (const f of files) assert.equal(records.find((r) => r.file === f)?.type, 'warcinfo', `${f} opens with its warcinfo`);

      const stored = await mergedExport(crawlId, [cluster.dataDir]);
      assert.deepEqual(stored.map((r) => r.key).sort(), sitePaths(pages).map((p) => web.url + p).sort(), 'every page stored once');
      const responses = new Map<string, string[]>();
      for (const r of records) if (r.type === 'response' || r.type === 'revisit') responses.set(r.uri!, [...(responses.get(r.uri!) ?? []), nodeOf(r.file)!]);
      const wrong = stored.filter((r) => responses.get(r.url)?.length !== 1 || responses.get(r.url)![0] !== r.node);
      assert.deepEqual(wrong.map((r) => `${r.url} stored by ${r.node}, responses in ${responses.get(r.url)?.join(', ') ?? 'none'}`), [], 'each stored page\'s response once, in its node\'s files');
    } finally {
      await web.close();
    }
  });
});
