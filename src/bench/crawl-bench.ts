/**
 * One measured crawl of a benchmark site through the real crawler
 * (`createCrawler`: frontier, robots, fetcher, parse pool, lowdb store):
 * pages/s over the whole run and over the first and second half of the
 * pages, CPU per page of the crawler's process tree (main process and its
 * worker threads, parser worker processes), peak RSS of that tree, and the
 * site server's CPU per page (it runs in its own process and is not counted
 * in the crawler's figures).
 *
 * Run in a child (`runCrawlBenchInChild`, what `npm run bench` does), the
 * process tree is sampled from the parent, so the sampler's own reads of
 * /proc are not counted as the crawler's CPU.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { validateConfig } from '../config/load-config.js';
import type { CrawlConfig, CrawlConfigInput } from '../config/schema.js';
import { createCrawler } from '../core/create-crawler.js';
import { resolveWorkerCount } from '../parse/parse-pool.js';
import type { ParserMode } from '../parse/parse-types.js';
import { forkEntry } from './fork-entry.js';
import { ProcessTreeSampler, type TreeUsage } from './process-tree-sampler.js';
import { round } from './run-concurrently.js';

/** Measures the crawler's process tree between `start` and `stop` (from the parent process). */
export interface TreeMeter {
  start(): Promise<void>;
  stop(): Promise<TreeUsage>;
}

/** Messages between the crawl child and the parent that samples it. */
export type CrawlChildMessage = { type: 'start' } | { type: 'stop' } | { type: 'result'; ok: true; result: ChildCrawlResult } | { type: 'result'; ok: false; error: string };
export type CrawlParentMessage = { type: 'started' } | { type: 'stopped'; usage: TreeUsage };

/** What to crawl and how. */
export interface CrawlBenchOptions {
  /** Base URL of the site (its `/` is the seed). */
  siteUrl: string;
  /** Pages to crawl (`scope.maxPages`). */
  pages: number;
  mode: ParserMode;
  /** Parser workers (ignored inline). @default "auto" */
  workers?: number | 'auto';
  /** `fetch.concurrency`. @default 64 */
  concurrency?: number;
  /** `fetch.perHostParallelism`: the benchmark site is one host. @default 64 */
  perHostParallelism?: number;
  /** Extra config (merged over the benchmark's). */
  config?: CrawlConfigInput;
}

export interface CrawlBenchResult {
  mode: ParserMode;
  /** Parser workers actually used (1 for inline). */
  workers: number;
  concurrency: number;
  pages: number;
  /** From `run()` to its end, start-up included, seconds. */
  seconds: number;
  pagesPerSecond: number;
  /** Pages/s of the first and second half of the pages (timed from the first page stored). */
  firstHalfPagesPerSecond: number;
  secondHalfPagesPerSecond: number;
  /** CPU per page: main process (with its threads), worker processes, and both. */
  cpuMsPerPage: { main: number; workers: number; total: number };
  /** The site server's CPU per page (its own process; not in `total`). */
  serverCpuMsPerPage: number;
  peakRssMb: number;
  /** Peak RSS of the main process alone, and of the worker processes together, MB. */
  peakMainRssMb: number;
  peakWorkersRssMb: number;
  /** "proc": whole process tree; "self": main process only (no /proc). */
  measuredFrom: 'proc' | 'self';
}

/** The benchmark's crawl config: store on, robots on, one host so per-host parallelism = concurrency. */
export function benchCrawlConfig(opts: CrawlBenchOptions, dataDir: string): CrawlConfig {
  const concurrency = opts.concurrency ?? 64;
  const base: CrawlConfigInput = {
    name: `bench-${opts.mode}`,
    seeds: [`${opts.siteUrl}/`],
    dataDir,
    scope: { maxPages: opts.pages, maxDepth: 20 },
    fetch: { concurrency, perHostParallelism: opts.perHostParallelism ?? Math.min(256, concurrency) },
    parser: { mode: opts.mode, workers: opts.workers ?? 'auto' },
  };
  const extra = opts.config ?? {};
  return validateConfig({
    ...base,
    ...extra,
    scope: { ...base.scope, ...extra.scope },
    fetch: { ...base.fetch, ...extra.fetch },
    parser: { ...base.parser, ...extra.parser },
  });
}

/** What the crawl child measures itself; the parent adds the server's share. */
export type ChildCrawlResult = Omit<CrawlBenchResult, 'serverCpuMsPerPage'>;

/**
 * Crawls `opts.siteUrl` once into a temp directory (removed afterwards) and
 * measures it; `meter` samples the process tree (the parent, see
 * `runCrawlBenchInChild`).
 */
