/**
 * External link checks (`scope.checkExternal`): every off-site link a page has
 * is checked once, beside the crawl, never crawled beyond (nothing is parsed,
 * no link of it is followed):
 *
 *   robots.txt of its origin (obeyed as for pages; the host's Crawl-delay learned)
 *   → its turn on its host (the same spacing and backoff schedule as pages)
 *   → HEAD through the crawl's fetcher (timeouts, private-network guard, TLS, proxies),
 *     GET when HEAD is refused (400, 403, 405, 501, or a reset), the body thrown away
 *     after at most 64 KiB; redirects followed, each hop checked against robots.txt and spaced
 *   → retries as the retry policy says (timeouts, 5xx, 429)
 *   → one record with `external: true` (not counted toward maxPages).
 *
 * At most `fetch.perHostParallelism` checks run at a time (over all hosts), so a
 * site with many outbound links is checked at a polite pace while the crawl runs.
 * A URL already stored (checked in an earlier run, or crawled) is not checked again;
 * a resumed crawl offers its stored pages' links again (`offerStored`), so checks
 * lost to a kill are made then.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import PQueue from 'p-queue';
import type { CrawlConfig } from '../config/schema.js';
import type { FetchOptions, FetchResult, RedirectVerdict } from '../fetch/fetch-types.js';
import { isRetryable, retryDecision } from '../fetch/retry-policy.js';
import { isTlsCode } from '../fetch/tls-policy.js';
import type { PolitenessGate } from '../politeness/politeness-gate.js';
import type { PageStore } from '../store/page-store.js';
import type { CrawlEventBus } from './events.js';
import type { LinkGate } from './link-gate.js';
import { failedFetchRecord, fetchedRecord, skippedRecord } from './records.js';
import type { CrawlRequest, PageRecord, ReasonCode } from './types.js';

/** HEAD answers that mean "this server does not do HEAD" more often than "this URL is broken". */
const HEAD_REFUSED = new Set([400, 403, 405, 501]);

export interface ExternalLinkDeps {
  config: CrawlConfig;
  store: PageStore;
  fetch: (url: string, opts?: FetchOptions) => Promise<FetchResult>;
  politeness: PolitenessGate;
  links: Pick<LinkGate, 'isOffsite'>;
  events: CrawlEventBus;
  now: () => number;
  /** Scrubs the crawl's secrets from a record's error message. */
  redact?: (text: string) => string;
}

export class ExternalLinkChecker {
  readonly #deps: ExternalLinkDeps;
  readonly #queue: PQueue;
  /** URLs queued or checked by this process. */
  readonly #seen = new Set<string>();
  readonly #abort = new AbortController();

  constructor(deps: ExternalLinkDeps) {
    this.#deps = deps;
    this.#queue = new PQueue({ concurrency: deps.config.fetch.perHostParallelism });
  }

