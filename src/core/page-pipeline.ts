/**
 * One request's path, top to bottom: politeness gate (robots) → fetch (main
 * process, I/O) → parse (worker pool, CPU) → record → discovered links back to
 * the frontier. Every outcome ends in exactly one of: a stored record, a
 * retry, or (when stopping) an abandoned lease that the frontier hands out
 * again on resume.
 */
import type { CrawlConfig } from '../config/schema.js';
import type { FetchOptions, FetchResult, FetchSuccess } from '../fetch/fetch-types.js';
import { retryDecision } from '../fetch/retry-policy.js';
import type { Frontier } from '../frontier/frontier.js';
import type { ParsePool } from '../parse/parse-types.js';
import type { RobotsCache } from '../politeness/robots-cache.js';
import type { PageStore } from '../store/page-store.js';
import { CrawlError } from './errors.js';
import type { CrawlEventBus } from './events.js';
import { failedFetchRecord, fetchedRecord, skippedRecord } from './records.js';
import type { CrawlRequest, Lease, PageRecord, ParsedPage, ReasonCode } from './types.js';
import type { LinkGate } from './link-gate.js';

export interface PipelineDeps {
  config: CrawlConfig;
  frontier: Frontier;
  store: PageStore;
  fetch: (url: string, opts?: FetchOptions) => Promise<FetchResult>;
  parsePool: ParsePool;
  /** Absent when robots.txt is ignored. */
  robots?: RobotsCache;
  links: LinkGate;
  events: CrawlEventBus;
  now: () => number;
}

export class PagePipeline {
  readonly #deps: PipelineDeps;
  /** Consecutive failures per host, for giving a host up. */
  readonly #hostFailures = new Map<string, number>();
  /** Hosts whose crawl delay was already set from robots.txt. */
  readonly #hostPolicySet = new Set<string>();

  constructor(deps: PipelineDeps) {
    this.#deps = deps;
  }

