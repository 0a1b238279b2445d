/**
 * What `skein crawl|worker --recover` costs: builds one node directory through
 * the real store and journal (default: 30,000 stored pages of ~2 KB records
 * and 100,000 journalled requests), then adds it to a private redis-server
 * emptied before each run, the way a recovering node does (stored pages
 * marked seen and done, then the journal queued again), and once more to the
 * rebuilt crawl (a second node adding the same data dir: nothing new).
 * Reports wall time, records/s and the Redis memory the rebuilt crawl uses.
 *
 *   npx tsx bench/recover-cost.ts [--pages 30000] [--urls 100000] [--runs 3]
 *
 * A measurement, not a test: numbers vary with the disk and the machine.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { addNodeDirs } from '../src/distributed/recover-crawl.js';
import { RedisFrontier } from '../src/frontier/redis-frontier.js';
import { crawlPaths } from '../src/store/crawl-dir.js';
import { newIdentity, startRedisServer } from '../test/helpers/redis-server.js';
import { buildState } from './crawl-state.js';

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

const pages = arg('pages', 30_000);
const urls = arg('urls', 100_000);
const runs = arg('runs', 3);
const server = await startRedisServer();
if (!server.ok) {
  console.error(`skipped: ${server.reason}`);
} else if (!server.owned) {
  console.error('skipped: needs a private redis-server it can empty (REDIS_URL is set)');
} else {
  const root = await mkdtemp(path.join(os.tmpdir(), 'skein-recover-cost-'));
  const redis = new Redis(server.url);
  try {
    const node = crawlPaths(root, 'n1');
    await buildState(node.dir, pages, urls);
    console.log(`node ${process.version}; ${os.cpus().length} cpus; one node directory: ${pages} pages, ${urls} journalled URLs`);
    const first: number[] = [];
    const again: number[] = [];
    let memory = '';
    for (let run = 0; run < runs; run++) {
      await redis.flushall();
      const crawlId = 'recover-cost';
      const frontier = new RedisFrontier({ redis, crawlId, nodeId: 'n1', identity: await newIdentity(redis, crawlId), maxPages: 1_000_000, hostPolicy: { delayMs: 0, parallelism: 4 } });
      let started = performance.now();
      const counts = await addNodeDirs(frontier, [node]);
      first.push(performance.now() - started);
      if (counts.markedDone !== pages || counts.queued !== urls - pages) throw new Error(`unexpected counts ${JSON.stringify(counts)}`);
      started = performance.now();
      await addNodeDirs(frontier, [node]);
      again.push(performance.now() - started);
      memory = String(await redis.info('memory')).match(/used_memory_human:(\S+)/)?.[1] ?? '?';
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const rate = (ms: number) => Math.round(((pages + urls) / ms) * 1000);
    console.log(`rebuild into an empty Redis: ${median(first).toFixed(0)} ms (median of ${runs}; ${rate(median(first))} records + journal entries/s); Redis used_memory ${memory}`);
    console.log(`the same data dir again (nothing new): ${median(again).toFixed(0)} ms (${rate(median(again))}/s)`);
  } finally {
    redis.disconnect();
    await server.stop();
    await rm(root, { recursive: true, force: true });
  }
}
