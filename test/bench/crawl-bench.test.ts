/**
 * `npm run bench`'s measured crawl: a real crawl of the generated site in a
 * child process, its process tree sampled from this process.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCrawlBenchInChild } from '../../src/bench/crawl-bench.js';
import { forkEntry } from '../../src/bench/fork-entry.js';
import { childPids } from '../../src/bench/process-tree-sampler.js';
import { isAlive } from '../helpers/parse-pool-helpers.js';
import { waitFor } from '../helpers/wait-for.js';
import { startSiteServerProcess, type SiteServerProcess } from '../../src/bench/site-server-process.js';

describe('runCrawlBenchInChild', () => {
  let server: SiteServerProcess;
  before(async () => {
    server = await startSiteServerProcess({ pages: 200 });
  });
  after(() => server.close());

  test('crawls the site in a child and reports pages, CPU split and RSS of its process tree', async () => {
    const result = await runCrawlBenchInChild({ siteUrl: server.url, pages: 60, mode: 'process', workers: 1 }, server.cpuMs);
    assert.equal(result.pages, 60);
    assert.equal(result.mode, 'process');
    assert.equal(result.workers, 1);
    assert.equal(result.measuredFrom, 'proc');
    assert.ok(result.pagesPerSecond > 0 && result.firstHalfPagesPerSecond > 0 && result.secondHalfPagesPerSecond > 0, JSON.stringify(result));
    // The child's own CPU and its parser worker's are both seen from here.
    assert.ok(result.cpuMsPerPage.main > 0, 'main process CPU');
    assert.ok(result.cpuMsPerPage.workers > 0, 'worker process CPU');
    assert.ok(result.peakMainRssMb > 20 && result.peakWorkersRssMb > 20, 'both processes were sampled');
    assert.ok(result.serverCpuMsPerPage > 0, 'the server is measured apart');
  });

  test('a crawl child whose parent goes away mid-crawl exits, and takes its parser worker with it', async () => {
    const { child, message, exited } = await forkEntry<{ type: string }>('crawl-bench-child', { siteUrl: server.url, pages: 150, mode: 'process', workers: 1 }, 30_000);
    let workers: number[] = [];
    try {
      assert.equal(message.type, 'start');
      child.send({ type: 'started' });
      // Let the crawl get going (its parser worker is up), then leave without a word.
      await waitFor('the crawl child to start its parser worker', () => childPids(child.pid!).length > 0, 10_000);
      workers = childPids(child.pid!);
      child.disconnect();
      await Promise.race([exited, new Promise((_, reject) => setTimeout(() => reject(new Error('the crawl child kept running')), 10_000))]);
      assert.equal(child.exitCode, 1);
      for (const pid of workers) await waitFor(`parser worker ${pid} to exit`, () => !isAlive(pid), 5_000);
    } finally {
      for (const pid of [child.pid!, ...workers]) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});
