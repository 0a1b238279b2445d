/**
 * Fetches the benchmark's sample ONCE, politely, through the real crawler
 * (robots.txt, per-host parallelism and Crawl-delay, scope, redirects,
 * body cap: everything `skein crawl` does, with `maxPages` = the sample size)
 * and keeps each parsed page's bytes in memory, so extraction can then be
 * measured in every mode without fetching anything again. The crawl is stored
 * in a temp directory that is removed afterwards.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CrawlConfig } from '../config/schema.js';
import { createCrawler, parseRulesFor } from '../core/create-crawler.js';
import type { ParsedPage } from '../core/types.js';
import { createParsePool } from '../parse/parse-pool.js';
import type { ParseInput, ParsePool, ParsePoolStats } from '../parse/parse-types.js';
import type { SamplePage } from './extraction-bench.js';
import { median } from './run-concurrently.js';

/**
 * An inline parse pool that also keeps every input it parsed successfully, with its parse time
 * and the process CPU its parse took (inline parsing runs on this thread; CPU, not wall time,
 * so that a loaded machine does not make the parse look dearer than the CPU it used).
 */
class CapturingParsePool implements ParsePool {
  readonly inputs: Array<{ input: ParseInput; parseMs: number; parseCpuMs: number }> = [];
  readonly #inner: ParsePool;

  constructor(inner: ParsePool) {
    this.#inner = inner;
  }

  get backlog(): number {
    return this.#inner.backlog;
  }

  async parse(input: ParseInput): Promise<ParsedPage> {
    const before = process.cpuUsage();
    const page = await this.#inner.parse(input);
    const cpu = process.cpuUsage(before);
    this.inputs.push({ input, parseMs: page.parseMs, parseCpuMs: (cpu.user + cpu.system) / 1000 });
    return page;
  }

  waitForCapacity(): Promise<void> {
    return this.#inner.waitForCapacity?.() ?? Promise.resolve();
  }

  stats(): ParsePoolStats {
    return this.#inner.stats();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

export interface Sample {
  /** Pages parsed during the sample, bodies in memory, with their fetch timings. */
  pages: SamplePage[];
  /** Pages the sample crawl recorded but did not keep (failed, skipped, or not HTML). */
  notKept: number;
  seconds: number;
  /** Median in-process parse time during the sample, ms (inline, on this thread). */
  parseMsPerPage: number;
  /**
   * This process's CPU per page recorded during the second half of the
   * sample crawl, minus the parsing: what a crawl's main process spends per
   * page on fetching, storing and the frontier. The first half is left out:
   * it pays start-up, robots.txt and the JIT warming up. Still an
   * overestimate for long crawls when the sample is small.
   */
  crawlMainMsPerPage: number;
}

/**
 * Crawls `config.seeds` up to `pages` pages with `config`'s politeness and
 * keeps the HTML pages. `config.dataDir` and `name` are replaced by a temp
 * directory; parsing runs inline (the sample is small).
 */
export async function fetchSample(config: CrawlConfig, pages: number): Promise<Sample> {
  const dataDir = await mkdtemp(join(tmpdir(), 'skein-bench-sample-'));
  const sampleConfig: CrawlConfig = { ...config, name: 'sample', dataDir, scope: { ...config.scope, maxPages: pages } };
  const pool = new CapturingParsePool(
    createParsePool({ mode: 'inline', workers: 1, rules: parseRulesFor(sampleConfig), taskTimeoutMs: config.parser.taskTimeoutMs, workerHeapMb: config.parser.workerHeapMb, maxQueue: config.parser.maxQueue }),
  );
  try {
    const handle = await createCrawler(sampleConfig, { fresh: true, parsePool: pool });
    const timings = new Map<string, { waitMs: number; downloadMs: number; depth: number; ok: boolean }>();
    // CPU and parse time from the half-way page on (`mark`), to leave the warm-up out.
    let mark: { cpu: NodeJS.CpuUsage; stored: number; parsed: number } | undefined;
    handle.events.on('page:stored', ({ record }) => {
      timings.set(record.finalUrl ?? record.url, { ...record.timings, depth: record.depth, ok: record.outcome === 'ok' });
      if (mark === undefined && timings.size >= pages / 2) mark = { cpu: process.cpuUsage(), stored: timings.size, parsed: pool.inputs.length };
    });
    const startedAt = performance.now();
    try {
      await handle.run();
    } finally {
      await handle.close();
    }
    const cpu = mark === undefined ? undefined : process.cpuUsage(mark.cpu);
    const seconds = (performance.now() - startedAt) / 1000;
    const kept: SamplePage[] = [];
    const parseMs: number[] = [];
    for (const { input, parseMs: ms } of pool.inputs) {
      const timing = timings.get(input.url);
      if (!timing?.ok) continue;
      kept.push({
        url: input.url,
        depth: timing.depth,
        status: input.status,
        ...(input.contentType ? { contentType: input.contentType } : {}),
        body: Buffer.from(input.body),
        waitMs: timing.waitMs,
        downloadMs: timing.downloadMs,
      });
      parseMs.push(ms);
    }
    let crawlMainMsPerPage = 0;
    if (mark !== undefined && cpu !== undefined && timings.size > mark.stored) {
      const parsedMs = pool.inputs.slice(mark.parsed).reduce((sum, { parseCpuMs }) => sum + parseCpuMs, 0);
      crawlMainMsPerPage = Math.max(0, (cpu.user + cpu.system) / 1000 - parsedMs) / (timings.size - mark.stored);
    }
    return { pages: kept, notKept: timings.size - kept.length, seconds, parseMsPerPage: median(parseMs), crawlMainMsPerPage };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
