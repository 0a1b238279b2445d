/**
 * `skein crawl [urls...]`: crawl a site, or run the crawl a config file describes.
 */
import { Command } from 'commander';
import { dottedToNested, envLayer, loadConfig, mergeLayers, readConfigFile } from '../config/load-config.js';
import { CrawlMeta } from '../store/crawl-meta.js';
import { crawlPaths } from '../store/crawl-dir.js';
import { ConfigError } from '../core/errors.js';
import { crawlConfigSchema, type CrawlConfig } from '../config/schema.js';
import { addCrawlFlags, flagsToConfig } from './crawl-flags.js';
import { runCrawl } from './run-crawl.js';
import { addReplayFlags, replayFlagsToOptions } from './replay-flags.js';
import { addRedisFlags, runCrawlOnRedis, wantsRedis } from './redis-flags.js';

export function crawlCommand(setExitCode: (code: number) => void): Command {
  const command = new Command('crawl')
    .description('crawl a site (same host by default) and store every page under <data-dir>/<name>/')
    .argument('[urls...]', 'seed URLs (http or https)')
    .option('--resume <name>', 'continue a stored crawl with its stored config')
    .option('--fresh', 'delete an existing crawl of the same name first')
    .option('--force', 'with --resume: accept changed scope settings')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print the summary as JSON on stdout');
  addCrawlFlags(command);
  addReplayFlags(command);
  addRedisFlags(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ skein crawl https://example.com/
  $ skein crawl https://example.com/ --max-pages 500 --exclude "**/*.pdf"
  $ skein crawl --config config/example-site.json --concurrency 16
  $ skein crawl --resume example.com`,
  );
  command.action(async (urls: string[], options: Record<string, unknown>) => {
    const flags = flagsToConfig(options);
    if (urls.length > 0) flags.seeds = urls;
    const file = options.config as string | undefined;
    let base: Record<string, unknown> | undefined;
    if (typeof options.resume === 'string') {
      if (options.fresh) throw new ConfigError('fresh', '--fresh deletes the stored crawl; it cannot be combined with --resume');
      flags.name = options.resume;
      base = await storedConfig(options.resume, flags, file);
    }
    const replay = await replayFlagsToOptions(options, flags);
    const config = await loadConfig({ ...(file ? { file } : {}), flags, ...((base ?? replay.base) ? { base: base ?? replay.base } : {}) });
    if (base && !options.force) refuseScopeChange(base, config);
    if (wantsRedis(options)) {
      if (options.record || options.replay) throw new ConfigError('redis', '--record and --replay run a single-process crawl; they cannot be combined with --redis');
      return setExitCode(await runCrawlOnRedis(config, options));
    }
    const { code } = await runCrawl(config, { quiet: Boolean(options.quiet), json: Boolean(options.json) }, { resume: Boolean(options.resume), fresh: Boolean(options.fresh), ...replay.options });
    setExitCode(code);
  });
  return command;
}

/** The stored config of crawl `name`, found in the data directory the flags, the environment or the config file name (that order). */
async function storedConfig(name: string, flags: Record<string, unknown>, file: string | undefined): Promise<Record<string, unknown>> {
  const layers = mergeLayers(file ? await readConfigFile(file) : {}, envLayer(process.env), dottedToNested(flags));
  const dataDir = crawlConfigSchema.shape.dataDir.parse(layers.dataDir === undefined ? undefined : String(layers.dataDir));
  const meta = await new CrawlMeta(crawlPaths(dataDir, name).meta).read();
  if (!meta) throw new ConfigError('resume', `no stored crawl named "${name}" in ${dataDir}/ (see: ls ${dataDir})`);
  return meta.config as unknown as Record<string, unknown>;
}

/** Scope-affecting settings may not change on resume (the stored pages would not match). */
function refuseScopeChange(stored: Record<string, unknown>, config: CrawlConfig): void {
  const before = stored as unknown as CrawlConfig;
  for (const key of ['mode', 'include', 'exclude', 'maxDepth', 'stripParams', 'sortParams', 'maxRepeatedSegments', 'maxUrlLength'] as const) {
    if (JSON.stringify(before.scope?.[key]) !== JSON.stringify(config.scope[key])) {
      throw new ConfigError(`scope.${key}`, `differs from the stored crawl (${JSON.stringify(before.scope?.[key])} → ${JSON.stringify(config.scope[key])}); resuming with another scope would mix two crawls. Pass --force to accept it.`);
    }
  }
  if (JSON.stringify(before.seeds) !== JSON.stringify(config.seeds)) {
    throw new ConfigError('seeds', 'differ from the stored crawl; pass --force to accept it');
  }
}
