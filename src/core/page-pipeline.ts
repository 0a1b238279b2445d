/**
 * One request's path, top to bottom: politeness gate (host given up? robots
 * verdict; a host's Crawl-delay is handed to the frontier on first contact, and
 * requests leased before it was known go back to be spaced; the host's spacing
 * counts from the send) → fetch (main process, I/O; every redirect hop passes
 * the link gate, robots.txt and dedup included, then waits for its turn on its
 * host) → parse (worker pool, CPU) → record → discovered links back to the
 * frontier. Every outcome ends in exactly one of: a stored record, a
 * retry, or (when stopping) an abandoned lease that the frontier hands out
 * again on resume.
 */
import type { CrawlConfig } from '../config/schema.js';
import type { CapturedExchange, FetchFailure, FetchOptions, FetchResult, FetchSuccess, RedirectVerdict } from '../fetch/fetch-types.js';
import { describeUnreachable, retryDecision } from '../fetch/retry-policy.js';
import { isTlsCode } from '../fetch/tls-policy.js';
import type { Frontier } from '../frontier/frontier.js';
import type { ParsePool } from '../parse/parse-types.js';
import type { HostGiveUp } from '../politeness/host-give-up.js';
import type { PolitenessGate } from '../politeness/politeness-gate.js';
import type { RobotsCheck } from '../politeness/robots-cache.js';
import type { PageStore } from '../store/page-store.js';
import { ConfigError, CrawlError, StoreError } from './errors.js';
import { parseFailureReason } from '../parse/parse-failure-reason.js';
import type { CrawlEventBus } from './events.js';
import { failedFetchRecord, fetchedRecord, skippedRecord, wasFetched } from './records.js';
import type { CrawlRequest, Lease, PageRecord, ParsedPage, ReasonCode } from './types.js';
import type { LinkGate } from './link-gate.js';
import type { ExternalLinkChecker } from './external-links.js';

export interface PipelineDeps {
  config: CrawlConfig;
  frontier: Frontier;
  store: PageStore;
  fetch: (url: string, opts?: FetchOptions) => Promise<FetchResult>;
  parsePool: ParsePool;
  /** robots.txt (when obeyed), Crawl-delays, and spacing for every request. */
  politeness: PolitenessGate;
  links: LinkGate;
  events: CrawlEventBus;
  /** Failures in a row per host, and the hosts given up. */
  hosts: HostGiveUp;
  now: () => number;
  /** Scrubs the crawl's secrets from a record's error message (fetch/redact-secrets.ts). */
  redact?: (text: string) => string;
  /** Checks the off-site links of each page (`scope.checkExternal`). */
  external?: Pick<ExternalLinkChecker, 'offer'>;
  /** Sees every exchange of a request's fetch as transferred, with the request's key (the WARC archive). */
  capture?: (key: string, exchange: CapturedExchange) => void;
}

export class PagePipeline {
  readonly #deps: PipelineDeps;
  /** Requests put back once for politeness (a Crawl-delay learned meanwhile, a redirect hop's host held back): not a failed attempt. */
  readonly #requeued = new Set<string>();

  constructor(deps: PipelineDeps) {
    this.#deps = deps;
  }

