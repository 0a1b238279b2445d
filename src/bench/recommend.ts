/**
 * Turns extraction measurements into a recommendation: parser mode, worker
 * count and fetch concurrency, with the reason in one sentence. Pure.
 *
 * - Mode and workers: the fastest configuration; but when the fastest
 *   `process` configuration is within `isolationMarginPct` of it, `process`
 *   wins (a crashing or bloating page cannot take the crawl down). Within the
 *   chosen mode, the fewest workers within 5% of its best. "Fastest" is the
 *   estimated crawl rate (`crawlPagesPerSecond`, see `crawlRate`) when the
 *   results carry it, else the extraction rate measured alone.
 * - Fetch concurrency (Little's law): requests in flight needed to feed the
 *   parser at that rate = pages/s × network time per page, doubled for
 *   headroom, clamped to [`minConcurrency`, `maxConcurrency`].
 */
import type { ParserMode } from '../parse/parse-types.js';

/** One measured configuration (a subset of ExtractionBenchResult). */
export interface MeasuredMode {
  mode: ParserMode;
  workers: number;
  /** Extraction alone: pages/s with the pages already in memory. */
  pagesPerSecond: number;
  /**
   * CPU per page of extraction: the main process's part (dispatch and IPC; all of it inline; in
   * thread mode also the worker threads), its main thread alone when known, and the total.
   */
  cpuMsPerPage?: { main: number; mainThread?: number; total: number };
  /** Its estimated crawl rate (`crawlRate`), when the crawl's own cost is known. */
  crawlPagesPerSecond?: number;
}

/**
 * What a crawl adds to extraction, per page: the main process's CPU for
 * everything but parsing (fetch, store, frontier, events), and the CPUs there are.
 */
export interface CrawlCost {
  mainMsPerPage: number;
  cpus: number;
}

/**
 * Estimated pages/s of a crawl with this configuration, the lowest of three
 * ceilings: extraction alone, the main thread on its one core (its crawl
 * work plus its share of extraction), and all cores (every thread's and
 * process's CPU per page). Without CPU figures, the extraction rate. Pure.
 */
export function crawlRate(measured: MeasuredMode, crawl: CrawlCost | undefined): number {
  if (crawl === undefined || measured.cpuMsPerPage === undefined) return measured.pagesPerSecond;
  const mainMs = crawl.mainMsPerPage + (measured.cpuMsPerPage.mainThread ?? measured.cpuMsPerPage.main);
  const totalMs = crawl.mainMsPerPage + measured.cpuMsPerPage.total;
  const mainBound = mainMs > 0 ? 1000 / mainMs : Infinity;
  const cpuBound = totalMs > 0 ? (crawl.cpus * 1000) / totalMs : Infinity;
  return Math.min(measured.pagesPerSecond, mainBound, cpuBound);
}

export interface RecommendInput {
  results: readonly MeasuredMode[];
  /** Median network time of a page (wait + download), ms. */
  networkMsPerPage: number;
  /** Median parse CPU of a page, ms. */
  parseMsPerPage: number;
  /** Requests allowed in flight per host (`fetch.perHostParallelism`). @default 4 */
  perHostParallelism?: number;
  /** Hosts the crawl spreads over. @default 1 */
  hosts?: number;
  /** @default 10 */
  isolationMarginPct?: number;
  /** @default 4 */
  minConcurrency?: number;
  /** @default 256 */
  maxConcurrency?: number;
}

export interface Recommendation {
  mode: ParserMode;
  workers: number;
  fetchConcurrency: number;
  /** The pages/s the recommended configuration measured (extraction alone). */
  pagesPerSecond: number;
  /** Its estimated crawl rate; equals `pagesPerSecond` when the results carry none. */
  crawlPagesPerSecond: number;
  /**
   * "io" when politeness-limited fetching (perHostParallelism × hosts
   * requests in flight, each taking the network time) is slower than the
   * parser, else "cpu".
   */
  bound: 'cpu' | 'io';
  /** Pages/s fetching can reach under perHostParallelism (Infinity with no network time). */
  fetchPagesPerSecond: number;
  reason: string;
}

const fmt = (ms: number): string => (ms >= 10 ? ms.toFixed(0) : ms.toFixed(ms >= 1 ? 1 : 2));

export function recommend(input: RecommendInput): Recommendation {
  const { results } = input;
  if (results.length === 0) throw new RangeError('recommend() needs at least one measured configuration');
  const margin = (input.isolationMarginPct ?? 10) / 100;
  const rate = (r: MeasuredMode): number => r.crawlPagesPerSecond ?? r.pagesPerSecond;
  const best = results.reduce((a, b) => (rate(b) > rate(a) ? b : a));
  const bestOf = (mode: ParserMode) =>
    results.filter((r) => r.mode === mode).reduce<MeasuredMode | undefined>((a, b) => (!a || rate(b) > rate(a) ? b : a), undefined);
  const bestProcess = bestOf('process');
  const preferProcess = best.mode !== 'process' && bestProcess !== undefined && rate(bestProcess) >= rate(best) * (1 - margin);
  const modeBest = preferProcess ? bestProcess : best;
  const chosen = results
    .filter((r) => r.mode === modeBest.mode && rate(r) >= rate(modeBest) * 0.95)
    .reduce((a, b) => (b.workers < a.workers ? b : a));
  const chosenRate = rate(chosen);

  const networkMs = Math.max(0, input.networkMsPerPage);
  const fetchConcurrency = Math.min(
    input.maxConcurrency ?? 256,
    Math.max(input.minConcurrency ?? 4, Math.ceil(((chosenRate * networkMs) / 1000) * 2)),
  );
  const inFlight = (input.perHostParallelism ?? 4) * (input.hosts ?? 1);
  const fetchPagesPerSecond = networkMs > 0 ? (inFlight * 1000) / networkMs : Infinity;
  const bound = fetchPagesPerSecond < chosenRate ? 'io' : 'cpu';
  const pool = chosen.mode === 'inline' ? 'inline parsing' : `${chosen.mode} mode with ${chosen.workers} worker${chosen.workers === 1 ? '' : 's'}`;
  const why = preferProcess
    ? `was within ${Math.round(margin * 100)}% of the fastest (${best.mode}, ${Math.round(rate(best))} pages/s) and isolates crashing pages`
    : chosen.workers < modeBest.workers
      ? `was within 5% of the fastest with fewer workers`
      : 'was the fastest measured';
  const pace =
    bound === 'io'
      ? `the crawl is I/O-bound (${inFlight} requests in flight at ${fmt(networkMs)} ms each fetch at most ${Math.round(fetchPagesPerSecond)} pages/s)`
      : `the crawl is CPU-bound (parsing takes ${fmt(input.parseMsPerPage)} ms of CPU per page, a fetch ${fmt(networkMs)} ms of waiting)`;
  const at = chosen.crawlPagesPerSecond === undefined ? `${Math.round(chosenRate)} pages/s` : `an estimated ${Math.round(chosenRate)} pages/s for a crawl (extraction alone: ${Math.round(chosen.pagesPerSecond)})`;
  const reason = `${pool[0]!.toUpperCase()}${pool.slice(1)} ${why} at ${at}; ${pace}, and about ${fetchConcurrency} fetches in flight keep the parser fed.`;
  return { mode: chosen.mode, workers: chosen.workers, fetchConcurrency, pagesPerSecond: chosen.pagesPerSecond, crawlPagesPerSecond: chosenRate, bound, fetchPagesPerSecond, reason };
}
