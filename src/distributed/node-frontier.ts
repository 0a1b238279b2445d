/**
 * The shared frontier as one node uses it. Three things differ from calling
 * the Redis frontier directly.
 *
 * 1. Polling for slots other nodes free. A host whose parallelism is used
 *    up has no ready time in Redis, and a node is not told when a slot frees
 *    (another node completing a page), so `nextReadyAt` is capped at
 *    `pollMs` from now while anything is queued or leased.
 *
 * 2. A lease is completed in the shared frontier only once its page is on this
 * node's disk. Without it, a node killed between "completed in Redis" and
 * "flushed to its store" would lose those pages for good: Redis counts them
 * done, no node has them. With it, the lease of a page still in the write
 * buffer stays live; if the node dies the lease expires and another node
 * fetches the page again (the merged export keeps one record per key).
 *
 * 3. A margin on per-host delays (`scheduledDelayMs`): a node reads its clock,
 *    then Redis runs the lease some milliseconds later (network, a busy event
 *    loop), and the request reaches the host later still. Spacing leases by
 *    the delay plus `DELAY_MARGIN_MS` keeps request starts at least the
 *    delay apart across nodes despite that jitter. A delay of 0 stays 0.
 *
 * 4. A journal of what this node put in the shared frontier. Every request
 *    (and redirect target claimed) the shared frontier accepted from this node
 *    is recorded in the node's own frontier journal, flushed before its page
 *    store like a single-node crawl's, so a page on this node's disk has its
 *    discovered links on this node's disk too. Once the shared frontier gave
 *    up (`unconfirmed()`: its answers are no longer real), everything is
 *    recorded. The journals and stores of the nodes are what
 *    `skein crawl --recover` rebuilds a lost crawl from (recover-crawl.ts).
 *
 * 5. No booking for a request sent on time. The shared schedule already
 *    spaced the next start of a host from the lease plus the delay and
 *    `DELAY_MARGIN_MS` (3.), so a leased request sent within that margin of
 *    its lease (the usual case) needs no `bookHost(sentNow)` call: one Redis
 *    round trip less per page of a host with a delay. A lease the shared
 *    frontier took ahead of need counts from when Redis granted it (`grantedAtMs`).
 *
 * `complete` returns at once (the page's fetch slot is free); the Redis call
 * follows the next flush, which `NodeStore.flushSoon()` brings within its
 * commit interval. The host's place was freed when the response came
 * (`releaseHost`, sent without waiting: if it is lost, the completion frees
 * the place instead), so per-host parallelism counts requests on the wire,
 * as in a local crawl, while the lease stays live until the page is durable.
 * Everything else goes straight to the wrapped frontier.
 */
import type { CrawlEventBus } from '../core/events.js';
import type { CrawlRequest, Lease, PageOutcome } from '../core/types.js';
import type { AddResult, CompleteOptions, Frontier, FrontierStats, HostPolicy, RedirectClaim, ReleaseOptions } from '../frontier/frontier.js';
import type { FrontierJournal } from '../store/frontier-journal.js';
import type { NodeStore } from './node-store.js';

export interface NodeFrontierOptions {
  events?: CrawlEventBus;
  /** Longest wait before asking the shared frontier again (see 1.). @default 50 */
  pollMs?: number;
  /** Where accepted requests are recorded (see 4.); none: nothing is. */
  journal?: FrontierJournal;
  /** True once the shared frontier's answers are no longer real (it gave up): every request is recorded. */
  unconfirmed?: () => boolean;
}

/** Added to every non-zero per-host delay in the shared schedule. */
export const DELAY_MARGIN_MS = 20;

/** The delay the shared schedule uses for a configured per-host delay. Pure. */
export function scheduledDelayMs(delayMs: number): number {
  return delayMs > 0 ? delayMs + DELAY_MARGIN_MS : 0;
}

export class NodeFrontier implements Frontier {
  readonly #inner: Frontier;
  readonly #events: CrawlEventBus | undefined;
  #store: NodeStore | undefined;
  /** key → completions waiting for that key's flush. */
  readonly #waiting = new Map<string, Array<{ lease: Lease; outcome: PageOutcome; options: CompleteOptions | undefined }>>();
  /** Completions sent to the inner frontier and not yet answered. */
  readonly #sending = new Set<Promise<void>>();

  readonly #pollMs: number;
  /** host → when this node last leased a request to it (see 5.). */
  readonly #leasedAt = new Map<string, number>();
  readonly #journal: FrontierJournal | undefined;
  readonly #unconfirmed: () => boolean;

  constructor(inner: Frontier, options: NodeFrontierOptions = {}) {
    this.#inner = inner;
    this.#events = options.events;
    this.#pollMs = options.pollMs ?? 50;
    this.#journal = options.journal;
    this.#unconfirmed = options.unconfirmed ?? (() => false);
  }

  /** Connects the node's store (created later, inside `createCrawler`). */
  attach(store: NodeStore): void {
    this.#store = store;
  }