export async function runCrawlBench(opts: CrawlBenchOptions, meter: TreeMeter): Promise<ChildCrawlResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'skein-bench-'));
  try {
    const config = benchCrawlConfig(opts, dataDir);
    await meter.start();
    const startedAt = performance.now();
    const handle = await createCrawler(config, { fresh: true });
    const half = Math.floor(opts.pages / 2);
    let stored = 0;
    let firstAt = 0;
    let halfAt = 0;
    let lastAt = 0;
    handle.events.on('page:stored', () => {
      stored++;
      const now = performance.now();
      if (stored === 1) firstAt = now;
      if (stored === half) halfAt = now;
      lastAt = now;
    });
    let summary;
    let usage;
    let seconds;
    try {
      summary = await handle.run();
    } finally {
      seconds = (performance.now() - startedAt) / 1000;
      usage = await meter.stop();
      await handle.close();
    }
    const pages = summary.pages.ok + summary.pages.failed + summary.pages.skipped;
    return {
      mode: config.parser.mode,
      workers: workerCount(config),
      concurrency: config.fetch.concurrency,
      pages,
      seconds: round(seconds),
      pagesPerSecond: round(pages / seconds, 1),
      firstHalfPagesPerSecond: round((half - 1) / Math.max(1e-9, (halfAt - firstAt) / 1000), 1),
      secondHalfPagesPerSecond: round((stored - half) / Math.max(1e-9, (lastAt - halfAt) / 1000), 1),
      cpuMsPerPage: {
        main: round(usage.mainCpuMs / pages),
        workers: round(usage.childCpuMs / pages),
        total: round((usage.mainCpuMs + usage.childCpuMs) / pages),
      },
      peakRssMb: round(usage.peakRssBytes / 2 ** 20, 1),
      peakMainRssMb: round(usage.peakMainRssBytes / 2 ** 20, 1),
      peakWorkersRssMb: round(usage.peakChildRssBytes / 2 ** 20, 1),
      measuredFrom: usage.source,
    };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Parser workers the config resolves to (1 inline). */
export function workerCount(config: CrawlConfig): number {
  if (config.parser.mode === 'inline') return 1;
  return resolveWorkerCount(config.parser.workers);
}

/**
 * Where the crawl child is forked from: the build's bundle (dist/bundle/cli/,
 * scripts/bundle-cli.ts), so that the crawler and its parser worker run as the
 * `skein` CLI ships them, bundled; a build without one (or tsx) forks the
 * child next to this module.
 */
function crawlChildFrom(): string {
  const bundled = new URL('../../bundle/cli/crawl-bench-child.js', import.meta.url);
  return existsSync(bundled) ? bundled.href : import.meta.url;
}

/**
 * Runs `runCrawlBench` in a fresh child process (see crawl-bench-child.ts;
 * bundled as the CLI is, `crawlChildFrom`), so the process tree measured is
 * the crawler's alone and starts clean; the tree is sampled here. `serverCpuMs` (the site server's CPU so far, ms; the
 * server is not in the child's tree) gives its share per page. The child is
 * killed when it has no result within `timeoutMs`.
 */
export async function runCrawlBenchInChild(opts: CrawlBenchOptions, serverCpuMs?: () => number, timeoutMs = 30 * 60_000): Promise<CrawlBenchResult> {
  const serverBefore = serverCpuMs?.() ?? 0;
  const { child, message: first, exited } = await forkEntry<CrawlChildMessage>('crawl-bench-child', opts, timeoutMs, crawlChildFrom());
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const sampler = new ProcessTreeSampler({ root: child.pid! });
  const answer = (message: CrawlParentMessage): void => void child.send(message);
  const outcome = new Promise<CrawlChildMessage & { type: 'result' }>((resolve) => {
    const onMessage = (raw: unknown): void => {
      const message = raw as CrawlChildMessage;
      if (message.type === 'start') {
        sampler.start();
        answer({ type: 'started' });
      } else if (message.type === 'stop') {
        answer({ type: 'stopped', usage: sampler.stop() });
      } else {
        resolve(message);
      }
    };
    child.on('message', onMessage);
    onMessage(first);
  });
  const result = await Promise.race([outcome, exited.then(() => undefined)]);
  await exited;
  clearTimeout(timer);
  if (result === undefined) {
    sampler.stop();
    throw new Error(`the benchmark crawl exited without a result (killed after ${timeoutMs} ms, or crashed)`);
  }
  if (!result.ok) throw new Error(`benchmark crawl failed: ${result.error}`);
  const serverMs = (serverCpuMs?.() ?? 0) - serverBefore;
  return { ...result.result, serverCpuMsPerPage: round(serverMs / Math.max(1, result.result.pages)) };
}
