/**
 * Opens a crawl's directory, the first thing a crawl does: a new crawl's
 * `crawl.json` (its validated config and seeds) is written here, before the
 * fetcher, the parse pool and the rest of the crawler are even imported, so
 * that a crawl killed in its first millisecond is one `skein resume` knows
 * (its seeds are admitted again and its sitemaps read again).
 *
 * Imports only the store's metadata and path helpers: the CLI calls it
 * before it imports the crawler (src/cli/crawl-command.ts).
 */
import { access, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { CrawlConfig } from '../config/schema.js';
import { assertExtractorModuleExists } from '../parse/load-extractor-module.js';
import { CrawlMeta, type CrawlMetaData } from '../store/crawl-meta.js';
import { checkWritableDir, makeDirectory } from '../store/make-directory.js';
import { checkWarcDir } from '../warc/warc-files.js';
import { crawlPaths, deriveCrawlName, type CrawlPaths } from '../store/crawl-dir.js';
import { commandHint } from './command-hint.js';
import { ConfigError, StoreError } from './errors.js';

export interface OpenCrawlDirOptions {
  /** Continue the stored crawl of this name. */
  resume?: boolean;
  /** Delete an existing crawl of the same name first. */
  fresh?: boolean;
  /** Where the crawl's files go instead of `<dataDir>/<name>/` (distributed mode). */
  paths?: CrawlPaths;
}

export interface OpenedCrawlDir {
  readonly name: string;
  readonly paths: CrawlPaths;
  readonly meta: CrawlMeta;
  /** The stored crawl as it was found (before `fresh` deleted it). */
  readonly existing: CrawlMetaData | undefined;
  /** True when this run's start is already in `crawl.json` (a new crawl); a resume records it when it runs. */
  readonly runStarted: boolean;
  /** Deletes the folder again when this call created it (the crawl could not be set up: nothing stays written). */
  discard(): Promise<void>;
}

/** The crawl's name: `config.name`, else derived from the first seed's host. */
export function crawlName(config: CrawlConfig): string {
  if (config.name) return config.name;
  const seed = config.seeds[0];
  if (!seed) throw new ConfigError('seeds', 'expected at least one seed URL (or a crawl name to resume)');
  return deriveCrawlName(seed);
}

/**
 * Checks that the crawl may start (a stored crawl of the same name needs
 * `resume` or `fresh`), creates its folder and, for a new crawl, writes
 * `crawl.json` with this run started (the folder appears with it).
 */
export async function openCrawlDir(config: CrawlConfig, options: OpenCrawlDirOptions = {}): Promise<OpenedCrawlDir> {
  const name = crawlName(config);
  const paths = options.paths ?? crawlPaths(config.dataDir, name);
  // A data dir that cannot be created or written is a config error, before anything is read or written.
  await checkWritableDir(path.resolve(config.dataDir), 'dataDir', 'store crawls in', { keep: false });
  let meta = new CrawlMeta(paths.meta);
  const existing = await meta.read();
  if (existing && !options.resume && !options.fresh) {
    throw new ConfigError('name', `"${paths.dir}" already holds a crawl named "${name}"; continue it with \`${commandHint(['resume', name], config.dataDir)}\`, or start over with --fresh (deletes it), or pick another --name`);
  }
  // The last config checks the crawler would make, made before anything is written.
  if (config.extract.module) assertExtractorModuleExists(config.extract.module);
  if (config.output.warc) await checkWarcDir(path.resolve(config.output.warc.dir));
  if (options.fresh) {
    await rm(paths.dir, { recursive: true, force: true });
    meta = new CrawlMeta(paths.meta);
  }
  const created = !(await exists(paths.dir));
  const runStarted = existing === undefined || options.fresh === true;
  // Staged beside the crawl's folder in a data dir; a node's folder (`paths` given) sits among its
  // crawl's other nodes, where no other folder may appear, so it is created in place.
  if (runStarted && created && !options.paths) {
    await createWithMeta(paths, config, name);
    await meta.read();
  } else {
    await makeDirectory(paths.dir);
    if (runStarted) await meta.startRun(config, name);
  }
  return {
    name,
    paths,
    meta,
    existing,
    runStarted,
    discard: async () => {
      if (created) await rm(paths.dir, { recursive: true, force: true });
    },
  };
}

/**
 * Creates the crawl's folder with its crawl.json in it, at once: written in a
 * hidden sibling folder, then renamed, so that the folder never exists
 * without its crawl.json (a kill at any moment leaves a crawl `skein resume`
 * knows, or nothing).
 */
async function createWithMeta(paths: CrawlPaths, config: CrawlConfig, name: string): Promise<void> {
  const staging = path.join(path.dirname(paths.dir), `.${path.basename(paths.dir)}.new-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await new CrawlMeta(path.join(staging, path.relative(paths.dir, paths.meta))).startRun(config, name);
  try {
    await rename(staging, paths.dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw new StoreError('ERR_STORE_WRITE', `could not create ${paths.dir}: ${(error as Error).message}`, { cause: error });
  }
}

async function exists(dir: string): Promise<boolean> {
  return access(dir).then(
    () => true,
    () => false,
  );
}
