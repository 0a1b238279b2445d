/**
 * What crosses the process boundary for parsing: plain data only.
 */
import type { ParsedPage } from '../core/types.js';
import type { CrawlConfig } from '../config/schema.js';

/** One page to parse. The body is raw bytes; the worker decodes it. */
export interface ParseInput {
  /** Final URL after redirects (the base for relative links unless <base href>). */
  url: string;
  /** Depth of this page; links get depth + 1. */
  depth: number;
  status: number;
  /** The Content-Type header as received (charset label inside). */
  contentType?: string;
  /** X-Robots-Tag header, if any. */
  xRobotsTag?: string;
  /**
   * Where the seeds redirected to (e.g. `https://www.example.com/` for a seed
   * `http://example.com/`): they join the seeds for scope. Absent when none did.
   * The list only grows during a crawl; pages of one batch share one array, so
   * it crosses the process boundary once per batch.
   */
  extraSeeds?: readonly string[];
  body: Uint8Array;
}

/**
 * Crawl-wide rules, sent to each worker once at start-up (not per task):
 * scope (to filter outgoing links), normalisation and extraction options.
 */
export interface ParseRules {
  seeds: string[];
  scope: CrawlConfig['scope'];
  extract: CrawlConfig['extract'];
  maxTextChars: number;
  respectMetaRobots: boolean;
  respectNofollow: boolean;
}

export type ParserMode = 'process' | 'thread' | 'inline';

export interface ParsePoolStats {
  mode: ParserMode;
  workers: number;
  busy: number;
  queued: number;
  tasksDone: number;
  crashes: number;
  /** Workers killed for passing taskTimeoutMs: each run of a batch or of a lone page counts. */
  timeouts?: number;
  /** Workers replaced by recycling (recycleAfterTasks / recycleAboveRssMb). */
  recycled?: number;
  /** Messages sent to workers: one per batch of pages (process and thread modes). */
  batches?: number;
}

export interface ParsePool {
  /** Parses one page in a worker. Rejects with ParseError / WorkerCrashedError. */
  parse(input: ParseInput): Promise<ParsedPage>;
  /** Pages waiting or being parsed; the crawler pauses fetching above parser.maxQueue. */
  readonly backlog: number;
  /** Resolves when the backlog is below parser.maxQueue (at once if it already is). */
  waitForCapacity?(): Promise<void>;
  stats(): ParsePoolStats;
  close(): Promise<void>;
}
