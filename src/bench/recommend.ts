/**
 * Turns extraction measurements into a recommendation: parser mode, worker
 * count and fetch concurrency, with the reason in one sentence. Pure.
 *
 * - Mode and workers: the fastest measured configuration; but when the
 *   fastest `process` configuration is within `isolationMarginPct` of it,
 *   `process` wins (a crashing or bloating page cannot take the crawl down).
 *   Within the chosen mode, the fewest workers within 5% of its best.
 * - Fetch concurrency (Little's law): requests in flight needed to feed the
 *   parser at that rate = pages/s × network time per page, doubled for
 *   headroom, clamped to [`minConcurrency`, `maxConcurrency`].
 */
import type { ParserMode } from '../parse/parse-types.js';

/** One measured configuration (a subset of ExtractionBenchResult). */
export interface MeasuredMode {
  mode: ParserMode;
  workers: number;
  pagesPerSecond: number;
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
  /** The pages/s the recommended configuration measured. */
  pagesPerSecond: number;
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
  const best = results.reduce((a, b) => (b.pagesPerSecond > a.pagesPerSecond ? b : a));
  const bestOf = (mode: ParserMode) =>
    results.filter((r) => r.mode === mode).reduce<MeasuredMode | undefined>((a, b) => (!a || b.pagesPerSecond > a.pagesPerSecond ? b : a), undefined);
  const bestProcess = bestOf('process');
  const preferProcess = best.mode !== 'process' && bestProcess !== undefined && bestProcess.pagesPerSecond >= best.pagesPerSecond * (1 - margin);
  const modeBest = preferProcess ? bestProcess : best;
  const chosen = results
    .filter((r) => r.mode === modeBest.mode && r.pagesPerSecond >= modeBest.pagesPerSecond * 0.95)
    .reduce((a, b) => (b.workers < a.workers ? b : a));

  const networkMs = Math.max(0, input.networkMsPerPage);
  const fetchConcurrency = Math.min(
    input.maxConcurrency ?? 256,
    Math.max(input.minConcurrency ?? 4, Math.ceil(((chosen.pagesPerSecond * networkMs) / 1000) * 2)),
  );
  const inFlight = (input.perHostParallelism ?? 4) * (input.hosts ?? 1);
  const fetchPagesPerSecond = networkMs > 0 ? (inFlight * 1000) / networkMs : Infinity;
  const bound = fetchPagesPerSecond < chosen.pagesPerSecond ? 'io' : 'cpu';
  const pool = chosen.mode === 'inline' ? 'inline parsing' : `${chosen.mode} mode with ${chosen.workers} worker${chosen.workers === 1 ? '' : 's'}`;
  const why = preferProcess
    ? `was within ${Math.round(margin * 100)}% of the fastest (${best.mode}, ${Math.round(best.pagesPerSecond)} pages/s) and isolates crashing pages`
    : chosen.workers < modeBest.workers
      ? `was within 5% of the fastest with fewer workers`
      : 'was the fastest measured';
  const pace =
    bound === 'io'
      ? `the crawl is I/O-bound (${inFlight} requests in flight at ${fmt(networkMs)} ms each fetch at most ${Math.round(fetchPagesPerSecond)} pages/s)`
      : `the crawl is CPU-bound (parsing takes ${fmt(input.parseMsPerPage)} ms of CPU per page, a fetch ${fmt(networkMs)} ms of waiting)`;
  const reason = `${pool[0]!.toUpperCase()}${pool.slice(1)} ${why} at ${Math.round(chosen.pagesPerSecond)} pages/s; ${pace}, and about ${fetchConcurrency} fetches in flight keep the parser fed.`;
  return { mode: chosen.mode, workers: chosen.workers, fetchConcurrency, pagesPerSecond: chosen.pagesPerSecond, bound, fetchPagesPerSecond, reason };
}
