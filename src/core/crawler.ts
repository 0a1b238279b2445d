/**
 * The crawl loop. It follows the data flow in order:
 *   1. seeds (CLI/config + sitemaps) → LinkGate → frontier (on a resume that
 *      widened the scope, create-crawler.ts first queues the stored pages'
 *      links the new scope allows: readmit-links.ts)
 *   2. frontier.lease(): only hosts allowed to go now (per-host parallelism,
 *      delay, backoff) and never past maxPages
 *   3–6. PagePipeline per request on the fetch queue (p-queue, global
 *      concurrency): politeness gate → fetch → parse pool → record
 *   7. discovered links → LinkGate → frontier (dedup against all ever seen)
 *   8. events at every step; checkpoints flush the frontier, then the store.
 * The loop only dispatches: no parsing and no synchronous I/O happen here.
 */
import { setMaxListeners } from 'node:events';
import PQueue from 'p-queue';
import type { CrawlConfig } from '../config/schema.js';
import type { Frontier } from '../frontier/frontier.js';
import type { Lease } from './types.js';
import type { ParsePool } from '../parse/parse-types.js';
import type { PageStore } from '../store/page-store.js';
import { CrawlStats } from './crawl-stats.js';
import { ConfigError } from './errors.js';
import type { CrawlEventBus, CrawlSummary } from './events.js';
import type { LinkGate } from './link-gate.js';
import type { ExternalLinkChecker } from './external-links.js';
import type { PagePipeline } from './page-pipeline.js';

/** How long pages in flight may take to finish after the frontier failed. */
const FAILURE_GRACE_MS = 2_000;

export interface CrawlerDeps {
  name: string;
  dataDir: string;
  config: CrawlConfig;
  frontier: Frontier;
  store: PageStore;
  parsePool: ParsePool;
  links: LinkGate;
  pipeline: PagePipeline;
  events: CrawlEventBus;
  /**
   * Extra seed URLs (sitemaps, fetched at their hosts' pace), found while the seeds are fetched
   * and admitted at depth 0; `done` runs once they are durable in the frontier (a resume then
   * skips discovery). `signal` aborts when the crawl is stopped.
   */
  discoverSeeds?: SeedDiscovery;
  /** Off-site link checks (`scope.checkExternal`): the crawl ends when they are done too. */
  external?: Pick<ExternalLinkChecker, 'onIdle' | 'stop'>;
  now?: () => number;
}

export interface SeedDiscovery {
  find(signal: AbortSignal): Promise<string[]>;
  done(): Promise<void>;
}

/**
 * Links found on pages wait at most this long for sitemap discovery, so that
 * sitemap URLs are admitted first (at depth 0) when discovery is quick,
 * without a slow sitemap holding the crawl back for long.
 */
export const SITEMAP_WAIT_MS = 2_000;

/** What the progress display shows. */
export interface CrawlProgress {
  done: number;
  ok: number;
  failed: number;
  skipped: number;
  queued: number;
  inFlight: number;
  parserBusy: number;
  parserQueued: number;
  pagesPerSecond: number;
}

export class Crawler {
  readonly #deps: CrawlerDeps;
  readonly #queue: PQueue;
  readonly #abort = new AbortController();
  /** Stops sitemap discovery at once on stop() (page fetches get a grace period, it does not). */
  readonly #discovery = new AbortController();
  readonly stats: CrawlStats;
  #stopping = false;
  /** Sitemap discovery is running: the crawl is not done even with nothing queued. */
  #discovering = false;
  #fatal: ConfigError | undefined;
  #wake: (() => void) | undefined;
  #checkpointing: Promise<void> = Promise.resolve();
  #queuedCheckpoint: Promise<void> | undefined;
  /** Requests in flight longer than `fetch.slowRequestMs`: they no longer count against `fetch.concurrency`. */
  #slow = 0;

