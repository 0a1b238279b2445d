/**
 * Extraction over pages already in memory, in one parser mode with one
 * worker count: the same `createParsePool` the crawler uses, fed as fast as
 * its backlog bound allows. Measures pages/s, parse ms per page (inside the
 * worker), IPC cost per page (round-trip time of a task run alone minus its
 * in-worker parse time), CPU per page of the main process (and of its main
 * thread alone) and of the worker processes, and peak RSS of the process tree.
 */
import { performance } from 'node:perf_hooks';
import type { ParsedPage } from '../core/types.js';
import { createParsePool } from '../parse/parse-pool.js';
import type { ParseInput, ParserMode, ParseRules } from '../parse/parse-types.js';
import { mainThreadCpuMs, ProcessTreeSampler } from './process-tree-sampler.js';
import { median, round } from './run-concurrently.js';

/** One fetched page kept in memory, with its fetch timings. */
export interface SamplePage {
  url: string;
  depth: number;
  status: number;
  contentType?: string;
  body: Buffer;
  /** Request start to response headers, ms. */
  waitMs: number;
  /** Response headers to last body byte, ms. */
  downloadMs: number;
}

export interface ExtractionBenchOptions {
  pages: readonly SamplePage[];
  mode: ParserMode;
  /** Worker count (ignored inline). */
  workers: number;
  rules: ParseRules;
  /** Pages parsed in the measured pass (the sample is repeated to reach it). @default pages.length */
  parses?: number;
  /** Tasks run one at a time first (warm-up, and the IPC measurement). @default min(20, pages) */
  serialParses?: number;
  /** Backlog bound, like `parser.maxQueue`. @default 32 (its default) */
  maxQueue?: number;
  /** pids whose subtrees are left out of CPU and RSS (a site server). @default none */
  ignorePids?: number[];
}

export interface ExtractionBenchResult {
  mode: ParserMode;
  workers: number;
  pages: number;
  seconds: number;
  pagesPerSecond: number;
  /** Median in-worker parse time of a page, ms. */
  parseMsPerPage: number;
  /** Median round trip of a task run alone minus its parse time, ms (0 inline, by construction ~0). */
  ipcMsPerPage: number;
  /** `mainThread`: the main thread alone (in thread mode `main` also holds the worker threads' parsing). */
  cpuMsPerPage: { main: number; mainThread: number; workers: number; total: number };
  peakRssMb: number;
}

function inputOf(page: SamplePage): ParseInput {
  return {
    url: page.url,
    depth: page.depth,
    status: page.status,
    ...(page.contentType ? { contentType: page.contentType } : {}),
    body: page.body,
  };
}

/** Runs one configuration; the pool is started and closed here. */
export async function runExtractionBench(opts: ExtractionBenchOptions): Promise<ExtractionBenchResult> {
  if (opts.pages.length === 0) throw new RangeError('the extraction benchmark needs at least one page');
  const maxQueue = opts.maxQueue ?? 32;
  const workers = opts.mode === 'inline' ? 1 : opts.workers;
  const sampler = new ProcessTreeSampler({ ignore: opts.ignorePids ?? [] });
  sampler.start();
  const pool = createParsePool({ mode: opts.mode, workers, rules: opts.rules, taskTimeoutMs: 30_000, workerHeapMb: 512, maxQueue });
  try {
    // Serial pass: warms every worker up and gives the round trip of a lone task.
    const serial = Math.min(opts.serialParses ?? 20, opts.pages.length);
    const ipcMs: number[] = [];
    const parseMs: number[] = [];
    for (let i = 0; i < Math.max(serial, workers); i++) {
      const startedAt = performance.now();
      const page: ParsedPage = await pool.parse(inputOf(opts.pages[i % opts.pages.length]!));
      const roundTripMs = performance.now() - startedAt;
      ipcMs.push(Math.max(0, roundTripMs - page.parseMs));
    }
    const parses = opts.parses ?? opts.pages.length;
    const usageBefore = sampler.stop();
    const measured = new ProcessTreeSampler({ ignore: opts.ignorePids ?? [] });
    measured.start();
    const mainThreadAtStart = mainThreadCpuMs();
    const startedAt = performance.now();
    const pending = new Set<Promise<void>>();
    for (let i = 0; i < parses; i++) {
      await pool.waitForCapacity?.(); // the pool's backlog bound (`maxQueue`)
      const task: Promise<void> = pool
        .parse(inputOf(opts.pages[i % opts.pages.length]!))
        .then((page) => void parseMs.push(page.parseMs))
        .finally(() => pending.delete(task));
      pending.add(task);
    }
    await Promise.all(pending);
    const seconds = (performance.now() - startedAt) / 1000;
    const usage = measured.stop();
    const mainThreadAtEnd = mainThreadCpuMs();
    const mainThreadMs = mainThreadAtStart === undefined || mainThreadAtEnd === undefined ? usage.mainCpuMs : mainThreadAtEnd - mainThreadAtStart;
    return {
      mode: opts.mode,
      workers,
      pages: parses,
      seconds: round(seconds),
      pagesPerSecond: round(parses / seconds, 1),
      parseMsPerPage: round(median(parseMs)),
      ipcMsPerPage: opts.mode === 'inline' ? 0 : round(median(ipcMs)),
      cpuMsPerPage: {
        main: round(usage.mainCpuMs / parses),
        mainThread: round(Math.min(mainThreadMs, usage.mainCpuMs) / parses),
        workers: round(usage.childCpuMs / parses),
        total: round((usage.mainCpuMs + usage.childCpuMs) / parses),
      },
      peakRssMb: round(Math.max(usage.peakRssBytes, usageBefore.peakRssBytes) / 2 ** 20, 1),
    };
  } finally {
    await pool.close();
  }
}