  /** Runs one leased request to its end. Never throws for page-level problems. */
  async run(lease: Lease, signal: AbortSignal): Promise<void> {
    const { request } = lease;
    const startedAtMs = this.#deps.now();
    const gaveUp = this.#deps.hosts.reason(lease.host);
    if (gaveUp !== undefined) return this.#finish(lease, gaveUpRecord(request, lease.host, gaveUp, startedAtMs));
    // Another node may have widened the scope (a seed redirect) before this process heard of it.
    if (this.#deps.links.isOffsite(request)) await this.#deps.links.syncSeedRedirects();
    if (!(await this.#gate(lease, startedAtMs))) return;
    await this.#deps.politeness.sending(lease.host);
    this.#deps.events.emit('request:started', { request });
    const { capture } = this.#deps;
    const result = await this.#deps.fetch(request.url, {
      signal,
      checkRedirect: (url) => this.#followRedirect(request, url, signal),
      ...(capture ? { onExchange: (exchange: CapturedExchange) => capture(request.key, exchange) } : {}),
    });
    if (signal.aborted) return; // stopping: the lease is abandoned and comes back on resume
    // The host's delay runs from here: the next request to it waits for this one's end, not its parse.
    const fetchedAtMs = this.#deps.now();
    if (!result.ok) return this.#fetchFailed(lease, result, startedAtMs, fetchedAtMs);
    // The host is free for its next request (its delay counting from now) while this page is parsed and stored.
    await this.#deps.frontier.releaseHost?.(lease, { nowMs: fetchedAtMs });
    this.#deps.hosts.answered(lease.host, true);
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
      return this.#finish(lease, record, fetchedAtMs);
    }
    await this.#parseAndStore(lease, result, startedAtMs, fetchedAtMs, signal);
  }

