/**
 * The politeness gate of every request, leased or not. The frontier holds the
 * schedule (one `HostSlot` per host, in memory or in Redis) and hands out leases
 * only for hosts that may go; this gate tells it what it learns and books the
 * requests no lease stands for:
 *
 * - robots.txt verdicts (fetched once per origin, cached), and a host's
 *   `Crawl-delay` handed to the frontier the first time it is known;
 * - a leased request is booked again at the moment it is sent (`sending`), so
 *   its host's spacing counts from when requests leave, not from their leases
 *   (a robots.txt fetch or a busy event loop between the two would shorten it);
 * - a redirect hop or a sitemap waits for its turn on its host (`turn`):
 *   spacing and backoff apply to every request, not only to leased pages.
 *   robots.txt itself goes first, unspaced (it is what tells the delay).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { CrawlConfig } from '../config/schema.js';
import type { CrawlEventBus } from '../core/events.js';
import type { FetchOptions, FetchResult } from '../fetch/fetch-types.js';
import type { Frontier } from '../frontier/frontier.js';
import { DEFAULT_MAX_HOSTS } from './host-give-up.js';
import { HostLru } from './host-lru.js';
import { spacedDelayMs } from './host-slot.js';
import type { RobotsCache, RobotsCheck } from './robots-cache.js';

export interface PolitenessGateDeps {
  config: CrawlConfig;
  frontier: Frontier;
  /** Absent when robots.txt is ignored. */
  robots?: RobotsCache;
  events: CrawlEventBus;
  now: () => number;
}

/** The fetcher's `fetch`. */
export type GateFetch = (url: string, opts?: FetchOptions) => Promise<FetchResult>;

/** A turn on a host: taken (the wait is over), or further away than the caller would wait. */
export type Turn = { ok: true } | { ok: false; startAtMs: number };

const ALLOWED: RobotsCheck = { allowed: true };

export class PolitenessGate {
  readonly #deps: PolitenessGateDeps;
  /**
   * Hosts whose robots Crawl-delay raised their delay above the configured one: host → delay (ms),
   * for the most recently met hosts (host-lru.ts). A host forgotten here keeps its delay in the
   * frontier; its next robots check hands the delay over again, and until then its requests are
   * spaced from their leases (the frontier's one-at-a-time rule still holds them the delay apart).
   */
  readonly #learned = new HostLru<number>(DEFAULT_MAX_HOSTS);

  constructor(deps: PolitenessGateDeps) {
    this.#deps = deps;
  }

  /**
   * The robots.txt verdict for `url` (its origin's robots.txt fetched first if needed). The
   * first time its host's Crawl-delay is known, it becomes the host's delay in the frontier.
   * `raced`: another call set that delay while this one waited for robots.txt, so a request
   * leased before it must go back to the frontier to be spaced.
   */
  async robots(url: string): Promise<{ check: RobotsCheck; raced: boolean }> {
    const { robots, config, frontier, events } = this.#deps;
    if (!robots) return { check: ALLOWED, raced: false };
    const host = new URL(url).host;
    const known = this.#learned.has(host);
    const check = await robots.check(url);
    if (!check.allowed) return { check, raced: false };
    if (check.clamped) {
      events.emit('log', { level: 'warn', message: `${host}: robots.txt Crawl-delay of ${check.requestedCrawlDelayMs} ms clamped to ${config.politeness.maxCrawlDelayMs} ms` });
    }
    const delayMs = Math.max(config.politeness.delayMs, check.crawlDelayMs ?? 0);
    if (known || delayMs <= config.politeness.delayMs) return { check, raced: false };
    if (this.#learned.has(host)) return { check, raced: true };
    this.#learned.set(host, delayMs);
    await frontier.setHostPolicy(host, { delayMs: spacedDelayMs(delayMs) });
    return { check, raced: false };
  }

  /** The delay between two requests to `host` (ms): the configured one, or its Crawl-delay. */
  delayFor(host: string): number {
    return this.#learned.get(host) ?? this.#deps.config.politeness.delayMs;
  }

  /** A leased request to `host` leaves now: on a spaced host, the next start counts from now. */
  async sending(host: string): Promise<void> {
    if (this.delayFor(host) > 0) await this.#deps.frontier.bookHost(host, this.#deps.now(), true);
  }

  /**
   * Waits for the turn of a request no lease stands for (a redirect hop, a sitemap) to `url`'s
   * host: its place in the host's schedule, after the spacing and any backoff. A turn more than
   * `maxWaitMs` away is not waited for (the caller sends its request back to the frontier).
   * Learn the host's Crawl-delay first (`robots`). Resolves early when `signal` aborts.
   */
  async turn(url: string, opts: { signal?: AbortSignal; maxWaitMs?: number } = {}): Promise<Turn> {
    const { frontier, now } = this.#deps;
    const host = new URL(url).host;
    const startAtMs = await frontier.bookHost(host, now());
    const waitMs = startAtMs - now();
    if (waitMs > (opts.maxWaitMs ?? Infinity)) return { ok: false, startAtMs };
    if (waitMs > 0) await sleep(waitMs, undefined, opts.signal ? { signal: opts.signal } : {}).catch(() => undefined);
    // A timer fires late on a busy event loop: the spacing counts from the actual send.
    await this.sending(host);
    return { ok: true };
  }

  /**
   * `fetch` for requests no lease stands for (sitemaps): each request, redirect hops included,
   * learns its host's Crawl-delay from robots.txt, then waits for its turn (`turn`), so
   * sitemaps are spaced like pages. robots.txt rules themselves do not apply to sitemap URLs.
   */
  spacedFetch(fetch: GateFetch, signal: AbortSignal): GateFetch {
    const wait = async (url: string): Promise<void> => {
      await this.robots(url);
      await this.turn(url, { signal });
    };
    return async (url, opts = {}) => {
      await wait(url);
      const checkRedirect = opts.checkRedirect;
      return fetch(url, {
        ...opts,
        signal,
        checkRedirect: async (hop) => {
          const verdict = (await checkRedirect?.(hop)) ?? { ok: true };
          if (verdict.ok) await wait(hop);
          return verdict;
        },
      });
    };
  }
}
