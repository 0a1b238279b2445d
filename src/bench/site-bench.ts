/**
 * `skein bench`: fetch a polite sample of a site once (or of a local
 * generated site), then parse the same pages in inline, thread and process
 * modes with several worker counts, and recommend a configuration.
 */
import type { CrawlConfig } from '../config/schema.js';
import type { ParserMode } from '../parse/parse-types.js';
import { parseRulesFor } from '../core/create-crawler.js';
import { runExtractionBench, type ExtractionBenchResult } from './extraction-bench.js';
import { machineInfo, type MachineInfo } from './machine-info.js';
import { crawlRate, recommend, type Recommendation } from './recommend.js';
import { usableCpuCount } from '../parse/auto-worker-count.js';
import { median, round } from './run-concurrently.js';
import { fetchSample } from './sample-pages.js';

export interface SiteBenchOptions {
  /** Validated config whose first seed is the site (politeness, scope, fetch settings apply to the sample). */
  config: CrawlConfig;
  /** Pages in the sample. @default 200 */
  pages?: number;
  /** Worker counts to try for thread and process modes. @default workerCounts(availableParallelism) */
  workerCounts?: number[];
  /** Pages parsed per configuration (the sample is repeated). @default max(sample, 200) */
  parses?: number;
  /** Modes to measure. @default ["inline", "thread", "process"] */
  modes?: ParserMode[];
  /** pids left out of CPU/RSS (a local site server). */
  ignorePids?: number[];
  /** True when the site is the local generated one. @default false */
  local?: boolean;
  /** Progress lines (to stderr in the CLI). */
  onProgress?: (message: string) => void;
}

export interface SiteBenchReport {
  target: { url: string; local: boolean };
  machine: MachineInfo;
  sample: {
    pages: number;
    notKept: number;
    seconds: number;
    /** Medians over the sample, ms per page. */
    waitMsPerPage: number;
    downloadMsPerPage: number;
    networkMsPerPage: number;
    parseMsPerPage: number;
    /** The sample crawl's main-process CPU per page besides parsing (see `Sample.crawlMainMsPerPage`). */
    crawlMainMsPerPage: number;
    bytesPerPage: number;
  };
  /** Each configuration with its estimated crawl rate (`crawlRate`). */
  results: Array<ExtractionBenchResult & { crawlPagesPerSecond: number }>;
  recommendation: Recommendation;
}

/** 1, 2, …, n for small n; beyond 4, powers of two plus n itself. Pure. */
export function workerCounts(cpus: number): number[] {
  const n = Math.max(1, Math.floor(cpus));
  if (n <= 4) return Array.from({ length: n }, (_, i) => i + 1);
  const out: number[] = [];
  for (let w = 1; w < n; w *= 2) out.push(w);
  out.push(n);
  return out;
}

export async function runSiteBench(opts: SiteBenchOptions): Promise<SiteBenchReport> {
  const machine = machineInfo();
  const progress = opts.onProgress ?? (() => {});
  const url = opts.config.seeds[0];
  if (!url) throw new RangeError('skein bench needs a URL (config.seeds[0])');
  const pages = opts.pages ?? 200;
  progress(`fetching a sample of up to ${pages} pages from ${url} (once, politely)…`);
  const sample = await fetchSample(opts.config, pages);
  if (sample.pages.length === 0) throw new Error(`the sample from ${url} holds no HTML page to parse (${sample.notKept} pages failed, were skipped or were not HTML)`);
  const rules = parseRulesFor(opts.config);
  const parses = opts.parses ?? Math.max(sample.pages.length, 200);
  const counts = opts.workerCounts ?? workerCounts(machine.availableParallelism);
  const modes = opts.modes ?? ['inline', 'thread', 'process'];
  const results: ExtractionBenchResult[] = [];
  for (const mode of modes) {
    for (const workers of mode === 'inline' ? [1] : counts) {
      progress(`parsing ${parses} pages: ${mode}${mode === 'inline' ? '' : ` × ${workers}`}…`);
      results.push(await runExtractionBench({ pages: sample.pages, mode, workers, rules, parses, maxQueue: opts.config.parser.maxQueue, ...(opts.ignorePids ? { ignorePids: opts.ignorePids } : {}) }));
    }
  }
  const waitMs = median(sample.pages.map((p) => p.waitMs));
  const downloadMs = median(sample.pages.map((p) => p.downloadMs));
  const networkMs = median(sample.pages.map((p) => p.waitMs + p.downloadMs));
  const inline = results.find((r) => r.mode === 'inline');
  const parseMs = inline?.parseMsPerPage ?? sample.parseMsPerPage;
  const hosts = new Set(sample.pages.map((p) => new URL(p.url).host)).size;
  const crawl = { mainMsPerPage: sample.crawlMainMsPerPage, cpus: usableCpuCount() };
  const estimated = results.map((r) => ({ ...r, crawlPagesPerSecond: round(crawlRate(r, crawl), 1) }));
  return {
    target: { url, local: opts.local ?? false },
    machine,
    sample: {
      pages: sample.pages.length,
      notKept: sample.notKept,
      seconds: round(sample.seconds),
      waitMsPerPage: round(waitMs),
      downloadMsPerPage: round(downloadMs),
      networkMsPerPage: round(networkMs),
      parseMsPerPage: round(parseMs),
      crawlMainMsPerPage: round(sample.crawlMainMsPerPage),
      bytesPerPage: Math.round(median(sample.pages.map((p) => p.body.length))),
    },
    results: estimated,
    recommendation: recommend({
      results: estimated,
      networkMsPerPage: networkMs,
      parseMsPerPage: parseMs,
      perHostParallelism: opts.config.fetch.perHostParallelism,
      hosts,
    }),
  };
}