  /** Gives a host up (once): every queued request of it is recorded as skipped, and so are later ones. */
  async giveUpHost(host: string, reason: string): Promise<void> {
    if (!this.#deps.hosts.giveUp(host, reason)) return;
    const drained = await this.#deps.frontier.drainHost(host);
    this.#deps.events.emit('host:gave-up', { host, reason });
    for (const request of drained) {
      const record = gaveUpRecord(request, host, reason, this.#deps.now());
      if (this.#deps.store.put(record)) this.#deps.events.emit('page:stored', { record });
    }
  }

  async #gate(lease: Lease, nowMs: number): Promise<boolean> {
    const { frontier, config, events } = this.#deps;
    const { check: verdict, raced } = await this.#deps.politeness.robots(lease.request.url);
    if (verdict.allowed) {
      this.#deps.hosts.answered(lease.host, false);
      if (!raced) return true;
      // Leased with the default spacing while another request of this host was learning the
      // Crawl-delay: back to the frontier, which now spaces it.
      this.#requeued.add(lease.request.key);
      await frontier.retry(lease, this.#deps.now());
      events.emit('request:retry', { request: lease.request, reason: 'robots', delayMs: this.#deps.politeness.delayFor(lease.host) });
      return false;
    }
    if (verdict.reason === 'blocked-address') {
      await this.#finish(lease, skippedRecord(lease.request, 'blocked-address', verdict.detail, nowMs));
      return false;
    }
    if (verdict.retryAtMs !== undefined) return this.#robotsUnreachable(lease, verdict, nowMs);
    await this.#finish(lease, skippedRecord(lease.request, 'robots', verdict.detail, nowMs));
    return false;
  }

  /**
   * robots.txt could not be fetched (5xx, 429, no connection): the origin is
   * blocked until it is fetched again (RFC 9309), so a retry waits for that
   * (robots-cache.ts fetches it again after 1 s, 2 s, 4 s …). When no retry is
   * left, robots.txt was unreachable on as many tries in a row as a page gets:
   * the request is recorded and the host is given up, since every other URL
   * of it waits on the same file (a host never reached at all is given up
   * after one retry: the retry policy's first-contact rule).
   */
  async #robotsUnreachable(lease: Lease, verdict: Extract<RobotsCheck, { reason: 'robots' }>, nowMs: number): Promise<boolean> {
    const { config, frontier, events, hosts } = this.#deps;
    const status = verdict.httpStatus;
    if (status !== undefined) hosts.answered(lease.host, false);
    const decision = retryDecision({
      attempt: this.#attempt(lease),
      maxRetries: config.fetch.retries,
      reason: status === undefined ? unreachedReason(verdict.code) : 'http-error',
      ...(status !== undefined ? { status } : {}),
      ...(verdict.code !== undefined ? { code: verdict.code } : {}),
      firstContact: !hosts.hasAnswered(lease.host),
      maxDelayMs: config.politeness.maxBackoffMs,
    });
    const retryAtMs = verdict.retryAtMs!;
    if (decision.retry) {
      if (decision.hostUnreachable) this.#reportUnreachable(lease.host, verdict.code!, retryAtMs - nowMs);
      else this.#warnOnce(lease.host, `${verdict.detail}; its pages wait until it can be fetched (next try in ${seconds(retryAtMs - nowMs)} s)`);
      await frontier.retry(lease, retryAtMs);
      events.emit('request:retry', { request: lease.request, reason: 'robots', delayMs: retryAtMs - nowMs });
      return false;
    }
    const unreached = unreachedReason(verdict.code);
    const record = skippedRecord(lease.request, status === undefined ? unreached : 'robots', verdict.detail, nowMs);
    // A TLS failure keeps OpenSSL's code, as a page's own would.
    const error = unreached === 'tls' ? { error: { code: verdict.code!, message: verdict.detail } } : {};
    await this.#finish(lease, status === undefined ? { ...record, outcome: 'failed', ...error } : record);
    const tries = this.#attempt(lease) + 1;
    await this.giveUpHost(lease.host, decision.giveUpHost ? `cannot be reached: ${describeUnreachable(verdict.code!)}` : `${verdict.detail} on ${tries} ${tries === 1 ? 'try' : 'tries in a row'}`);
    return false;
  }

  /** Says at once that a host could not be reached on first contact, and that it gets one more try. */
  #reportUnreachable(host: string, code: string, retryInMs: number): void {
    this.#warnOnce(host, `${describeUnreachable(code)}; trying once more in ${seconds(retryInMs)} s, then giving the host up`);
  }

  /** A warning about a host, the first time only (so that a host waiting is never silent, nor repeated). */
  #warnOnce(host: string, message: string): void {
    if (this.#deps.hosts.firstWarning(host)) this.#deps.events.emit('log', { level: 'warn', message: `${host}: ${message}` });
  }

  /**
   * The gate of one redirect hop: the link gate's (scope, robots.txt, dedup), then the hop's
   * turn on its host. A turn further away than any Crawl-delay (the host is backed off) sends
   * the request back to the frontier rather than holding a fetch slot that long.
   */
  async #followRedirect(request: CrawlRequest, url: string, signal: AbortSignal): Promise<RedirectVerdict> {
    const verdict = await this.#deps.links.admitRedirect(url, request);
    if (!verdict.ok) return verdict;
    const { maxCrawlDelayMs, delayMs } = this.#deps.config.politeness;
    const turn = await this.#deps.politeness.turn(url, { signal, maxWaitMs: Math.max(maxCrawlDelayMs, delayMs) });
    if (turn.ok) return verdict;
    const detail = `redirect to ${url}: its host is held back until ${new Date(turn.startAtMs).toISOString()}`;
    return { ok: false, reason: 'host-backoff', detail, retryAtMs: turn.startAtMs };
  }

  async #fetchFailed(lease: Lease, failure: Extract<FetchResult, { ok: false }>, startedAtMs: number, nowMs: number): Promise<void> {
    const { config, frontier, events, hosts } = this.#deps;
    if (failure.status !== undefined) hosts.answered(lease.host, false);
    // A redirect hop that may pass later: its host's robots.txt unreachable (an attempt), or the
    // host held back (the first time not an attempt: nothing failed).
    const heldBack = failure.reason === 'host-backoff' && !this.#requeued.has(lease.request.key);
    if (failure.retryAtMs !== undefined && (heldBack || this.#attempt(lease) < config.fetch.retries)) {
      if (heldBack) this.#requeued.add(lease.request.key);
      await frontier.retry(lease, failure.retryAtMs);
      events.emit('request:retry', { request: lease.request, reason: failure.reason, delayMs: failure.retryAtMs - nowMs });
      return;
    }
    const decision = retryDecision({
      attempt: this.#attempt(lease),
      maxRetries: config.fetch.retries,
      reason: failure.reason,
      ...(failure.status !== undefined ? { status: failure.status } : {}),
      ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
      code: failure.code,
      firstContact: !hosts.hasAnswered(lease.host),
      maxDelayMs: config.politeness.maxBackoffMs,
      maxRetryAfterMs: config.politeness.maxRetryAfterMs,
      hostFailures: hosts.failures(lease.host),
      random: Math.random(),
    });
    if (decision.backoffHost) {
      await frontier.backoffHost(lease.host, nowMs + decision.delayMs);
      events.emit('host:backoff', { host: lease.host, untilMs: nowMs + decision.delayMs, reason: `${failure.status ?? failure.reason}` });
    }
    if (decision.retry) {
      if (decision.hostUnreachable) this.#reportUnreachable(lease.host, failure.code, decision.delayMs);
      await frontier.retry(lease, nowMs + decision.delayMs, nowMs);
      events.emit('request:retry', { request: lease.request, reason: failure.reason, delayMs: decision.delayMs });
      return;
    }
    const failed = decision.reason ? retryAfterTooLong(failure, config.politeness.maxRetryAfterMs) : failure;
    const record = failedFetchRecord(lease.request, failed, startedAtMs, nowMs);
    // A redirect the gate did not follow for robots.txt or because its target is crawled anyway,
    // or an address the guard refused: not a failure.
    if (SKIPPED_REASONS.has(failed.reason)) record.outcome = 'skipped';
    // Refused before anything was sent: the request never went out.
    if (failed.reason === 'blocked-address' && failed.redirects.length === 0) record.fetched = false;
    await this.#finish(lease, record, nowMs);
    if (decision.giveUpHost) await this.giveUpHost(lease.host, `cannot be reached: ${describeUnreachable(failure.code)}`);
    else if (failure.reason === 'timeout' || failure.reason === 'connection' || (failure.status ?? 0) >= 500 || failure.status === 429) {
      await this.#countHostFailure(lease.host, failure.code);
    }
  }

  /** Failed attempts made for this request (the frontier also counts a Crawl-delay requeue). */
  #attempt(lease: Lease): number {
    const attempt = lease.request.attempt ?? 0;
    return this.#requeued.has(lease.request.key) ? Math.max(0, attempt - 1) : attempt;
  }

  /** Counts a request that failed for good because of its host; gives the host up at `hostMaxFailures`. */
  async #countHostFailure(host: string, cause: string): Promise<void> {
    const reason = this.#deps.hosts.failed(host, cause);
    if (reason !== undefined) await this.giveUpHost(host, reason);
  }