  /** Queues the off-site links of `from` (a page just parsed) not checked yet. */
  offer(links: readonly string[], from: Pick<CrawlRequest, 'key' | 'depth'>, follow?: readonly string[]): void {
    if (this.#abort.signal.aborted) return;
    const followed = follow && follow.length > 0 ? new Set(follow) : undefined;
    for (const url of links) {
      if (followed?.has(url) || this.#seen.has(url) || this.#deps.store.has(url)) continue;
      if (!/^https?:/.test(url) || !this.#deps.links.isOffsite({ key: url, url, depth: 0, source: 'link' })) continue;
      this.#seen.add(url);
      const request: CrawlRequest = { key: url, url, depth: from.depth + 1, referrer: from.key, source: 'link' };
      void this.#queue.add(() => this.#check(request)).catch((error: unknown) => {
        this.#deps.events.emit('log', { level: 'error', message: `${url}: external link check failed: ${(error as Error).message}` });
      });
    }
  }

  /** Offers the links of every stored page again (a resumed crawl: checks a kill cut short). */
  async offerStored(): Promise<void> {
    for await (const record of this.#deps.store.iterate()) {
      if (record.external || !record.links) continue;
      this.offer(record.links, record);
      if (this.#queue.size > 1_000) await this.#queue.onSizeLessThan(100);
    }
  }

  /** Checks still queued or running. */
  get pending(): number {
    return this.#queue.size + this.#queue.pending;
  }

  /** Resolves when every check offered so far is done (or, after `stop`, abandoned). */
  async onIdle(): Promise<void> {
    await Promise.race([this.#queue.onIdle(), new Promise<void>((resolve) => this.#abort.signal.addEventListener('abort', () => resolve(), { once: true }))]);
  }

  /** Abandons the checks not done (a resumed crawl makes them). */
  stop(): void {
    this.#abort.abort();
    this.#queue.clear();
  }

  async #check(request: CrawlRequest): Promise<void> {
    const { politeness, now } = this.#deps;
    const signal = this.#abort.signal;
    if (signal.aborted) return;
    const startedAtMs = now();
    const { check } = await politeness.robots(request.url);
    if (!check.allowed) return this.#store(robotsRecord(request, check, now()));
    const first = await this.#fetchWithRetries(request, 'HEAD');
    if (signal.aborted) return;
    const refused = !first.ok && first.redirects.length === 0 && (HEAD_REFUSED.has(first.status ?? 0) || first.code === 'ECONNRESET');
    const result = refused ? await this.#fetchWithRetries(request, 'GET') : first;
    if (signal.aborted) return;
    const record = result.ok ? fetchedRecord(request, result, startedAtMs, now()) : failedFetchRecord(request, result, startedAtMs, now());
    if (!result.ok && result.reason === 'blocked-address' && result.redirects.length === 0) record.fetched = false;
    this.#store(record);
  }

  /** One check with `method`, tried again while the retry policy says so. */
  async #fetchWithRetries(request: CrawlRequest, method: 'HEAD' | 'GET'): Promise<FetchResult> {
    const { config, politeness, fetch } = this.#deps;
    const signal = this.#abort.signal;
    const spaced = politeness.spacedFetch(fetch, signal);
    for (let attempt = 0; ; attempt++) {
      const result = await spaced(request.url, { method, discardBody: true, signal, checkRedirect: (hop) => this.#robotsOfHop(hop) });
      if (result.ok || signal.aborted || !isRetryable(result.reason, result.status, result.code)) return result;
      const decision = retryDecision({ attempt, maxRetries: config.fetch.retries, reason: result.reason, ...(result.status !== undefined ? { status: result.status } : {}), ...(result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}), code: result.code, maxDelayMs: config.politeness.maxBackoffMs, maxRetryAfterMs: config.politeness.maxRetryAfterMs });
      if (!decision.retry) return result;
      await sleep(decision.delayMs, undefined, { signal }).catch(() => undefined);
    }
  }

  /** A redirect hop of a check: robots.txt of the hop's host must allow it. */
  async #robotsOfHop(url: string): Promise<RedirectVerdict> {
    const { check } = await this.#deps.politeness.robots(url);
    if (check.allowed) return { ok: true };
    return { ok: false, reason: check.reason === 'blocked-address' ? 'blocked-address' : 'robots', detail: `redirect to ${url} not followed: ${check.detail}` };
  }

  #store(record: PageRecord): void {
    const { store, events, redact } = this.#deps;
    record.external = true;
    if (redact && record.error) record.error = { ...record.error, message: redact(record.error.message) };
    if (store.put(record)) events.emit('external:checked', { record });
  }
}

/** The record of a link robots.txt keeps from being checked: disallowed, refused address, or robots.txt unreachable. */
function robotsRecord(request: CrawlRequest, check: { reason: 'robots' | 'blocked-address'; detail: string; httpStatus?: number | undefined; code?: string | undefined }, nowMs: number): PageRecord {
  if (check.reason === 'blocked-address') return skippedRecord(request, 'blocked-address', check.detail, nowMs);
  // robots.txt could not be fetched at all (no answer): the link's host is as dead for a visitor.
  if (check.code !== undefined && check.httpStatus === undefined) {
    const reason: ReasonCode = check.code === 'ETIMEDOUT' ? 'timeout' : isTlsCode(check.code) ? 'tls' : 'connection';
    return { ...skippedRecord(request, reason, check.detail, nowMs), outcome: 'failed', error: { code: check.code, message: check.detail } };
  }
  return skippedRecord(request, 'robots', check.detail, nowMs);
}
