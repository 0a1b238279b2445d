/**
 * Redis memory of the distributed frontier: how many bytes Redis holds per
 * seen URL and per queued request, measured with `INFO memory` (used_memory
 * before and after, in a private redis-server with nothing else in it) on a
 * frontier of `--urls` URLs over `--hosts` hosts (no crawl needed).
 *
 *   npm run build && node dist/bench/redis-admission.js [--urls 10000000] [--hosts 1000000] [--shards 256]
 *
 * Two crawls, one after the other:
 * 1. seen only: every URL marked seen (`markStored`, what a stored page
 *    leaves behind): the seen-set's bytes per URL;
 * 2. queued: every URL added (`add`) as a discovered link with a referrer on
 *    its own host: bytes per queued request, its seen entry, its URL and
 *    its host's share of the per-host state included.
 * Also prints each structure's encoding (`OBJECT ENCODING`) and `MEMORY
 * USAGE` of samples. URL i: `http://h<k>.example.com/section/<i mod 97>/page-<i>.html`
 * (hosts spread by a multiplicative hash), referrer `…/section/<i mod 89>/index-<i mod 1000>.html`.
 */
import { loadavg, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import type { CrawlRequest } from '../src/core/types.js';
import { RedisFrontier } from '../src/frontier/redis-frontier.js';
import { crawlKeys } from '../src/frontier/redis-keys.js';
import { newIdentity, startRedisServer } from '../test/helpers/redis-server.js';

const { values } = parseArgs({
  options: {
    urls: { type: 'string', default: '10000000' },
    hosts: { type: 'string', default: '1000000' },
    shards: { type: 'string', default: '256' },
    batch: { type: 'string', default: '2000' },
  },
});
const urls = Number(values.urls);
const hosts = Number(values.hosts);
const shards = Number(values.shards);
const batchSize = Number(values.batch);

const hostOf = (i: number): string => `h${(Math.imul(i, 2654435761) >>> 0) % hosts}.example.com`;
const urlOf = (i: number): string => `http://${hostOf(i)}/section/${i % 97}/page-${i}.html`;
const referrerOf = (i: number): string => `http://${hostOf(i)}/section/${i % 89}/index-${i % 1000}.html`;

const server = await startRedisServer();
if (!server.ok) {
  console.error(`skipped: ${server.reason}`);
  process.exit(0);
}
const redis = new Redis(server.url);
try {
  console.log(`redis-admission: ${urls.toLocaleString('en')} URLs over ${hosts.toLocaleString('en')} hosts, ${shards} shards; ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}; redis ${(await redis.info('server')).match(/redis_version:(\S+)/)?.[1]}`);
  let meanUrl = 0;
  for (let i = 0; i < 10_000; i++) meanUrl += urlOf(i).length / 10_000;
  console.log(`mean URL length ${meanUrl.toFixed(1)} characters`);

  const seen = await measure('seen', async (frontier) => {
    for (let start = 0; start < urls; start += batchSize * 4) {
      await Promise.all(
        [0, 1, 2, 3].map((k) => {
          const from = start + k * batchSize;
          const records = [];
          for (let i = from; i < Math.min(urls, from + batchSize); i++) records.push({ key: urlOf(i), outcome: 'ok' as const });
          return frontier.markStored(records);
        }),
      );
    }
  });
  const queued = await measure('queued', async (frontier) => {
    for (let start = 0; start < urls; start += batchSize * 4) {
      await Promise.all(
        [0, 1, 2, 3].map((k) => {
          const from = start + k * batchSize;
          const batch: CrawlRequest[] = [];
          for (let i = from; i < Math.min(urls, from + batchSize); i++) batch.push({ key: urlOf(i), url: urlOf(i), depth: 2, source: 'link', referrer: referrerOf(i) });
          return frontier.add(batch);
        }),
      );
    }
  });
  console.log(`seen URL: ${(seen / urls).toFixed(1)} bytes of Redis memory per URL (target <= 25)`);
  console.log(`queued request: ${(queued / urls).toFixed(1)} bytes per request, its seen entry, URL, referrer and host state included (target <= 120)`);
} finally {
  await redis.quit();
  await server.stop();
}

/** Runs `fill` on a fresh crawl; returns the growth of used_memory, after printing encodings and samples. */
async function measure(name: string, fill: (frontier: RedisFrontier) => Promise<void>): Promise<number> {
  await redis.flushall();
  const crawlId = `adm-${name}`;
  const frontier = new RedisFrontier({ redis, crawlId, nodeId: 'bench', identity: await newIdentity(redis, crawlId, shards), shards, maxPages: urls, hostPolicy: { delayMs: 0, parallelism: 2 } });
  const before = await usedMemory();
  const started = performance.now();
  await fill(frontier);
  const seconds = (performance.now() - started) / 1000;
  const after = await usedMemory();
  const stats = await frontier.stats();
  const p = crawlKeys(crawlId).shardPrefix(0);
  const sampleHost = (await redis.hkeys(`${p}hs:0`))[0];
  const samples = [`${p}f:0`, `${p}hs:0`, `${p}sched:0`, `${p}sb`, ...(sampleHost ? [`${p}q:${sampleHost}`] : [])];
  const described = await Promise.all(
    samples.map(async (key) => {
      const [encoding, bytes, size] = await Promise.all([redis.object('ENCODING', key), redis.memory('USAGE', key), redis.type(key).then((t) => (t === 'set' ? redis.scard(key) : t === 'hash' ? redis.hlen(key) : t === 'zset' ? redis.zcard(key) : redis.llen(key)))]);
      return `${key.slice(p.length)} ${encoding} ${size} entries ${bytes} B`;
    }),
  );
  console.log(`${name}: ${Math.round(urls / seconds).toLocaleString('en')} URLs/s (${seconds.toFixed(1)} s); seen ${stats.seen}, queued ${stats.queued}, hosts ${stats.hosts}; used_memory +${((after - before) / 2 ** 20).toFixed(1)} MiB`);
  console.log(`  shard 0 samples: ${described.join('; ')}`);
  return after - before;
}

async function usedMemory(): Promise<number> {
  return Number((await redis.info('memory')).match(/used_memory:(\d+)/)![1]);
}