  async #parseAndStore(lease: Lease, response: FetchSuccess, startedAtMs: number, fetchedAtMs: number, signal: AbortSignal): Promise<void> {
    const { parsePool, events, config } = this.#deps;
    const { request } = lease;
    let parsed: ParsedPage;
    try {
      const xRobotsTag = headerValue(response.headers['x-robots-tag']);
      const extraSeeds = this.#deps.links.seedRedirects;
      parsed = await parsePool.parse({
        url: response.finalUrl,
        depth: request.depth,
        ...(extraSeeds.length > 0 ? { extraSeeds } : {}),
        status: response.status,
        ...(response.contentType ? { contentType: response.contentType } : {}),
        ...(xRobotsTag ? { xRobotsTag } : {}),
        body: response.body,
      });
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ConfigError) throw error; // e.g. an extractor module that cannot load: stops the crawl
      const reason = parseFailureReason(error);
      const code = error instanceof CrawlError ? error.code : 'ERR_PARSE';
      const record = fetchedRecord(request, response, startedAtMs, this.#deps.now(), undefined, {
        outcome: 'failed',
        reason,
        code,
        message: (error as Error).message,
      });
      return this.#finish(lease, record, fetchedAtMs);
    }
    events.emit('page:parsed', { key: request.key, parseMs: parsed.parseMs, links: parsed.links.length, ...(parsed.dropped ? { dropped: parsed.dropped } : {}) });
    const failure = pageFailure(parsed);
    const record = fetchedRecord(request, response, startedAtMs, this.#deps.now(), parsed, failure);
    if (!config.extract.links) {
      delete record.links;
      delete record.linkText;
      delete record.unfollowable;
    }
    // Discovered links are added before the page is stored (crash safety: the
    // frontier journal is flushed before the store).
    if (!parsed.nofollow) await this.#deps.links.enqueue(parsed.follow, request);
    this.#deps.external?.offer(parsed.links, request, parsed.follow);
    await this.#finish(lease, record, fetchedAtMs);
  }

  /** Stores the record and completes the lease; the request's use of its host ended at `finishedAtMs` (default now). */
  async #finish(lease: Lease, record: PageRecord, finishedAtMs = this.#deps.now()): Promise<void> {
    this.#requeued.delete(lease.request.key);
    const stored = this.#put(record);
    if (stored) this.#deps.events.emit('page:stored', { record: stored });
    await this.#deps.frontier.complete(lease, stored?.outcome ?? record.outcome, { fetched: wasFetched(record), nowMs: finishedAtMs });
  }

  /**
   * Stores `record`; the record stored, or undefined for a duplicate. A record
   * JSON cannot hold (a custom extractor returned a BigInt or a cycle in its
   * fields) is stored as a failed page without its fields: the page fails, the
   * crawl goes on.
   */
  #put(record: PageRecord): PageRecord | undefined {
    const { redact } = this.#deps;
    if (redact && record.error) record.error = { ...record.error, message: redact(record.error.message) };
    try {
      return this.#deps.store.put(record) ? record : undefined;
    } catch (error) {
      if (!(error instanceof StoreError) || error.code !== 'ERR_STORE_RECORD') throw error;
      const { fields: _dropped, ...rest } = record;
      const failed: PageRecord = { ...rest, outcome: 'failed', reason: 'parse-failed', error: { code: error.code, message: error.message } };
      return this.#deps.store.put(failed) ? failed : undefined;
    }
  }

  #isParseable(contentType: string | undefined): boolean {
    const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
    return this.#deps.config.fetch.parseContentTypes.includes(type);
  }
}

