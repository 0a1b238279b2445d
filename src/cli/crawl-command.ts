/**
 * `skein crawl [urls...]`: crawl a site, or run the crawl a config file describes.
 * The config is loaded and the crawl's folder opened (a new crawl's crawl.json
 * written) before the crawler's modules are imported.
 */
import { dottedToNested, envLayer, loadConfig, mergeLayers, readConfigFile } from '../config/load-config.js';
import { CrawlMeta } from '../store/crawl-meta.js';
import { crawlPaths } from '../store/crawl-dir.js';
import { ConfigError } from '../core/errors.js';
import { openCrawlDir } from '../core/open-crawl-dir.js';
import { replayConfig } from '../replay/record-replay.js';
import { redactConfig } from '../fetch/redact-secrets.js';
import { crawlConfigSchema, type CrawlConfig } from '../config/schema.js';
import { configChanges, scopeChanges } from '../config/config-changes.js';
import type { ActionContext } from './command-list.js';
import { flagName, flagsToConfig } from './crawl-flags.js';
import { replayFlagsToOptions } from './replay-flags.js';
import { wantsRedis } from './redis-flags.js';

/** Runs `skein crawl` (declared in command-list.ts). */
export async function action({ setExitCode }: ActionContext, urls: string[], options: Record<string, unknown>): Promise<void> {
  const flags = flagsToConfig(options);
  if (urls.length > 0) flags.seeds = urls;
  const file = options.config as string | undefined;
  let base: Record<string, unknown> | undefined;
  if (typeof options.resume === 'string') {
    if (options.fresh) throw new ConfigError('fresh', '--fresh deletes the stored crawl; it cannot be combined with --resume');
    if (typeof options.name === 'string' && options.name !== options.resume) {
      throw new ConfigError('name', `--resume continues the crawl "${options.resume}" under its own name; --name ${options.name} would start another crawl (to copy it, copy its folder)`);
    }
    flags.name = options.resume;
    base = await storedConfig(options.resume, flags, file);
  }
  const replay = await replayFlagsToOptions(options, flags);
  const config = await loadConfig({ ...(file ? { file } : {}), flags, ...((base ?? replay.base) ? { base: base ?? replay.base } : {}) });
  if (base && !options.force) refuseScopeChange(base as unknown as CrawlConfig, config);
  if (wantsRedis(options)) {
    if (options.record || options.replay) throw new ConfigError('redis', '--record and --replay run a single-process crawl; they cannot be combined with --redis');
    const { runCrawlOnRedis } = await import('./run-node.js');
    return setExitCode(await runCrawlOnRedis(config, options));
  }
  if (base && !options.quiet) {
    const changed = resumedWith(base as unknown as CrawlConfig, config);
    if (changed) process.stderr.write(`resuming "${config.name}" with: ${changed}\n`);
  }
  const crawlOptions = { resume: Boolean(options.resume), fresh: Boolean(options.fresh), ...replay.options };
  // The parser workers boot in their own processes (the critical path of a small crawl) while this
  // one opens the crawl's folder and imports the crawler.
  const { startParsePool } = await import('../parse/start-parse-pool.js');
  const parsePool = startParsePool(config);
  let opened;
  try {
    // Resumable from here on: crawl.json is written before the crawler is imported, let alone started.
    opened = await openCrawlDir(replayConfig(config, replay.options.replay), crawlOptions);
  } catch (error) {
    await parsePool.close();
    throw error;
  }
  const { runCrawl } = await import('./run-crawl.js');
  const { code } = await runCrawl(config, { quiet: Boolean(options.quiet), json: Boolean(options.json) }, { ...crawlOptions, opened, parsePool });
  setExitCode(code);
}

/** The stored config of crawl `name`, found in the data directory the flags, the environment or the config file name (that order). */
async function storedConfig(name: string, flags: Record<string, unknown>, file: string | undefined): Promise<Record<string, unknown>> {
  const layers = mergeLayers(file ? await readConfigFile(file) : {}, envLayer(process.env), dottedToNested(flags));
  const dataDir = crawlConfigSchema.shape.dataDir.parse(layers.dataDir === undefined ? undefined : String(layers.dataDir));
  const meta = await new CrawlMeta(crawlPaths(dataDir, name).meta).read();
  if (!meta) throw new ConfigError('resume', `no stored crawl named "${name}" in ${dataDir}/ (see: ls ${dataDir})`);
  return meta.config as unknown as Record<string, unknown>;
}

/** Scope-affecting settings may not change on resume without --force (the stored pages would not match). */
function refuseScopeChange(stored: CrawlConfig, config: CrawlConfig): void {
  const [change] = scopeChanges(stored, config);
  if (!change) return;
  if (change.path === 'seeds') throw new ConfigError('seeds', 'differ from the stored crawl; pass --force to accept it');
  throw new ConfigError(
    change.path,
    `differs from the stored crawl (${JSON.stringify(change.before)} → ${JSON.stringify(change.after)}); resuming with another scope would mix two crawls. Pass --force to accept it (a wider scope is then crawled for real: the stored pages' links are checked against it).`,
  );
}

/** The settings a resume changes, on one line ("concurrency 8 → 16, max-pages 20 → 40"); undefined when none. */
export function resumedWith(stored: CrawlConfig, config: CrawlConfig): string | undefined {
  // Compared as stored: a secret given again is no change, and is never printed.
  const changes = configChanges(stored, redactConfig(config)).filter((change) => change.path !== '$schema' && change.path !== 'name');
  if (changes.length === 0) return undefined;
  const show = (value: unknown) => (value === undefined ? '(unset)' : typeof value === 'string' ? value : JSON.stringify(value));
  return changes.map((change) => `${flagName(change.path) ?? change.path} ${show(change.before)} → ${show(change.after)}`).join(', ');
}
