/**
 * Distributed crawl throughput: pages/s with 1, 2 and 3 skein nodes (the
 * built CLI, one process each, `--workers 1`) sharing one Redis, on a local
 * generated site served from this process; a single-node crawl without
 * Redis as the baseline; then the kill-a-node run (3 nodes, one killed with
 * SIGKILL a third of the way through, short leases): time to finish, pages
 * fetched twice, pages missing or stored twice in the merged export.
 * Uses REDIS_URL when set, otherwise a private redis-server.
 *
 *   npm run build && node dist/bench/distributed-nodes.js [pages]
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createGeneratedSite } from '../src/demo/generated-site.js';
import { startSiteServer, type SiteServer } from '../src/demo/site-server.js';
import { tempDataDir } from '../test/helpers/crawl-helpers.js';
import { dropCrawl, mergedExport, nodeReport, startNode } from '../test/helpers/distributed-cluster.js';
import { waitFor } from '../test/helpers/wait-for.js';
import { runCli } from '../test/helpers/run-cli.js';
import { startRedisServer } from '../test/helpers/redis-server.js';

const pages = Number(process.argv[2] ?? 3000);
const server = await startRedisServer();
if (!server.ok) {
  console.error(`skipped: ${server.reason}`);
} else {
  const redis = new Redis(server.url);
  const data = await tempDataDir();
  try {
    console.log(`distributed-nodes: ${pages + 1} pages, ${cpus().length} cores, node ${process.version}, load average ${loadavg()[0]!.toFixed(1)}`);
    const baseline = await crawlOnce(0, redis, server.url, data.dir);
    console.log(`no Redis, 1 node : ${baseline}`);
    for (const nodes of [1, 2, 3]) console.log(`Redis,   ${nodes} node${nodes > 1 ? 's' : ' '}: ${await crawlOnce(nodes, redis, server.url, data.dir)}`);
    console.log(`kill -9 1 of 3   : ${await killOne(redis, server.url, data.dir)}`);
  } finally {
    await redis.quit();
    await data.cleanup();
    await server.stop();
  }
}

async function site(dataDir: string): Promise<{ web: SiteServer; file: string }> {
  const web = await startSiteServer({ site: createGeneratedSite({ pages, pageBytes: 3000, linksPerPage: 20 }) });
  const file = join(dataDir, `site-${randomUUID().slice(0, 8)}.json`);
  await writeFile(file, JSON.stringify({ seeds: [web.url + '/'], fetch: { perHostParallelism: 32 } }));
  return { web, file };
}

/** One crawl with `nodes` nodes (0: a plain crawl without Redis); returns a line of figures. */
async function crawlOnce(nodes: number, redis: Redis, redisUrl: string, dataDir: string): Promise<string> {
  const { web, file } = await site(dataDir);
  const crawlId = `bench-${randomUUID().slice(0, 8)}`;
  const common = ['--config', file, '--data-dir', dataDir, '--workers', '1', '--json', '-q'];
  const started = Date.now();
  try {
    const runs =
      nodes === 0
        ? [runCli(['crawl', ...common, '--name', crawlId], { timeoutMs: 600_000 })]
        : Array.from({ length: nodes }, (_, i) => startNode('crawl', `n${i + 1}`, [...common, '--redis', redisUrl, '--crawl-id', crawlId]).result);
    const results = await Promise.all(runs);
    const wallMs = Date.now() - started;
    const summaries = results.map((r) => {
      if (r.code !== 0) throw new Error(`node exited ${r.code}: ${r.stderr}`);
      return JSON.parse(r.stdout) as { pages: { ok: number }; pagesPerSecond: number };
    });
    const ok = summaries.reduce((n, s) => n + s.pages.ok, 0);
    if (ok !== pages + 1) throw new Error(`stored ${ok} pages, expected ${pages + 1}`);
    const perNode = summaries.map((s) => `${s.pages.ok} @ ${s.pagesPerSecond}/s`).join(', ');
    return `${Math.round((ok / wallMs) * 1000)} pages/s wall (${(wallMs / 1000).toFixed(1)} s incl. start-up; per node: ${perNode})`;
  } finally {
    await web.close();
    await dropCrawl(redis, crawlId);
  }
}

async function killOne(redis: Redis, redisUrl: string, dataDir: string): Promise<string> {
  const { web, file } = await site(dataDir);
  const crawlId = `bench-kill-${randomUUID().slice(0, 8)}`;
  const common = ['--config', file, '--data-dir', dataDir, '--workers', '1', '--json', '-q', '--redis', redisUrl, '--crawl-id', crawlId, '--lease-ms', '5000'];
  const started = Date.now();
  try {
    const nodes = ['n1', 'n2', 'n3'].map((id) => startNode('crawl', id, common));
    await waitFor('n3 to store a third of its share', async () => ((await nodeReport(redis, crawlId, 'n3'))?.ok ?? 0) >= pages / 9, 300_000);
    const killedAtMs = Date.now() - started;
    nodes[2]!.child().kill('SIGKILL');
    const results = await Promise.all(nodes.map((n) => n.result));
    const wallMs = Date.now() - started;
    const codes = results.map((r) => r.code ?? r.signal).join('/');
    const records = await mergedExport(crawlId, [dataDir]);
    const keys = new Set(records.map((r) => r.key));
    const twice = [...web.counts.entries()].filter(([path, n]) => (path === '/' || path.startsWith('/p/')) && n > 1).length;
    return (
      `killed n3 at ${(killedAtMs / 1000).toFixed(1)} s; exit codes ${codes}; finished in ${(wallMs / 1000).toFixed(1)} s; ` +
      `merged export ${records.length} records, ${keys.size} distinct, ${pages + 1 - keys.size} missing; ${twice} pages fetched twice`
    );
  } finally {
    await web.close();
    await dropCrawl(redis, crawlId);
  }
}
