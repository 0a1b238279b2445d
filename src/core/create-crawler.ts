/**
 * Wires a crawl from a validated config: opens the crawl directory
 * (open-crawl-dir.ts: a new crawl's crawl.json is written first), the
 * store and the frontier (fresh or restored), starts the fetcher and the
 * parse pool, and returns a handle. Dependencies are injected into the
 * Crawler; nothing here runs per page.
 */
import { access, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CrawlConfig } from '../config/schema.js';
import { createFetcher } from '../fetch/fetcher.js';
import type { CapturedExchange } from '../fetch/fetch-types.js';
import { SecretRedactor } from '../fetch/redact-secrets.js';
import type { Frontier, FrontierOptions } from '../frontier/frontier.js';
import { MemoryFrontier } from '../frontier/memory-frontier.js';
import { startParsePool } from '../parse/start-parse-pool.js';
import type { ParsePool } from '../parse/parse-types.js';
import { HostGiveUp } from '../politeness/host-give-up.js';
import { RobotsCache } from '../politeness/robots-cache.js';
import { PolitenessGate } from '../politeness/politeness-gate.js';
import { spacedDelayMs } from '../politeness/host-slot.js';
import { discoverSitemapUrls } from '../politeness/sitemaps.js';
import { createRecordReplay, replayConfig, type RecordReplayOptions } from '../replay/record-replay.js';
import type { CrawlPaths } from '../store/crawl-dir.js';
import { FrontierJournal } from '../store/frontier-journal.js';
import { LowdbPageStore } from '../store/lowdb-page-store.js';
import type { PageStore } from '../store/page-store.js';
import { ArchivingStore } from '../warc/archiving-store.js';
import { openWarcArchive } from '../warc/open-archive.js';
import type { WarcArchive } from '../warc/warc-archive.js';
import { Crawler, type CrawlProgress, type SeedDiscovery } from './crawler.js';
import { ConfigError } from './errors.js';
import { CrawlEventBus, type CrawlSummary } from './events.js';
import { LinkGate } from './link-gate.js';
import { openCrawlDir, type OpenedCrawlDir } from './open-crawl-dir.js';
import { readmitStoredLinks } from './readmit-links.js';
import { mayWiden, scopeChanges } from '../config/config-changes.js';
import { PagePipeline, type PipelineDeps } from './page-pipeline.js';
import { ExternalLinkChecker } from './external-links.js';

export interface CreateCrawlerOptions extends RecordReplayOptions {
  /** Continue the stored crawl of this name (its queue and pages). */
  resume?: boolean;
  /** Delete an existing crawl of the same name first. */
  fresh?: boolean;
  /** A shared frontier (distributed mode); defaults to a persisted MemoryFrontier. */
  frontier?: Frontier;
  /** Where this crawl's files go instead of `<dataDir>/<name>/` (distributed mode: one directory per node). */
  paths?: CrawlPaths;
  /** This node's id (distributed mode): in the names of the WARC files it writes. */
  nodeId?: string;
  /** The crawl's folder, opened already (the CLI opens it before importing the crawler); else opened here. */
  opened?: OpenedCrawlDir;
  /** Wraps the page store (distributed mode: stamps `record.node`, tells when records are on disk). */
  wrapStore?: (store: PageStore) => PageStore;
  /** A parse pool to use instead of starting one from `config.parser` (`skein bench` wraps one to keep the sample's bodies). */
  parsePool?: ParsePool;
  events?: CrawlEventBus;
}

export interface CrawlHandle {
  readonly name: string;
  readonly dir: string;
  readonly events: CrawlEventBus;
  run(): Promise<CrawlSummary>;
  /** Graceful stop: stop admitting, let in-flight pages finish within graceMs, flush. */
  stop(reason?: string, graceMs?: number): void;
  progress(): Promise<CrawlProgress>;
  /** Releases workers, sockets and files. Safe to call twice. */
  close(): Promise<void>;
}

// Where a crawl's parse pool comes from (the CLI starts it early, while the crawler's modules load).
export { parseRulesFor, startParsePool } from '../parse/start-parse-pool.js';

export async function createCrawler(config: CrawlConfig, options: CreateCrawlerOptions = {}): Promise<CrawlHandle> {
  config = replayConfig(config, options.replay);
  const opened = options.opened ?? (await openCrawlDir(config, options));
  try {
    return await setUpCrawler(config, options, opened);
  } catch (error) {
    await opened.discard(); // a crawl that could not be set up leaves nothing behind
    throw error;
  }
}

