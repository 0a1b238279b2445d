/**
 * Do distributed nodes add up? Crawls the synthetic broad web
 * (test/helpers/broad-web/) with 1, 2 and 4 skein nodes (the built CLI, one
 * process each, `--concurrency` fetches each) sharing one Redis, or a local
 * 3-master Redis Cluster with `--cluster`. The web is I/O-bound: most hosts
 * answer after 100–500 ms, some have a Crawl-delay, so one node's throughput
 * is its concurrency over the latency, not its CPU. Per run: pages/s (wall
 * time from the first node's start to the last node's exit, and the nodes'
 * own rates added up), Redis commands per fetched page (INFO commandstats),
 * frontier round trips per page (what the nodes waited on, from their
 * reports), and Redis CPU (INFO cpu) per 1,000 pages.
 *
 * Runs in a private network namespace (`unshare -n`) when it can (root),
 * the web's server bound to 0.0.0.0; else every host address is bound.
 *
 *   npm run build && node dist/bench/distributed-scaling.js [--hosts 1500] [--pages 2000] [--concurrency 8] [--nodes 1,2,4] [--cluster]
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import type { BroadWebOptions } from '../test/helpers/broad-web/broad-web.js';
import { BroadWeb } from '../test/helpers/broad-web/broad-web.js';
import { canUseNetworkNamespace } from '../test/helpers/broad-web/broad-crawl.js';
import { startBroadWebServerProcess } from '../test/helpers/broad-web/broad-web-server-process.js';
import { tempDataDir } from '../test/helpers/crawl-helpers.js';
import { startNode } from '../test/helpers/distributed-cluster.js';
import { startRedisCluster } from '../test/helpers/redis-cluster.js';
import { startRedisServer } from '../test/helpers/redis-server.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '1500' },
    pages: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '8' },
    nodes: { type: 'string', default: '1,2,4' },
    cluster: { type: 'boolean', default: false },
    'in-namespace': { type: 'boolean', default: false },
  },
});

if (!values['in-namespace'] && canUseNetworkNamespace()) {
  const self = fileURLToPath(import.meta.url);
  const result = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, self, ...process.argv.slice(2), '--in-namespace'], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

const web: BroadWebOptions = {
  hosts: Number(values.hosts),
  seed: 15,
  seedCount: 100,
  maxPagesPerHost: 40,
  crawlDelayFraction: 0.05,
  crawlDelaysMs: [250, 500],
  behaviours: { slow: 0.9, unavailable: 0, refused: 0, reset: 0, hang: 0 },
  slowLatencyMs: [100, 500],
  trapFraction: 0,
};
const pages = Number(values.pages);
const concurrency = Number(values.concurrency);
const nodeCounts = values.nodes.split(',').map(Number);

const redisServer = values.cluster ? await startRedisCluster() : await startRedisServer();
if (!redisServer.ok) {
  console.error(`skipped: ${redisServer.reason}`);
  process.exit(0);
}
const server = await startBroadWebServerProcess(web, { bind: values['in-namespace'] ? 'any' : 'each' });
const data = await tempDataDir();
const masters = 'nodes' in redisServer ? redisServer.nodes.map((n) => n.client()) : [new Redis(redisServer.url)];
try {
  const seeds = new BroadWeb(web).seedUrls(server.ports);
  const file = join(data.dir, 'broad.json');
  await writeFile(file, JSON.stringify({ seeds, scope: { mode: 'any', maxDepth: 1000, maxPages: pages }, fetch: { perHostParallelism: 2 }, politeness: { sitemaps: false } }));
  console.log(
    `distributed-scaling: broad web of ${web.hosts} hosts (90% answer after ${web.slowLatencyMs!.join('-')} ms, 5% with a Crawl-delay), maxPages ${pages}, ` +
      `--concurrency ${concurrency} per node; ${values.cluster ? 'Redis Cluster of 3 masters' : 'one Redis'}; ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}`,
  );
  console.log('nodes | pages/s wall | pages/s (nodes added) | Redis scripts/page | round trips/page | Redis CPU ms/1000 pages | wall s');
  const baseline: number[] = [];
  for (const count of nodeCounts) {
    const row = await run(count, file);
    if (count === nodeCounts[0]) baseline.push(row.wall);
    console.log(
      `${String(count).padStart(5)} | ${row.wall.toFixed(1).padStart(12)} | ${row.added.toFixed(1).padStart(21)} | ${row.commands.toFixed(2).padStart(19)} | ${row.rounds.toFixed(2).padStart(16)} | ${row.cpuMs.toFixed(0).padStart(23)} | ${row.seconds.toFixed(1)}` +
        (baseline[0] ? `  (${(row.wall / baseline[0]).toFixed(2)}x)` : ''),
    );
  }
} finally {
  for (const m of masters) m.disconnect();
  await server.close();
  await data.cleanup();
  await redisServer.stop();
}

async function run(count: number, file: string) {
  const crawlId = `scale-${count}-${randomUUID().slice(0, 6)}`;
  const before = await redisFigures();
  const started = Date.now();
  const nodes = Array.from({ length: count }, (_, i) =>
    startNode('crawl', `n${i + 1}`, ['--config', file, '--redis', redisServer.ok ? redisServer.url : '', '--crawl-id', crawlId, '--data-dir', data.dir, '--parser', 'inline', '--concurrency', String(concurrency), '--json', '-q'], {}, 1_200_000),
  );
  const results = await Promise.all(nodes.map((n) => n.result));
  const seconds = (Date.now() - started) / 1000;
  const after = await redisFigures();
  let fetched = 0;
  let added = 0;
  for (const r of results) {
    if (r.code !== 0 && r.code !== 4) throw new Error(`node exited ${r.code}: ${r.stderr.slice(-2000)}`);
    const summary = JSON.parse(r.stdout) as { pages: { ok: number; failed: number }; pagesPerSecond: number };
    fetched += summary.pages.ok + summary.pages.failed;
    added += summary.pagesPerSecond;
  }
  const reports = await nodeReports(crawlId);
  const rounds = reports.reduce((n, r) => n + (r.redisRounds ?? 0), 0);
  const byScript: Record<string, number> = {};
  for (const r of reports) for (const [name, n] of Object.entries(r.redisCallsByScript ?? {})) byScript[name] = (byScript[name] ?? 0) + n;
  console.log(`       scripts per page: ${Object.entries(byScript).sort((a, b) => b[1] - a[1]).map(([name, n]) => `${name.replace(/^skein/, '')} ${(n / fetched).toFixed(2)}`).join(', ')}`);
  return {
    wall: fetched / seconds,
    added,
    commands: (after.commands - before.commands) / fetched,
    rounds: rounds / fetched,
    cpuMs: ((after.cpuS - before.cpuS) * 1_000_000) / fetched,
    seconds,
  };
}

/** Commands served and CPU seconds used, summed over the masters. */
async function redisFigures(): Promise<{ commands: number; cpuS: number }> {
  let commands = 0;
  let cpuS = 0;
  for (const m of masters) {
    // Scripts only: commandstats also counts the commands a script runs inside.
    const stats = await m.info('commandstats');
    for (const match of stats.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)) commands += Number(match[1]);
    const cpu = await m.info('cpu');
    cpuS += Number(cpu.match(/used_cpu_sys:([\d.]+)/)![1]) + Number(cpu.match(/used_cpu_user:([\d.]+)/)![1]);
  }
  return { commands, cpuS };
}

async function nodeReports(crawlId: string): Promise<Array<{ redisRounds?: number; redisCallsByScript?: Record<string, number> }>> {
  const client = redisServer.ok && 'nodes' in redisServer ? new Cluster(redisServer.nodes.map((n) => ({ host: '127.0.0.1', port: n.port }))) : new Redis(redisServer.ok ? redisServer.url : '');
  try {
    const all = await client.hgetall(`skein:{${crawlId}}:nodes`);
    return Object.values(all).map((raw) => JSON.parse(raw) as { redisRounds?: number; redisCallsByScript?: Record<string, number> });
  } finally {
    client.disconnect();
  }
}
