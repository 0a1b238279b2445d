/**
 * Where URLs enter the crawl: seeds, sitemap URLs, discovered links, and the
 * hops of redirects. Normalise → scope → (hops: robots.txt of the hop's host)
 * → dedup (frontier.add, or frontier.claimRedirect for a hop); every rejection
 * is a reason (a `request:dropped` event, or a redirect verdict), never an
 * exception. The private-network guard is not a URL rule here: it judges the
 * address connected to, in the fetcher (src/fetch/address-guard.ts), which
 * every request (pages, hops, robots.txt, sitemaps) goes through; a hop whose
 * host is refused ends with reason `blocked-address`.
 *
 * Seed redirects widen the scope: a hop of a seed's redirect is followed
 * wherever it leads (the seed is where the user asked to start), and its URL
 * joins the seeds (`seedRedirects`, sent to the parser with every page), as a
 * browser would treat `example.com` → `www.example.com` or `http` → `https`.
 * The frontier keeps them (durable, shared by every node), so a resumed crawl
 * or another node widens its scope the same way (`syncSeedRedirects`).
 */
import type { CrawlConfig } from '../config/schema.js';
import type { RedirectVerdict } from '../fetch/fetch-types.js';
import type { Frontier } from '../frontier/frontier.js';
import type { PolitenessGate } from '../politeness/politeness-gate.js';
import { createUrlNormalizer } from '../url/normalize-url.js';
import { checkScope, createScopeRules, type ScopeRules } from '../url/scope.js';
import type { CrawlEventBus } from './events.js';
import type { CrawlRequest, RequestSource } from './types.js';

/**
 * What a seed's redirect hop may do that a link's may not: leave the seeds' hosts, and land on a
 * URL include/exclude would not let a link reach (the seed is where the user asked to start).
 */
const SEED_HOP_ALLOWED: ReadonlySet<string> = new Set(['offsite', 'excluded']);

export class LinkGate {
  readonly #config: CrawlConfig;
  readonly #frontier: Frontier;
  readonly #events: CrawlEventBus;
  readonly #politeness: PolitenessGate;
  readonly #normalize: ReturnType<typeof createUrlNormalizer>;
  #rules: ScopeRules;
  #seedRedirects: string[] = [];
  /**
   * Sitemap URLs off the seeds' hosts, kept until a seed redirect brings their host into scope
   * (sitemaps are read before the seeds are fetched: `example.com`'s robots.txt often lists
   * `www.example.com/sitemap.xml`). At most `scope.maxPages`.
   */
  #heldSitemapUrls: string[] = [];
  /** Links found on pages wait for this (sitemap discovery, briefly: see `holdLinksUntil`). */
  #linksReady: Promise<void> | undefined;

  constructor(config: CrawlConfig, frontier: Frontier, events: CrawlEventBus, politeness: PolitenessGate) {
    this.#config = config;
    this.#frontier = frontier;
    this.#events = events;
    this.#politeness = politeness;
    this.#normalize = createUrlNormalizer(config.scope);
    this.#rules = createScopeRules(config.seeds, config.scope);
  }

  /**
   * Where the seeds redirected to, in the order found: they count as seeds for scope. A new
   * array whenever one is added, never changed in place (the parser shares it between pages).
   */
  get seedRedirects(): readonly string[] {
    return this.#seedRedirects;
  }

  /**
   * Normalises raw URLs (seeds, sitemaps), scope-checks them, then enqueues
   * them. Seeds are not scope-checked: they define the site, and the user
   * asked for them (`include`/`exclude` and the trap limits apply to the
   * links found from them, and to sitemap URLs).
   */
  async admit(urls: string[], source: RequestSource, depth: number): Promise<number> {
    const requests: CrawlRequest[] = [];
    for (const raw of urls) {
      const normalized = this.#normalize(raw);
      if (!normalized.ok) {
        this.#events.emit('request:dropped', { url: raw, reason: normalized.reason });
        continue;
      }
      const verdict = source === 'seed' ? ({ ok: true } as const) : checkScope(normalized.url, depth, this.#rules);
      if (!verdict.ok) {
        this.#events.emit('request:dropped', { url: normalized.url, reason: verdict.reason });
        if (source === 'sitemap' && verdict.reason === 'offsite' && this.#heldSitemapUrls.length < this.#config.scope.maxPages) {
          this.#heldSitemapUrls.push(normalized.url);
        }
        continue;
      }
      requests.push({ key: normalized.url, url: normalized.url, depth, source });
    }
    return this.#add(requests);
  }

  /** Enqueues links a worker already normalised and scope-checked. */
  async enqueue(links: string[], from: CrawlRequest): Promise<number> {
    if (links.length === 0) return 0;
    if (this.#linksReady) await this.#linksReady;
    const depth = from.depth + 1;
    return this.#add(links.map((url) => ({ key: url, url, depth, referrer: from.key, source: 'link' as const })));
  }

  /**
   * Links found on pages wait until `ready` settles (the crawler: sitemap discovery, or a couple
   * of seconds), so that sitemap URLs, admitted at depth 0, come first as when they were read
   * before the crawl started.
   */
  holdLinksUntil(ready: Promise<void>): void {
    this.#linksReady = ready.then(() => {
      this.#linksReady = undefined;
    });
  }