  /** Runs one leased request to its end. Never throws for page-level problems. */
  async run(lease: Lease, signal: AbortSignal): Promise<void> {
    const { request } = lease;
    const startedAtMs = this.#deps.now();
    if (!(await this.#gate(lease, startedAtMs))) return;
    this.#deps.events.emit('request:started', { request });
    const result = await this.#deps.fetch(request.url, {
      signal,
      checkRedirect: (url) => this.#deps.links.checkRedirect(url, request.depth),
    });
    if (signal.aborted) return; // stopping: the lease is abandoned and comes back on resume
    if (!result.ok) return this.#fetchFailed(lease, result, startedAtMs);
    this.#hostFailures.delete(lease.host);
    this.#deps.events.emit('response:received', {
      request,
      status: result.status,
      ...(result.contentType ? { contentType: result.contentType } : {}),
      bytes: result.bytes,
    });
    if (result.body.length === 0 && !this.#isParseable(result.contentType)) {
      const record = fetchedRecord(request, result, startedAtMs, this.#deps.now(), undefined, {
        outcome: 'skipped',
        reason: 'content-type',
        code: 'content-type',
        message: `not parsed: ${result.contentType ?? 'no content type'}`,
      });
      return this.#finish(lease, record);
    }
    await this.#parseAndStore(lease, result, startedAtMs, signal);
  }

  /** Records skipped pages for every queued request of a host given up. */
  async giveUpHost(host: string, reason: string): Promise<void> {
    const drained = await this.#deps.frontier.drainHost(host);
    this.#deps.events.emit('host:gave-up', { host, reason });
    for (const request of drained) {
      const record = skippedRecord(request, 'host-gave-up', `host ${host} given up: ${reason}`, this.#deps.now());
      if (this.#deps.store.put(record)) this.#deps.events.emit('page:stored', { record });
    }
  }

  async #gate(lease: Lease, nowMs: number): Promise<boolean> {
    const { robots, frontier, config, events } = this.#deps;
    if (!robots) return true;
    const verdict = await robots.check(lease.request.url);
    if (verdict.allowed) {
      if (verdict.crawlDelayMs !== undefined && !this.#hostPolicySet.has(lease.host)) {
        this.#hostPolicySet.add(lease.host);
        const delayMs = Math.max(config.politeness.delayMs, verdict.crawlDelayMs);
        await frontier.setHostPolicy(lease.host, { delayMs });
        if (verdict.clamped) {
          events.emit('log', { level: 'warn', message: `${lease.host}: robots.txt Crawl-delay clamped to ${config.politeness.maxCrawlDelayMs} ms` });
        }
      }
      return true;
    }
    if (verdict.retryAtMs !== undefined && (lease.request.attempt ?? 0) < config.fetch.retries) {
      await frontier.retry(lease, verdict.retryAtMs);
      events.emit('request:retry', { request: lease.request, reason: 'robots', delayMs: verdict.retryAtMs - nowMs });
      return false;
    }
    if (verdict.retryAtMs !== undefined && verdict.httpStatus === undefined) {
      // The host itself could not be reached: a failed page, like any unreachable URL.
      await this.#finish(lease, { ...skippedRecord(lease.request, 'connection', verdict.detail, nowMs), outcome: 'failed' });
      return false;
    }
    await this.#finish(lease, skippedRecord(lease.request, 'robots', verdict.detail, nowMs));
    return false;
  }

  async #fetchFailed(lease: Lease, failure: Extract<FetchResult, { ok: false }>, startedAtMs: number): Promise<void> {
    const { config, frontier, events } = this.#deps;
    const nowMs = this.#deps.now();
    const decision = retryDecision({
      attempt: lease.request.attempt ?? 0,
      maxRetries: config.fetch.retries,
      reason: failure.reason,
      ...(failure.status !== undefined ? { status: failure.status } : {}),
      ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
      maxDelayMs: config.politeness.maxBackoffMs,
      random: Math.random(),
    });
    if (decision.backoffHost) {
      await frontier.backoffHost(lease.host, nowMs + decision.delayMs);
      events.emit('host:backoff', { host: lease.host, untilMs: nowMs + decision.delayMs, reason: `${failure.status ?? failure.reason}` });
    }
    if (decision.retry) {
      await frontier.retry(lease, nowMs + decision.delayMs);
      events.emit('request:retry', { request: lease.request, reason: failure.reason, delayMs: decision.delayMs });
      return;
    }
    await this.#finish(lease, failedFetchRecord(lease.request, failure, startedAtMs, nowMs));
    if (failure.reason === 'timeout' || failure.reason === 'connection' || (failure.status ?? 0) >= 500) {
      const failures = (this.#hostFailures.get(lease.host) ?? 0) + 1;
      this.#hostFailures.set(lease.host, failures);
      if (failures === config.politeness.hostMaxFailures) {
        await this.giveUpHost(lease.host, `${failures} consecutive failures (last: ${failure.code})`);
      }
    }
  }

  async #parseAndStore(lease: Lease, response: FetchSuccess, startedAtMs: number, signal: AbortSignal): Promise<void> {
    const { parsePool, events, config } = this.#deps;
    const { request } = lease;
    let parsed: ParsedPage;
    try {
      const xRobotsTag = headerValue(response.headers['x-robots-tag']);
      parsed = await parsePool.parse({
        url: response.finalUrl,
        depth: request.depth,
        status: response.status,
        ...(response.contentType ? { contentType: response.contentType } : {}),
        ...(xRobotsTag ? { xRobotsTag } : {}),
        body: response.body,
      });
    } catch (error) {
      if (signal.aborted) return;
      const reason = parseFailureReason(error);
      const code = error instanceof CrawlError ? error.code : 'ERR_PARSE';
      const record = fetchedRecord(request, response, startedAtMs, this.#deps.now(), undefined, {
        outcome: 'failed',
        reason,
        code,
        message: (error as Error).message,
      });
      return this.#finish(lease, record);
    }
    events.emit('page:parsed', { key: request.key, parseMs: parsed.parseMs, links: parsed.links.length });
    const failure = pageFailure(parsed);
    const record = fetchedRecord(request, response, startedAtMs, this.#deps.now(), parsed, failure);
    if (!config.extract.links) delete record.links;
    // Discovered links are added before the page is stored (crash safety: the
    // frontier journal is flushed before the store).
    if (!parsed.nofollow) await this.#deps.links.enqueue(parsed.follow, request);
    await this.#finish(lease, record);
  }

  async #finish(lease: Lease, record: PageRecord): Promise<void> {
    if (this.#deps.store.put(record)) this.#deps.events.emit('page:stored', { record });
    await this.#deps.frontier.complete(lease, record.outcome);
  }

  #isParseable(contentType: string | undefined): boolean {
    const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
    return this.#deps.config.fetch.parseContentTypes.includes(type);
  }
}

function pageFailure(parsed: ParsedPage): { outcome: 'failed' | 'skipped'; reason: ReasonCode; code: string; message: string } | undefined {
  if (parsed.failedReason) {
    return { outcome: 'failed', reason: parsed.failedReason, code: parsed.failedReason, message: parsed.failedMessage ?? parsed.failedReason };
  }
  if (parsed.noindex) return { outcome: 'skipped', reason: 'noindex', code: 'noindex', message: 'page asks not to be indexed' };
  return undefined;
}

function parseFailureReason(error: unknown): ReasonCode {
  const code = error instanceof CrawlError ? error.code : '';
  if (code === 'ERR_WORKER_CRASHED') return 'worker-crashed';
  if (code === 'ERR_PARSE_TIMEOUT') return 'parse-timeout';
  return 'parse-failed';
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

export type { CrawlRequest };