async function setUpCrawler(config: CrawlConfig, options: CreateCrawlerOptions, dir: OpenedCrawlDir): Promise<CrawlHandle> {
  const { name, paths, meta, existing } = dir;
  const events = options.events ?? new CrawlEventBus();
  // The crawl's secrets (header values, proxy credentials) never reach a log line or a record.
  const secrets = SecretRedactor.fromConfig(config.fetch);
  const redact = secrets.empty ? undefined : (text: string): string => secrets.text(text);
  if (redact) events.redactLogsWith(redact);
  const journal = new FrontierJournal(paths.frontier);
  // Frontier before pages: a page's discovered links are durable before the page (whatever the
  // frontier: the journal of a MemoryFrontier, or one given in `options.frontier`).
  let frontier: Frontier | undefined;
  // The WARC records of a batch's pages are appended before the batch is committed (warc/archiving-store.ts).
  let archive: WarcArchive | undefined;
  const opened = await LowdbPageStore.open(paths.pages, {
    flushFirst: async () => {
      await frontier?.flush();
      await archive?.commit();
    },
  });
  const wrapped = options.wrapStore ? options.wrapStore(opened) : opened;
  archive = await openWarcArchive(config, { name, crawlDir: paths.dir, ...(options.nodeId ? { nodeId: options.nodeId } : {}), redactor: secrets, storeSize: wrapped.size, events });
  const store = archive ? new ArchivingStore(wrapped, archive) : wrapped;
  const spill = { dir: path.join(paths.dir, 'spill'), budgetBytes: config.frontier.memoryBudgetMb * 2 ** 20 };
  const frontierOptions: FrontierOptions = {
    maxPages: config.scope.maxPages,
    hostPolicy: { delayMs: spacedDelayMs(config.politeness.delayMs), parallelism: config.fetch.perHostParallelism },
    jitter: config.politeness.jitter,
  };
  const resumed = Boolean(options.resume && existing);
  // A single-process resume whose scope may have widened checks the stored pages' links again.
  const widened = resumed && !options.frontier ? scopeChanges(existing!.config, config).filter(mayWiden) : [];
  if (widened.length > 0 && !existing!.config.extract.links && store.size > 0) {
    const change = widened[0]!;
    throw new ConfigError(
      change.path,
      `${JSON.stringify(change.before)} → ${JSON.stringify(change.after)} may widen the scope, but this crawl did not store its pages' links (extract.links: false), so the links its old scope left out cannot be checked again; keep the old setting, or start over with --fresh`,
    );
  }
  frontier =
    options.frontier ??
    (resumed
      ? await MemoryFrontier.restore({ ...frontierOptions, journal, spill }, journal.readAll(), (key) => store.has(key), store.size, store.fetched)
      : new MemoryFrontier({ ...frontierOptions, journal, spill }));

  const recording = await createRecordReplay(config, options);
  // The cookie jar (fetch.cookies) lives with the crawl: a resume continues the session.
  const cookies = config.fetch.cookies ? await (await import('../store/cookie-file.js')).CookieFile.open(path.join(paths.dir, 'cookies.json')) : undefined;
  const warn = (message: string): void => events.emit('log', { level: 'warn', message });
  const fetcher = recording.wrap(
    createFetcher(config.fetch, recording.observer, {
      seeds: config.seeds,
      warn,
      ...(cookies ? { cookieJar: cookies.jar } : {}),
      // Credentials in fetch.headers go to the crawl's own hosts only (the link gate is made below).
      inScope: (url) => !links.isOffsite({ key: url.href, url: url.href, depth: 0, source: 'link' }),
    }),
  );
  if (cookies) {
    events.on('store:flushed', () => {
      cookies.save().catch((error: unknown) => events.emit('log', { level: 'warn', message: `could not save the cookies: ${(error as Error).message}` }));
    });
  }
  // Exchanges of no page (robots.txt, sitemaps) go to the archive as they come; a page's wait for its record.
  const direct = archive ? (exchange: CapturedExchange) => archive!.direct(exchange) : undefined;
  const fetch: PipelineDeps['fetch'] = direct ? (url, opts) => fetcher.fetch(url, opts?.onExchange ? opts : { ...opts, onExchange: direct }) : (url, opts) => fetcher.fetch(url, opts);
  const parsePool = options.parsePool ?? startParsePool(config);
  const robots = config.politeness.respectRobots
    ? new RobotsCache({
        fetch,
        userAgent: config.fetch.userAgent,
        maxCrawlDelayMs: config.politeness.maxCrawlDelayMs,
        robotsCacheMs: config.politeness.robotsCacheMs,
        maxBytes: config.politeness.robotsCacheMb * 1024 * 1024,
        // An unreachable robots.txt blocks its host (RFC 9309) until it is fetched again.
        unavailableRetryMs: Math.min(60_000, config.politeness.maxBackoffMs),
      })
    : undefined;
  const politeness = new PolitenessGate({ config, frontier, ...(robots ? { robots } : {}), events, now: Date.now });
  const links = new LinkGate(config, frontier, events, politeness);
  const external = config.scope.checkExternal ? new ExternalLinkChecker({ config, store, fetch, politeness, links, events, now: Date.now, ...(redact ? { redact } : {}) }) : undefined;
  const pipeline = new PagePipeline({ config, frontier, store, fetch, parsePool, politeness, links, events, hosts: new HostGiveUp(config.politeness.hostMaxFailures), now: Date.now, ...(redact ? { redact } : {}), ...(external ? { external } : {}), ...(archive ? { capture: (key: string, exchange: CapturedExchange) => archive!.hold(key, exchange) } : {}) });
  // Sitemaps are read while the seeds are fetched; once their URLs are in the journal,
  // `sitemaps.done` says so and a resume does not read them again (a shared frontier: when it
  // holds anything). A wider scope may take sitemap URLs the old one dropped: they are read again.
  const sitemapsDone = path.join(paths.dir, 'sitemaps.done');
  const rediscover = resumed && (options.frontier ? (await frontier.stats()).seen === 0 : !(await fileExists(sitemapsDone)));
  const discoverSeeds: SeedDiscovery | undefined =
    config.politeness.sitemaps && (!resumed || rediscover || widened.length > 0)
      ? {
          done: () => writeFile(sitemapsDone, ''),
          find: async (signal: AbortSignal) => {
            const origins = [...new Set(config.seeds.map((seed) => new URL(seed).origin))];
            const robotsSitemaps = robots ? (await Promise.all(origins.map((origin) => robots.sitemapsFor(origin)))).flat() : [];
            const found = await discoverSitemapUrls({
              fetch: politeness.spacedFetch(fetch, signal),
              seeds: config.seeds,
              robotsSitemaps,
              tryDefault: true,
              maxUrls: config.scope.maxPages,
            });
            for (const error of found.errors) events.emit('log', { level: 'warn', message: `sitemap ${error.sitemap}: ${error.message}` });
            return found.urls;
          },
        }
      : undefined;
  const crawler = new Crawler({
    name,
    dataDir: paths.dir,
    config,
    frontier,
    store,
    parsePool,
    links,
    pipeline,
    events,
    ...(discoverSeeds ? { discoverSeeds } : {}),
    ...(external ? { external } : {}),
  });
  // A WARC file that cannot be written (a full disk) stops the crawl; the final flush reports it (exit 1).
  if (archive) archive.onWriteFailed = (error) => crawler.stop(error.message, 0);

  let closed = false;
  return {
    name,
    dir: paths.dir,
    events,
    async run() {
      if (widened.length > 0) {
        // Before the new scope is stored as the crawl's: a run killed while checking runs the check again.
        await readmitStoredLinks(store, links, events, {
          renormalize: widened.some((change) => change.path === 'scope.stripParams' || change.path === 'scope.sortParams'),
          changed: widened.map((change) => `${change.path} ${JSON.stringify(change.before)} → ${JSON.stringify(change.after)}`).join(', '),
        });
        await frontier.flush();
      }
      if (!dir.runStarted) await meta.startRun(config, name);
      await recording.start();
      // Checks a kill cut short (or a first run without checkExternal) are made now.
      if (resumed && external) await external.offerStored();
      const summary = await crawler.run(config.seeds, { resumed });
      await recording.finish(summary, events);
      await meta.finishRun(summary);
      return summary;
    },
    stop: (reason = 'stopped', graceMs) => crawler.stop(reason, graceMs),
    progress: () => crawler.progress(),
    async close() {
      if (closed) return;
      closed = true;
      await crawler.checkpoint();
      await store.close();
      await frontier.close();
      await parsePool.close();
      fetcher.close();
      await cookies?.save();
      await recording.close();
    },
  };
}

function fileExists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
