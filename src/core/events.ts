/**
 * The one event catalogue. The engine emits; progress, stats, logs, the
 * summary and tests subscribe. The engine never calls a reporter directly.
 */
import { EventEmitter } from 'node:events';
import type { CrawlRequest, PageRecord, ReasonCode } from './types.js';

export interface CrawlSummary {
  name: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** Why the crawl ended. */
  endReason: 'done' | 'max-pages' | 'interrupted' | 'error';
  pages: { ok: number; failed: number; skipped: number };
  /** Pages fetched this run (what `maxPages` counts): not the URLs never requested (`fetched: false`). */
  fetched: number;
  /** Finished pages by reason (failed and skipped ones). */
  reasons: Partial<Record<ReasonCode, number>>;
  /**
   * URLs not queued and links not followed, by reason: duplicates, and the
   * discovered links scope dropped (offsite, excluded, depth, traps), nofollow…
   * One count per link of a page (a link on every page counts on every page).
   */
  dropped: Partial<Record<ReasonCode, number>>;
  /** Off-site links checked this run (`scope.checkExternal`), by outcome; absent when none. */
  external?: { ok: number; failed: number; skipped: number };
  /** Seeds that redirected off the seeds' hosts, and where to: those URLs joined the seeds for scope. */
  seedRedirects?: Array<{ seed: string; url: string }>;
  /** The seeds (and sitemap URLs: depth 0) finished this run, how many got an answer (2xx/3xx), and the first that did not. */
  seeds: { finished: number; reached: number; problems: SeedProblem[] };
  queued: number;
  bytes: number;
  pagesPerSecond: number;
  dataDir: string;
}

/** A seed that got no answer: why. */
export interface SeedProblem {
  url: string;
  outcome: 'failed' | 'skipped';
  reason: ReasonCode;
  message: string;
}

export interface CrawlEvents {
  /** The crawl started (or resumed). */
  'crawl:started': { name: string; seeds: string[]; resumed: boolean };
  /** A URL was accepted into the frontier. */
  'request:queued': { request: CrawlRequest };
  /** A seed redirected off the seeds' hosts: `url` joined the seeds for scope. */
  'seed:redirected': { seed: string; url: string };
  /** A URL was rejected (scope, dedup, robots, limits…). A value, not an error. */
  'request:dropped': { url: string; reason: ReasonCode; referrer?: string };
  /** A request is about to be fetched. */
  'request:started': { request: CrawlRequest };
  /** A request will be tried again later. */
  'request:retry': { request: CrawlRequest; reason: ReasonCode; delayMs: number };
  /** Response headers and body arrived (or the fetch failed: see `page:stored`). */
  'response:received': { request: CrawlRequest; status: number; contentType?: string; bytes: number };
  /** A worker finished parsing a page; `dropped`: its links not followed, by reason (scope, nofollow). */
  'page:parsed': { key: string; parseMs: number; links: number; dropped?: Partial<Record<ReasonCode, number>> };
  /** A record (ok, failed or skipped) was handed to the store. */
  'page:stored': { record: PageRecord };
  /** An off-site link was checked (`scope.checkExternal`) and its record handed to the store. */
  'external:checked': { record: PageRecord };
  /** A batch reached the disk. */
  'store:flushed': { pages: number; totalPages: number };
  /** A host went into backoff (429/503/errors) or was given up. */
  'host:backoff': { host: string; untilMs: number; reason: string };
  'host:gave-up': { host: string; reason: string };
  /** Something worth telling the user once (robots crawl-delay clamped…). */
  'log': { level: 'debug' | 'info' | 'warn' | 'error'; message: string };
  /** The user asked to stop (SIGINT/SIGTERM/SIGHUP). */
  'crawl:stopping': { reason: string };
  'crawl:finished': { summary: CrawlSummary };
}

export type CrawlEventName = keyof CrawlEvents;

/** A typed wrapper around EventEmitter. */
export class CrawlEventBus {
  readonly #emitter = new EventEmitter();
  #redact: ((text: string) => string) | undefined;
  constructor() {
    this.#emitter.setMaxListeners(50);
  }
  /** Scrubs every `log` message with `redact` before listeners see it (the crawl's secrets: fetch/redact-secrets.ts). */
  redactLogsWith(redact: (text: string) => string): void {
    this.#redact = redact;
  }
  on<E extends CrawlEventName>(event: E, listener: (payload: CrawlEvents[E]) => void): () => void {
    this.#emitter.on(event, listener);
    return () => this.#emitter.off(event, listener);
  }
  once<E extends CrawlEventName>(event: E, listener: (payload: CrawlEvents[E]) => void): void {
    this.#emitter.once(event, listener);
  }
  emit<E extends CrawlEventName>(event: E, payload: CrawlEvents[E]): void {
    if (event === 'log' && this.#redact) {
      const log = payload as CrawlEvents['log'];
      this.#emitter.emit(event, { ...log, message: this.#redact(log.message) });
      return;
    }
    this.#emitter.emit(event, payload);
  }
  listenerCount(event: CrawlEventName): number {
    return this.#emitter.listenerCount(event);
  }
}
