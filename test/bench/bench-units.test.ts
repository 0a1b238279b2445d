/**
 * The benchmark's pure parts: the recommendation, /proc/<pid>/stat parsing
 * and the process-tree sampler, worker counts, tables and chart helpers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { escapeXml, niceMax, pagesPerSecondChart } from '../../src/bench/bench-chart.js';
import { mainThreadCpuMs, parseProcStat, ProcessTreeSampler } from '../../src/bench/process-tree-sampler.js';
import { crawlRate, recommend, type MeasuredMode } from '../../src/bench/recommend.js';
import { median, runConcurrently } from '../../src/bench/run-concurrently.js';
import { workerCounts } from '../../src/bench/site-bench.js';
import { formatTable } from '../../src/bench/text-table.js';

const results: MeasuredMode[] = [
  { mode: 'inline', workers: 1, pagesPerSecond: 400 },
  { mode: 'thread', workers: 1, pagesPerSecond: 380 },
  { mode: 'thread', workers: 2, pagesPerSecond: 700 },
  { mode: 'process', workers: 1, pagesPerSecond: 360 },
  { mode: 'process', workers: 2, pagesPerSecond: 650 },
];

describe('recommend', () => {
  const cases: Array<{ name: string; results: MeasuredMode[]; networkMs: number; perHost?: number; want: { mode: string; workers: number; bound: string; concurrency: number } }> = [
    { name: 'process within 10% of the fastest wins for isolation', results, networkMs: 2, want: { mode: 'process', workers: 2, bound: 'cpu', concurrency: 4 } },
    {
      name: 'the fastest wins when process is far behind',
      results: results.map((r) => (r.mode === 'process' ? { ...r, pagesPerSecond: r.pagesPerSecond / 2 } : r)),
      networkMs: 2,
      want: { mode: 'thread', workers: 2, bound: 'cpu', concurrency: 4 },
    },
    {
      name: 'fewest workers within 5% of the mode best',
      results: [
        { mode: 'process', workers: 1, pagesPerSecond: 500 },
        { mode: 'process', workers: 2, pagesPerSecond: 510 },
      ],
      networkMs: 2,
      want: { mode: 'process', workers: 1, bound: 'cpu', concurrency: 4 },
    },
    { name: 'slow network: I/O-bound, Little\'s law concurrency', results, networkMs: 200, perHost: 4, want: { mode: 'process', workers: 2, bound: 'io', concurrency: 256 } },
    { name: 'moderate network: concurrency = 2 × rate × latency', results, networkMs: 20, perHost: 64, want: { mode: 'process', workers: 2, bound: 'cpu', concurrency: 26 } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const rec = recommend({ results: c.results, networkMsPerPage: c.networkMs, parseMsPerPage: 2.5, ...(c.perHost ? { perHostParallelism: c.perHost } : {}) });
      assert.deepEqual({ mode: rec.mode, workers: rec.workers, bound: rec.bound, concurrency: rec.fetchConcurrency }, c.want);
      assert.ok(c.results.some((r) => r.mode === rec.mode && r.workers === rec.workers));
      assert.match(rec.reason, new RegExp(`${Math.round(rec.pagesPerSecond)} pages/s`));
    });
  }
  test('crawlRate: the lowest of extraction alone, the main process on one core, and all cores', () => {
    const m = { mode: 'process' as const, workers: 2, pagesPerSecond: 900, cpuMsPerPage: { main: 0.1, total: 2 } };
    assert.equal(crawlRate(m, undefined), 900);
    assert.equal(crawlRate(m, { mainMsPerPage: 1.5, cpus: 8 }), 1000 / 1.6); // main: 1000 / (1.5 + 0.1)
    assert.equal(crawlRate(m, { mainMsPerPage: 1.5, cpus: 2 }), 2000 / 3.5); // all cores: 2 × 1000 / (1.5 + 2)
    assert.equal(crawlRate(m, { mainMsPerPage: 0, cpus: 64 }), 900);
    // Thread mode: the worker threads' parsing is in the process's CPU, not on the main thread.
    const threads = { mode: 'thread' as const, workers: 1, pagesPerSecond: 900, cpuMsPerPage: { main: 1.5, mainThread: 0.5, total: 1.5 } };
    assert.equal(crawlRate(threads, { mainMsPerPage: 1.5, cpus: 8 }), 1000 / 2);
  });

  test('with the crawl cost known, a worker that only adds contention is not recommended', () => {
    // Extraction alone scales with workers, but the crawl's main process caps both at the same rate.
    const measured: MeasuredMode[] = [
      { mode: 'process', workers: 1, pagesPerSecond: 800, cpuMsPerPage: { main: 0.3, total: 1.3 } },
      { mode: 'process', workers: 2, pagesPerSecond: 1500, cpuMsPerPage: { main: 0.3, total: 1.4 } },
    ];
    assert.equal(recommend({ results: measured, networkMsPerPage: 1, parseMsPerPage: 1 }).workers, 2);
    const crawl = { mainMsPerPage: 1.5, cpus: 2 };
    const estimated = measured.map((m) => ({ ...m, crawlPagesPerSecond: Math.round(crawlRate(m, crawl) * 10) / 10 }));
    const rec = recommend({ results: estimated, networkMsPerPage: 1, parseMsPerPage: 1 });
    assert.equal(rec.workers, 1);
    assert.equal(rec.pagesPerSecond, 800);
    assert.equal(rec.crawlPagesPerSecond, 555.6); // 1000 / (1.5 + 0.3)
    assert.match(rec.reason, /an estimated 556 pages\/s for a crawl \(extraction alone: 800\)/);
  });

  test('needs at least one result', () => {
    assert.throws(() => recommend({ results: [], networkMsPerPage: 1, parseMsPerPage: 1 }), RangeError);
  });
});

describe('parseProcStat', () => {
  test('reads pid, ppid, CPU and RSS, even with spaces and parentheses in the command name', () => {
    const fields = ['S', '41', '41', '41', '0', '-1', '4194560', '100', '0', '0', '0', '250', '50', '0', '0', '20', '0', '11', '0', '12345', '987654321', '2500'];
    const stat = parseProcStat(`4242 (node (worker) x) ${fields.join(' ')} 0 0`);
    assert.deepEqual(stat, { pid: 4242, ppid: 41, cpuMs: 3000, rssBytes: 2500 * 4096 });
    assert.equal(parseProcStat('garbage'), undefined);
  });

  test('the sampler sees this process and its CPU', () => {
    const sampler = new ProcessTreeSampler({ intervalMs: 10 });
    sampler.start();
    const until = Date.now() + 60;
    let x = 0;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    const usage = sampler.stop();
    assert.ok(x > 0);
    assert.ok(usage.peakRssBytes > 10 * 2 ** 20, `RSS ${usage.peakRssBytes}`);
    assert.ok(usage.mainCpuMs > 0, `CPU ${usage.mainCpuMs}`);
    assert.equal(usage.childCpuMs, 0);
  });

  test('mainThreadCpuMs counts the main thread, not the whole process', async () => {
    const { Worker } = await import('node:worker_threads');
    const mainBefore = mainThreadCpuMs()!;
    const processBefore = process.cpuUsage();
    // A worker thread burns 300 ms of CPU (counted in CPU, not wall time: a loaded machine gives
    // a time-boxed loop less) while the main thread mostly waits for it.
    await new Promise((resolve, reject) => {
      const burn = 'const start = process.cpuUsage(); let x = 0; for (;;) { for (let i = 0; i < 1e5; i++) x += Math.sqrt(x + 1); const u = process.cpuUsage(start); if (u.user + u.system >= 300_000) break; }';
      const worker = new Worker(burn, { eval: true });
      worker.once('exit', resolve).once('error', reject);
    });
    const processUsed = process.cpuUsage(processBefore);
    const mainUsed = mainThreadCpuMs()! - mainBefore;
    const processMs = (processUsed.user + processUsed.system) / 1000;
    assert.ok(processMs >= 250, `process CPU ${processMs} ms`);
    assert.ok(mainUsed < processMs - 150, `main thread ${mainUsed} ms of ${processMs} ms`);
  });
});

describe('helpers', () => {
  test('workerCounts: every count up to 4 CPUs, then powers of two and the CPU count', () => {
    assert.deepEqual(workerCounts(1), [1]);
    assert.deepEqual(workerCounts(2), [1, 2]);
    assert.deepEqual(workerCounts(4), [1, 2, 3, 4]);
    assert.deepEqual(workerCounts(12), [1, 2, 4, 8, 12]);
    assert.deepEqual(workerCounts(16), [1, 2, 4, 8, 16]);
  });

  test('runConcurrently keeps order and the concurrency bound; median', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await runConcurrently([5, 1, 4, 2, 3], 2, async (n) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return n * 10;
    });
    assert.deepEqual(out, [50, 10, 40, 20, 30]);
    assert.equal(peak, 2);
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
    assert.equal(median([]), 0);
  });

  test('formatTable aligns text left and numbers right', () => {
    const text = formatTable(['mode', 'pages/s'], [['inline', 12.345], ['process', 700]]);
    assert.equal(text, 'mode     pages/s\n-------  -------\ninline      12.3\nprocess      700\n');
  });

  test('chart helpers', () => {
    assert.equal(escapeXml(`a<b>&"c'`), 'a&lt;b&gt;&amp;&quot;c&apos;');
    assert.equal(niceMax(730), 1000);
    assert.equal(niceMax(180), 200);
    assert.equal(niceMax(0), 1);
    const svg = pagesPerSecondChart([{ mode: 'inline', workers: 1, pagesPerSecond: 10 }], 'a < b');
    assert.match(svg, /<title>a &lt; b<\/title>/);
  });
});