  constructor(deps: CrawlerDeps) {
    this.#deps = deps;
    // Slow requests make room for as many again, never more (the loop counts them).
    this.#queue = new PQueue({ concurrency: 2 * deps.config.fetch.concurrency });
    // Every in-flight fetch listens on the one stop signal.
    setMaxListeners(0, this.#abort.signal);
    this.stats = new CrawlStats(deps.events, this.#now());
  }

  /** Runs the crawl to its end (done, maxPages, or stop()). */
  async run(seeds: string[], options: { resumed?: boolean } = {}): Promise<CrawlSummary> {
    const { events, config, links } = this.#deps;
    events.emit('crawl:started', { name: this.#deps.name, seeds, resumed: options.resumed ?? false });
    await links.syncSeedRedirects(); // where the seeds redirected in an earlier run: they widen the scope
    await links.admit(seeds, 'seed', 0);
    // Sitemaps are read while the seeds are fetched: a host without one does not delay the crawl.
    const discovery = this.#deps.discoverSeeds && !this.#stopping ? this.#discoverSeeds(this.#deps.discoverSeeds) : undefined;
    const flushTimer = setInterval(() => this.#backgroundCheckpoint(), config.store.flushIntervalMs);
    flushTimer.unref();
    const onStored = (): void => {
      if (this.#deps.store.pending >= config.store.batchSize) this.#backgroundCheckpoint();
    };
    const offStored = events.on('page:stored', onStored);
    const offChecked = events.on('external:checked', onStored);
    // A response frees its host in the frontier before its page is parsed: its next request may go.
    const offResponse = events.on('response:received', () => this.#wake?.());
    let failure: unknown;
    try {
      await this.#loop();
    } catch (error) {
      // The frontier failed (e.g. a shared frontier out of reach): keep what is in flight,
      // briefly, so that pages already fetched are stored and flushed before the error ends the run.
      failure = error;
      this.stop('the frontier failed; the error follows', FAILURE_GRACE_MS);
    } finally {
      offResponse();
    }
    await discovery;
    await this.#drain();
    await this.#deps.external?.onIdle();
    clearInterval(flushTimer);
    offStored();
    offChecked();
    await this.checkpoint();
    if (failure) throw failure;
    if (this.#fatal) throw this.#fatal;
    const frontierStats = await this.#deps.frontier.stats();
    const endReason: CrawlSummary['endReason'] = this.#stopping
      ? 'interrupted'
      : frontierStats.queued > 0
        ? 'max-pages'
        : 'done';
    const summary = this.stats.summary({ name: this.#deps.name, dataDir: this.#deps.dataDir, endReason, queued: frontierStats.queued, nowMs: this.#now() });
    events.emit('crawl:finished', { summary });
    this.stats.close();
    return summary;
  }

  /**
   * Finds the sitemap URLs and admits them; until then (at most SITEMAP_WAIT_MS) links found on
   * pages wait, and the crawl is not done. A failure is logged: the crawl goes on without them.
   */
  async #discoverSeeds(discovery: SeedDiscovery): Promise<void> {
    const { links, events } = this.#deps;
    this.#discovering = true;
    const work = (async () => {
      const found = await discovery.find(this.#discovery.signal);
      if (this.#stopping) return;
      await links.admit(found, 'sitemap', 0);
      await this.checkpoint();
      await discovery.done();
    })();
    let timer: NodeJS.Timeout | undefined;
    links.holdLinksUntil(Promise.race([work.catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, SITEMAP_WAIT_MS)))]));
    try {
      await work;
    } catch (error) {
      if (!this.#stopping) events.emit('log', { level: 'warn', message: `sitemap discovery failed: ${(error as Error).message}` });
    } finally {
      clearTimeout(timer);
      this.#discovering = false;
      this.#wake?.();
    }
  }

  /** Stops admitting requests; in-flight ones get `graceMs` to finish, then are abandoned. */
  stop(reason: string, graceMs = 10_000): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#discovery.abort();
    this.#deps.external?.stop();
    this.#deps.events.emit('crawl:stopping', { reason });
    this.#wake?.();
    setTimeout(() => this.#abort.abort(), graceMs).unref();
  }

  /**
   * Makes everything done so far durable: frontier first, then the store.
   * The store is opened with the frontier's flush as its barrier
   * (create-crawler.ts), so a store flush makes the frontier durable first
   * and its batch holds only pages whose links are already on disk.
   * Calls made while one checkpoint runs share the one queued behind it, so
   * batches stay full-sized however many pages arrive meanwhile.
   */
  checkpoint(): Promise<void> {
    if (this.#queuedCheckpoint) return this.#queuedCheckpoint;
    const next = this.#checkpointing.then(async () => {
      this.#queuedCheckpoint = undefined;
      const { frontier, store, events } = this.#deps;
      const pages = store.pending;
      if (pages === 0) return frontier.flush();
      await store.flush();
      events.emit('store:flushed', { pages, totalPages: store.size });
      this.#wake?.(); // the loop may be waiting for unflushed pages to drain
    });
    this.#queuedCheckpoint = next;
    this.#checkpointing = next.catch(() => undefined);
    return next;
  }

  /** A checkpoint started in the background: a failure is logged, and the final checkpoint reports it. */
  #backgroundCheckpoint(): void {
    this.checkpoint().catch((error: unknown) => this.#deps.events.emit('log', { level: 'error', message: `checkpoint failed: ${(error as Error).message}` }));
  }

  async progress(): Promise<CrawlProgress> {
    const { queued } = await this.#deps.frontier.stats();
    const live = this.stats.live;
    const pool = this.#deps.parsePool.stats();
    const elapsedMs = Math.max(1, this.#now() - this.stats.startedAtMs);
    return {
      done: this.stats.done,
      ok: live.ok,
      failed: live.failed,
      skipped: live.skipped,
      queued,
      inFlight: this.#queue.pending + this.#queue.size,
      parserBusy: pool.busy,
      parserQueued: pool.queued,
      pagesPerSecond: Math.round((live.fetched / elapsedMs) * 10_000) / 10,
    };
  }

  /** A page's path threw (not a page-level problem): log it; a config error stops the crawl. */
  #failed(url: string, error: unknown): void {
    this.#deps.events.emit('log', { level: 'error', message: `${url}: ${error instanceof ConfigError ? error.message : ((error as Error).stack ?? String(error))}` });
    if (error instanceof ConfigError && !this.#fatal) {
      this.#fatal = error;
      this.stop('configuration error', 0);
    }
  }

  async #loop(): Promise<void> {
    const { frontier, parsePool, config } = this.#deps;
    const concurrency = config.fetch.concurrency;
    while (!this.#stopping) {
      const inFlight = this.#queue.pending + this.#queue.size;
      const free = Math.min(concurrency - (inFlight - this.#slow), 2 * concurrency - inFlight);
      // Backpressure: the parser's backlog and the unflushed pages both bound memory.
      const parserRoom = parsePool.backlog < config.parser.maxQueue && this.#deps.store.pending < 2 * config.store.batchSize;
      if (free > 0 && parserRoom) {
        const leases = await frontier.lease(free, this.#now());
        for (const lease of leases) this.#dispatch(lease);
        if (leases.length > 0) continue;
        if (inFlight === 0 && !this.#discovering && (await frontier.isDone())) return;
      }
      await this.#sleep(free > 0 && parserRoom ? await frontier.nextReadyAt(this.#now()) : undefined);
    }
  }

  /**
   * Runs a leased request on the fetch queue. Past `fetch.slowRequestMs` it stops counting against
   * `fetch.concurrency` (waiting on a slow or hanging host, or on its robots.txt), so that a few
   * hundred such hosts cannot hold every slot while thousands of others wait.
   */
  #dispatch(lease: Lease): void {
    const slowMs = this.#deps.config.fetch.slowRequestMs;
    let slow = false;
    const timer =
      slowMs > 0
        ? setTimeout(() => {
            slow = true;
            this.#slow++;
            this.#wake?.();
          }, slowMs)
        : undefined;
    void this.#queue
      .add(() => this.#deps.pipeline.run(lease, this.#abort.signal))
      .catch((error: unknown) => this.#failed(lease.request.url, error))
      .finally(() => {
        clearTimeout(timer);
        if (slow) this.#slow--;
        this.#wake?.();
      });
  }

  /** Sleeps until a request finishes, the next host becomes ready, or stop(). */
  #sleep(readyAtMs: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const delayMs = readyAtMs === undefined ? 1_000 : Math.max(0, Math.min(1_000, readyAtMs - this.#now()));
      const timer = setTimeout(done, delayMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }

  async #drain(): Promise<void> {
    await Promise.race([
      this.#queue.onIdle(),
      new Promise<void>((resolve) => this.#abort.signal.addEventListener('abort', () => resolve(), { once: true })),
    ]);
    this.#queue.clear();
  }

  #now(): number {
    return (this.#deps.now ?? Date.now)();
  }
}
