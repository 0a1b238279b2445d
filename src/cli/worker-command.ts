/**
 * `skein worker --redis … --crawl-id …`: join a distributed crawl someone
 * else seeded. The crawl's config comes from Redis; the flags here only size
 * this node (where it stores, how many requests and parsers it runs).
 */
import { Command } from 'commander';
import { loadConfig } from '../config/load-config.js';
import { addCrawlFlags, flagsToConfig } from './crawl-flags.js';
import { addRedisFlags, redisFlagsFrom, runNode } from './redis-flags.js';

export function workerCommand(setExitCode: (code: number) => void): Command {
  const command = new Command('worker')
    .description('join a distributed crawl: takes the crawl config from Redis, fetches and parses its share of pages, stores them under <data-dir>/<crawl-id>/nodes/<node-id>/')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print the summary as JSON on stdout');
  addCrawlFlags(command, ['dataDir', 'fetch.concurrency', 'parser.mode', 'parser.workers']);
  addRedisFlags(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ skein crawl --config site.json --redis redis://10.0.0.5:6379 --crawl-id site-2026   # node 1 seeds
  $ skein worker --redis redis://10.0.0.5:6379 --crawl-id site-2026                      # more nodes join
  $ SKEIN_REDIS_URL=rediss://:secret@redis.example:6380 skein worker --crawl-id site-2026
  $ skein worker --redis redis://10.0.0.5:6379 --crawl-id site-2026 --recover           # Redis lost the crawl: rebuild it from this data dir`,
  );
  command.action(async (options: Record<string, unknown>) => {
    const flags = redisFlagsFrom(options);
    const local = await loadConfig({ flags: flagsToConfig(options) });
    setExitCode(await runNode(flags, local, undefined, { quiet: Boolean(options.quiet), json: Boolean(options.json) }));
  });
  return command;
}
