/**
 * `skein worker --redis … --crawl-id …`: join a distributed crawl someone
 * else seeded. The crawl's config comes from Redis; the flags here only size
 * this node (where it stores, how many requests and parsers it runs).
 */
import { Command, Option } from 'commander';
import { loadConfig } from '../config/load-config.js';
import { ConfigError } from '../core/errors.js';
import { flagsToConfig } from './crawl-flags.js';
import { addRedisFlags, redisFlagsFrom, runNode } from './redis-flags.js';

const int = (flag: string) => (value: string): number => {
  if (!/^\d+$/.test(value.trim())) throw new ConfigError(flag, `expected a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
};

export function workerCommand(setExitCode: (code: number) => void): Command {
  const command = new Command('worker')
    .description('join a distributed crawl: takes the crawl config from Redis, fetches and parses its share of pages, stores them under <data-dir>/<crawl-id>/nodes/<node-id>/')
    .option('--data-dir <dir>', 'where this node stores its pages (default: "data")')
    .option('--concurrency <n>', 'requests in flight on this node (default: 32)', int('fetch.concurrency'))
    .addOption(new Option('--parser <mode>', 'where HTML is parsed (default: "process")').choices(['process', 'thread', 'inline']))
    .option('--workers <n>', 'parser workers on this node, or "auto" (default: "auto")', (v: string) => (v === 'auto' ? v : int('parser.workers')(v)))
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print the summary as JSON on stdout');
  addRedisFlags(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ skein crawl --config site.json --redis redis://10.0.0.5:6379 --crawl-id site-2026   # node 1 seeds
  $ skein worker --redis redis://10.0.0.5:6379 --crawl-id site-2026                      # more nodes join
  $ SKEIN_REDIS_URL=rediss://:secret@redis.example:6380 skein worker --crawl-id site-2026`,
  );
  command.action(async (options: Record<string, unknown>) => {
    const flags = redisFlagsFrom(options);
    const local = await loadConfig({ flags: flagsToConfig(options) });
    setExitCode(await runNode(flags, local, undefined, { quiet: Boolean(options.quiet), json: Boolean(options.json) }));
  });
  return command;
}