  /**
   * Links of a stored page, checked again (the scope changed on resume):
   * normalised again when `renormalize` (the normalisation settings changed),
   * scope-checked at the page's depth + 1, then enqueued. Drops are not
   * reported: they were counted when the page was crawled. Returns how many
   * were queued.
   */
  async readmit(links: readonly string[], from: { key: string; depth: number }, renormalize: boolean): Promise<number> {
    const depth = from.depth + 1;
    const requests: CrawlRequest[] = [];
    for (const link of links) {
      const normalized = renormalize ? this.#normalize(link) : ({ ok: true, url: link } as const);
      if (!normalized.ok || !checkScope(normalized.url, depth, this.#rules).ok) continue;
      requests.push({ key: normalized.url, url: normalized.url, depth, referrer: from.key, source: 'link' });
    }
    return this.#add(requests, { quiet: true });
  }

  /**
   * The gate of one redirect hop of `from` (the fetcher already refused other schemes, loops
   * and too many hops), in order: normalise; scope at `from`'s depth (a redirect is not a link:
   * same depth), except that a seed's hop may leave the seeds' hosts and ignores include/exclude
   * (`SEED_HOP_ALLOWED`); robots.txt of the hop's
   * host (fetched first if needed); dedup: the hop's URL is claimed in the frontier, and a URL
   * already seen ends the request (`redirect-duplicate`) so that it is never fetched twice.
   * A seed's hop that passes joins the seeds (see the module doc).
   */
  async admitRedirect(url: string, from: CrawlRequest): Promise<RedirectVerdict> {
    const normalized = this.#normalize(url);
    if (!normalized.ok) return { ok: false, reason: normalized.reason === 'scheme' ? 'redirect-scheme' : 'invalid-url' };
    const key = normalized.url;
    const seed = from.source === 'seed';
    const scope = checkScope(key, from.depth, this.#rules);
    if (!scope.ok && !(seed && SEED_HOP_ALLOWED.has(scope.reason))) {
      const reason = scope.reason === 'offsite' ? 'redirect-offsite' : scope.reason;
      return { ok: false, reason, detail: `redirect to ${key} not followed: ${reason}` };
    }
    const { check } = await this.#politeness.robots(url);
    if (!check.allowed && check.reason === 'blocked-address') return { ok: false, reason: 'blocked-address', detail: `redirect to ${key} not followed: ${check.detail}` };
    if (!check.allowed) {
      const detail = `redirect to ${key} not followed: robots.txt (${check.detail})`;
      return { ok: false, reason: 'robots', detail, ...(check.retryAtMs !== undefined ? { retryAtMs: check.retryAtMs } : {}) };
    }
    if (key === from.key) return { ok: true };
    const claim = { key, url: key, depth: from.depth, referrer: from.key, source: seed ? ('seed' as const) : ('link' as const), redirectOf: from.key };
    const claimed = await this.#frontier.claimRedirect(claim);
    if (!claimed.ok) return { ok: false, reason: 'redirect-duplicate', detail: `redirect to ${key}, already crawled or queued: not fetched again` };
    if (seed) await this.#joinSeeds([key], from.key);
    return { ok: true };
  }

  /**
   * Takes the seed redirects other nodes (or an earlier run of this crawl) found from the
   * frontier. Cheap enough to call when a leased request looks off-site (`isOffsite`).
   */
  async syncSeedRedirects(): Promise<void> {
    const known = new Set(this.#seedRedirects);
    const added = (await this.#frontier.seedRedirects()).filter((url) => !known.has(url));
    if (added.length > 0) await this.#joinSeeds(added);
  }

  /** True when `request` is off-site for the scope this process knows (another node may know more). */
  isOffsite(request: CrawlRequest): boolean {
    const verdict = checkScope(request.key, 0, this.#rules);
    return !verdict.ok && verdict.reason === 'offsite';
  }

  /**
   * Adds the URLs that widen the scope (a redirect within the seeds' hosts changes nothing) to
   * the seeds, then admits the sitemap URLs held back that are in scope now.
   */
  async #joinSeeds(urls: string[], seed?: string): Promise<void> {
    const widening = urls.filter((url) => this.isOffsite({ key: url, url, depth: 0, source: 'seed' }));
    if (widening.length === 0) return;
    this.#seedRedirects = [...this.#seedRedirects, ...widening];
    this.#rules = createScopeRules([...this.#config.seeds, ...this.#seedRedirects], this.#config.scope);
    if (seed !== undefined) for (const url of widening) this.#events.emit('seed:redirected', { seed, url });
    const inScope: string[] = [];
    const stillOff: string[] = [];
    for (const url of this.#heldSitemapUrls) (this.isOffsite({ key: url, url, depth: 0, source: 'sitemap' }) ? stillOff : inScope).push(url);
    this.#heldSitemapUrls = stillOff;
    if (inScope.length > 0) await this.admit(inScope, 'sitemap', 0);
  }

  /** Adds to the frontier; `quiet`: duplicates are not reported as dropped. */
  async #add(requests: CrawlRequest[], options: { quiet?: boolean } = {}): Promise<number> {
    if (requests.length === 0) return 0;
    const results = await this.#frontier.add(requests);
    let accepted = 0;
    const queuedListeners = this.#events.listenerCount('request:queued') > 0;
    const droppedListeners = !options.quiet && this.#events.listenerCount('request:dropped') > 0;
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
