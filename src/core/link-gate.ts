/**
 * Where URLs enter the frontier: seeds, sitemap URLs and discovered links.
 * Normalise → scope → dedup (frontier.add); every rejection is a
 * `request:dropped` event with its reason, never an exception.
 */
import type { CrawlConfig } from '../config/schema.js';
import type { RedirectVerdict } from '../fetch/fetch-types.js';
import type { Frontier } from '../frontier/frontier.js';
import { createUrlNormalizer } from '../url/normalize-url.js';
import { checkScope, createScopeRules } from '../url/scope.js';
import type { CrawlEventBus } from './events.js';
import type { CrawlRequest, RequestSource } from './types.js';

export class LinkGate {
  readonly #frontier: Frontier;
  readonly #events: CrawlEventBus;
  readonly #normalize: ReturnType<typeof createUrlNormalizer>;
  readonly #rules: ReturnType<typeof createScopeRules>;

  constructor(config: CrawlConfig, frontier: Frontier, events: CrawlEventBus) {
    this.#frontier = frontier;
    this.#events = events;
    this.#normalize = createUrlNormalizer(config.scope);
    this.#rules = createScopeRules(config.seeds, config.scope);
  }

  /** Normalises and scope-checks raw URLs (seeds, sitemaps), then enqueues them. */
  async admit(urls: string[], source: RequestSource, depth: number): Promise<number> {
    const requests: CrawlRequest[] = [];
    for (const raw of urls) {
      const normalized = this.#normalize(raw);
      if (!normalized.ok) {
        this.#events.emit('request:dropped', { url: raw, reason: normalized.reason });
        continue;
      }
      const verdict = checkScope(normalized.url, depth, this.#rules);
      if (!verdict.ok) {
        this.#events.emit('request:dropped', { url: normalized.url, reason: verdict.reason });
        continue;
      }
      requests.push({ key: normalized.url, url: normalized.url, depth, source });
    }
    return this.#add(requests);
  }

  /** Enqueues links a worker already normalised and scope-checked. */
  async enqueue(links: string[], from: CrawlRequest): Promise<number> {
    if (links.length === 0) return 0;
    const depth = from.depth + 1;
    return this.#add(links.map((url) => ({ key: url, url, depth, referrer: from.key, source: 'link' as const })));
  }

  /** Scope check for a redirect hop (the fetcher already refused other schemes). */
  checkRedirect(url: string, depth: number): RedirectVerdict {
    const normalized = this.#normalize(url);
    if (!normalized.ok) return { ok: false, reason: normalized.reason === 'scheme' ? 'redirect-scheme' : 'invalid-url' };
    const verdict = checkScope(normalized.url, depth, this.#rules);
    if (verdict.ok || verdict.reason === 'depth') return { ok: true };
    return { ok: false, reason: verdict.reason === 'offsite' ? 'redirect-offsite' : verdict.reason };
  }

  async #add(requests: CrawlRequest[]): Promise<number> {
    if (requests.length === 0) return 0;
    const results = await this.#frontier.add(requests);
    let accepted = 0;
    const queuedListeners = this.#events.listenerCount('request:queued') > 0;
    const droppedListeners = this.#events.listenerCount('request:dropped') > 0;
    results.forEach((result, i) => {
      const request = requests[i]!;
      if (result.ok) {
        accepted++;
        if (queuedListeners) this.#events.emit('request:queued', { request });
      } else if (droppedListeners) {
        this.#events.emit('request:dropped', { url: request.url, reason: result.reason, ...(request.referrer ? { referrer: request.referrer } : {}) });
      }
    });
    return accepted;
  }
}
