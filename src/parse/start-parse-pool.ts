/**
 * A crawl's parse pool from its config: the parse rules the workers get and
 * the pool's settings. Apart from the crawler so that the CLI can start the
 * pool (its workers boot in their own processes) before it imports the rest
 * of the crawler.
 */
import type { CrawlConfig } from '../config/schema.js';
import { createParsePool } from './parse-pool.js';
import type { ParsePool, ParseRules } from './parse-types.js';

/** What every parser worker is told once: scope, normalisation, extraction. */
export function parseRulesFor(config: CrawlConfig): ParseRules {
  return {
    seeds: config.seeds,
    scope: config.scope,
    extract: config.extract,
    maxTextChars: config.extract.text ? config.parser.maxTextChars : 0,
    respectMetaRobots: config.politeness.respectMetaRobots,
    respectNofollow: config.politeness.respectNofollow,
  };
}

/** Starts the pool `config.parser` describes (process and thread workers start booting at once). */
export function startParsePool(config: CrawlConfig): ParsePool {
  return createParsePool({
    mode: config.parser.mode,
    workers: config.parser.workers,
    rules: parseRulesFor(config),
    taskTimeoutMs: config.parser.taskTimeoutMs,
    workerHeapMb: config.parser.workerHeapMb,
    maxQueue: config.parser.maxQueue,
    ...(config.parser.recycleAfterPages > 0 ? { recycleAfterTasks: config.parser.recycleAfterPages } : {}),
    ...(config.parser.recycleAboveMb > 0 ? { recycleAboveRssMb: config.parser.recycleAboveMb } : {}),
  });
}