  /** The store's `onDurable`: sends the completions of the pages just written. */
  durable(keys: string[]): void {
    for (const key of keys) {
      const waiting = this.#waiting.get(key);
      if (!waiting) continue;
      this.#waiting.delete(key);
      for (const { lease, outcome, options } of waiting) this.#send(lease, outcome, options);
    }
  }

  /** Completions not yet sent (waiting for a flush). */
  get waiting(): number {
    return this.#waiting.size;
  }

  /** Resolves when every completion sent so far has been answered. */
  async settle(): Promise<void> {
    while (this.#sending.size > 0) await Promise.all([...this.#sending]);
  }

  async complete(lease: Lease, outcome: PageOutcome, options?: CompleteOptions): Promise<void> {
    const key = lease.request.key;
    // Sent once durable, with the time the page ended (a host's delay counts from then).
    const ended = { ...options, nowMs: options?.nowMs ?? Date.now() };
    if (!this.#store?.isUnflushed(key)) return this.#inner.complete(lease, outcome, ended);
    const list = this.#waiting.get(key) ?? [];
    list.push({ lease, outcome, options: ended });
    this.#waiting.set(key, list);
    this.#store.flushSoon();
  }

  /** Not awaited: the page goes on at once; a release that fails is made good by the completion. */
  async releaseHost(lease: Lease, options?: ReleaseOptions): Promise<void> {
    this.#inner.releaseHost?.(lease, { ...options, nowMs: options?.nowMs ?? Date.now() }).catch(() => undefined);
  }

  async add(requests: CrawlRequest[]): Promise<AddResult[]> {
    const results = await this.#inner.add(requests);
    this.#record(requests.filter((_, i) => results[i]!.ok), requests);
    return results;
  }
  async lease(max: number, nowMs = Date.now()): Promise<Lease[]> {
    const leases = await this.#inner.lease(max, nowMs);
    if (this.#leasedAt.size > 4096) for (const [host, at] of this.#leasedAt) if (at < nowMs - DELAY_MARGIN_MS) this.#leasedAt.delete(host);
    // A prefetched lease counts from when Redis granted it (the shared schedule spaced the host from then).
    for (const lease of leases) this.#leasedAt.set(lease.host, lease.grantedAtMs ?? nowMs);
    return leases;
  }
  retry(lease: Lease, notBeforeMs: number, nowMs?: number): Promise<void> {
    return this.#inner.retry(lease, notBeforeMs, nowMs);
  }
  setHostPolicy(host: string, policy: Partial<HostPolicy>): Promise<void> {
    return this.#inner.setHostPolicy(host, policy.delayMs === undefined ? policy : { ...policy, delayMs: scheduledDelayMs(policy.delayMs) });
  }
  backoffHost(host: string, untilMs: number): Promise<void> {
    return this.#inner.backoffHost(host, untilMs);
  }
  drainHost(host: string): Promise<CrawlRequest[]> {
    return this.#inner.drainHost(host);
  }
  async claimRedirect(claim: RedirectClaim): Promise<AddResult> {
    const result = await this.#inner.claimRedirect(claim);
    this.#record(result.ok ? [claim] : [], [claim]);
    return result;
  }
  seedRedirects(): Promise<string[]> {
    return this.#inner.seedRedirects();
  }
  /** A leased request sent within the delay margin of its lease needs no booking (see 5.). */
  async bookHost(host: string, nowMs: number, sentNow?: boolean): Promise<number> {
    const leasedAt = this.#leasedAt.get(host);
    this.#leasedAt.delete(host);
    if (sentNow && leasedAt !== undefined && nowMs - leasedAt <= DELAY_MARGIN_MS) return nowMs;
    return this.#inner.bookHost(host, nowMs, sentNow);
  }
  async nextReadyAt(nowMs = Date.now()): Promise<number | undefined> {
    const at = await this.#inner.nextReadyAt(nowMs);
    return at === undefined ? undefined : Math.min(at, nowMs + this.#pollMs);
  }
  stats(): Promise<FrontierStats> {
    return this.#inner.stats();
  }
  isDone(): Promise<boolean> {
    return this.#inner.isDone();
  }
  /** The journal first: what this node added is durable before the pages that found it. */
  async flush(): Promise<void> {
    await this.#journal?.flush();
    await this.#inner.flush();
  }
  close(): Promise<void> {
    return this.#inner.close();
  }

  /** Journals `accepted`; once the shared frontier gave up, `all` (its "duplicate" answers are not real). */
  #record(accepted: CrawlRequest[], all: CrawlRequest[] = accepted): void {
    if (!this.#journal) return;
    this.#journal.record(this.#unconfirmed() ? all : accepted);
  }

  #send(lease: Lease, outcome: PageOutcome, options: CompleteOptions | undefined): void {
    const sending: Promise<void> = this.#inner
      .complete(lease, outcome, options)
      .catch((error: unknown) => this.#events?.emit('log', { level: 'warn', message: `${lease.request.url}: completion not recorded in the shared frontier (${(error as Error).message}); its lease will expire and it will be fetched again` }))
      .finally(() => this.#sending.delete(sending));
    this.#sending.add(sending);
  }
}