/** Fetch failures recorded as skipped pages: redirect verdicts and the guard's refusal (the others are failures). */
const SKIPPED_REASONS: ReadonlySet<ReasonCode> = new Set<ReasonCode>(['robots', 'redirect-duplicate', 'blocked-address']);

/** The record of a request not fetched because its host was given up. */
function gaveUpRecord(request: CrawlRequest, host: string, reason: string, nowMs: number): PageRecord {
  return skippedRecord(request, 'host-gave-up', `host ${host} given up: ${reason}`, nowMs);
}

/** A failure whose Retry-After is over the cap, as recorded: its own reason, and what the server asked for. */
function retryAfterTooLong(failure: FetchFailure, maxRetryAfterMs: number): FetchFailure {
  const asked = Math.round((failure.retryAfterMs ?? 0) / 1000);
  const message = `${failure.message}: Retry-After ${asked} s is over politeness.maxRetryAfterMs (${maxRetryAfterMs / 1000} s), not retried`;
  return { ...failure, reason: 'retry-after-too-long', code: 'ERR_RETRY_AFTER_TOO_LONG', message };
}

function pageFailure(parsed: ParsedPage): { outcome: 'failed' | 'skipped'; reason: ReasonCode; code: string; message: string } | undefined {
  if (parsed.failedReason) {
    return { outcome: 'failed', reason: parsed.failedReason, code: parsed.failedReason, message: parsed.failedMessage ?? parsed.failedReason };
  }
  if (parsed.noindex) return { outcome: 'skipped', reason: 'noindex', code: 'noindex', message: 'page asks not to be indexed' };
  return undefined;
}


/** `1.2` for 1,234 ms (never negative). */
/** The reason of a request whose robots.txt could not be reached: a proxy's, a TLS failure, or the connection. */
function unreachedReason(code: string | undefined): ReasonCode {
  return code?.startsWith('ERR_PROXY') ? 'proxy' : isTlsCode(code) ? 'tls' : 'connection';
}

function seconds(ms: number): number {
  return Math.max(0, Math.round(ms / 100) / 10);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

export type { CrawlRequest };
