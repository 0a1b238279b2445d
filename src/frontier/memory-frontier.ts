/**
 * The single-process frontier. Everything lives in memory; durability comes
 * from the optional journal (every accepted request is recorded, `flush()`
 * makes it durable) and `MemoryFrontier.restore()` rebuilds the state from it.
 *
 * Costs: `add` is O(1) per request (plus O(log hosts) when a host's queue goes
 * from empty to non-empty); `lease` is O(log hosts) per lease handed out,
 * never O(hosts): hosts sit in an indexed min-heap keyed by the time they may
 * start next (host-schedule.ts, one entry per host), so a slow or backed-off
 * host never blocks the others and hosts take turns (round-robin among the
 * ready ones). Within a host: lowest depth first, then lowest priority, then
 * insertion order.
 *
 * Memory per host: a host with nothing queued and nothing in flight is
 * evicted. Only what politeness still needs survives, as its bare slot: a
 * policy other than the default (a robots Crawl-delay), or a spacing or
 * backoff time still in the future. So per-host state grows with the hosts
 * being crawled, plus a small slot per host with a Crawl-delay.
 *
 * Time: every method that depends on time takes `nowMs` (default
 * `Date.now()`); pass it consistently. A lease past `expiresAt` is still
 * honoured by `complete`/`retry` until a `lease`/`nextReadyAt` call at a later
 * time reclaims it; after that the old lease is ignored.
 */
import type { CrawlRequest, Lease, PageOutcome } from '../core/types.js';
import type { AddResult, CompleteOptions, Frontier, FrontierOptions, FrontierStats, HostPolicy, RedirectClaim, ReleaseOptions } from './frontier.js';
import {
  backOff,
  bookStart,
  finishRequest,
  newHostSlot,
  readyAt,
  startRequest,
  withPolicy,
  type HostSlot,
} from '../politeness/host-slot.js';
import { HostQueue } from './host-queue.js';
import { FingerprintSet } from './fingerprint-set.js';
import { HostSchedule, type Scheduled } from './host-schedule.js';
import { StoreError } from '../core/errors.js';
import { MinHeap } from './min-heap.js';
import { SpillQueue } from './spill-queue.js';

/** Where accepted requests are recorded so a killed crawl can resume (see `restore`). */
export interface FrontierJournal {
  /** Called once per `add` with the requests it accepted, in order. */
  record(requests: CrawlRequest[]): void;
  /** Makes everything recorded so far durable. */
  flush(): Promise<void>;
}

export type MemoryFrontierOptions = FrontierOptions & {
  /** Records every accepted request. @default undefined (nothing recorded) */
  journal?: FrontierJournal;
  /**
   * Queued requests that would take the frontier's queues past `budgetBytes` (estimated: each
   * request held and each host held) wait in a file in `dir` (spill-queue.ts) and come back,
   * oldest first, once the queues take less than half of it. @default undefined (all in memory)
   */
  spill?: { dir: string; budgetBytes: number };
};

/** Heap bytes a queued request costs, about (its object, its URL string, its place in a host queue). */
export const QUEUED_REQUEST_BYTES = 250;
/** Heap bytes a host with something queued costs, about (its slot, queues and map entry). */
export const HOST_STATE_BYTES = 450;

const DEFAULT_LEASE_MS = 120_000;

interface HostState extends Scheduled {
  slot: HostSlot;
  /** The schedule the host is in (while `scheduleIndex` ≥ 0): hosts with a delay have their own. */
  spaced: boolean;
  queue: HostQueue;
  /** Requests sent back by `retry`, by not-before time; they join `queue` when due. */
  retries: MinHeap<{ at: number; seq: number; request: CrawlRequest }>;
}

interface LiveLease {
  lease: Lease;
  /** The host's state when leased; while `released`, the host may have been evicted since (see `#stateOf`). */
  host: HostState;
  /** `releaseHost` freed the host's place already. */
  released: boolean;
}

/** The results `add` hands out (shared: one object each, not one per request). */
const ACCEPTED: AddResult = Object.freeze({ ok: true });
const DUPLICATE: AddResult = Object.freeze({ ok: false, reason: 'duplicate' });

/** A host name and port as written in a normalised key: lower-case letters, digits, `.-:[]`. */
const PLAIN_HOST = /^[a-z0-9.\-:[\]]+$/;

/**
 * `new URL(key).host`, read from the string when the key is a normalised URL (`scheme://host/…`
 * with a plain host: a tenth of the cost of parsing it), parsed otherwise.
 */
export function hostOf(key: string): string {
  const start = key.indexOf('://') + 3;
  if (start > 2) {
    let end = start;
    while (end < key.length) {
      const c = key.charCodeAt(end);
      if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) break;
      end++;
    }
    const host = key.slice(start, end);
    if (end < key.length && PLAIN_HOST.test(host) && !/:(80|443)?$/.test(host)) return host;
  }
  return new URL(key).host;
}

/** Evictions between two sweeps of the idle slots whose times have passed. */
const IDLE_SWEEP_EVERY = 4096;
/** How soon `nextReadyAt` asks to be called again while spilled requests come back. */
const SPILL_POLL_MS = 20;
/** Spilled bytes not yet on disk past which `add` waits for the disk. */
const SPILL_PENDING_BYTES = 8 << 20;

export class MemoryFrontier implements Frontier {
  readonly #options: MemoryFrontierOptions;
  /** Fingerprints of every key ever accepted (fingerprint-set.ts: 64-bit, collision rate stated there). */
  readonly #seen = new FingerprintSet();
  /**
   * Redirect targets claimed by requests not yet done (a subset of #seen): target key → key of
   * the request that claimed it, which may claim it again (a retry, a lease handed out again).
   * Forgotten once the claiming request is done, so this holds the redirects of requests in
   * flight or waiting for a retry, not every redirect ever followed.
   */
  readonly #claims = new Map<string, string>();
  /** The same claims by claiming request: its key → the targets it claimed. */
  readonly #claimsBy = new Map<string, string[]>();
  readonly #seedRedirects: string[] = [];
  /** Hosts with something queued or in flight. */
  readonly #hosts = new Map<string, HostState>();
  /** Slots of evicted hosts that politeness still needs (see the class doc). */
  readonly #idle = new Map<string, HostSlot>();
  #evictions = 0;
  /** The latest `nowMs` a method was given: the clock of calls that take none. */
  #clockMs = 0;
  /** Hosts without a delay, by the time they may start next. */
  readonly #schedule = new HostSchedule<HostState>();
  /**
   * Hosts with a delay (a Crawl-delay), likewise. When both have a host ready, the spaced one goes
   * first: each of its requests costs it a whole delay, so a turn it waits for lengthens the crawl,
   * while a host without a delay catches up with parallel requests. A spaced host takes at most one
   * request per delay, so it never starves the others.
   */
  readonly #spaced = new HostSchedule<HostState>();
  readonly #leases = new Map<string, LiveLease>();
  readonly #expiries = new MinHeap<{ at: number; seq: number; leaseId: string }>();
  #seq = 0;
  #nextLeaseId = 1;
  /** Queued requests, in memory and spilled. */
  #queued = 0;
  readonly #spill: SpillQueue | undefined;
  #refilling: Promise<void> | undefined;
  #spillError: StoreError | undefined;
  #done = 0;
  /** Completed requests that were fetched: the `maxPages` budget. */
  #fetched = 0;

  constructor(options: MemoryFrontierOptions) {
    this.#options = options;
    this.#spill = options.spill ? new SpillQueue(options.spill.dir) : undefined;
  }

  /**
   * Rebuilds a frontier from journalled requests: all of them count as seen,
   * those not done are queued again (redirect claims never are), `doneCount`
   * requests count as done and `fetchedCount` of them (default: all) toward
   * `maxPages`. Nothing is recorded to the journal again.
   */
  static async restore(
    options: MemoryFrontierOptions,
    requests: AsyncIterable<CrawlRequest> | Iterable<CrawlRequest>,
    isDone: (key: string) => boolean,
    doneCount: number,
    fetchedCount = doneCount,
  ): Promise<MemoryFrontier> {
    const frontier = new MemoryFrontier(options);
    for await (const request of requests) {
      if (!frontier.#seen.add(request.key)) continue;
      if (request.redirectOf !== undefined) frontier.#remember(request as RedirectClaim, !isDone(request.redirectOf));
      else if (!isDone(request.key)) frontier.#enqueue(request);
    }
    frontier.#done = doneCount;
    frontier.#fetched = fetchedCount;
    return frontier;
  }

  async add(requests: CrawlRequest[]): Promise<AddResult[]> {
    const results: AddResult[] = [];
    const accepted: CrawlRequest[] = [];
    for (const request of requests) {
      if (!this.#seen.add(request.key)) {
        results.push(DUPLICATE);
        continue;
      }
      this.#enqueue(request);
      accepted.push(request);
      results.push(ACCEPTED);
    }
    if (accepted.length > 0) this.#options.journal?.record(accepted);
    // Backpressure: links arrive faster than the disk takes them only while the queue spills.
    if (this.#spill && this.#spill.pendingBytes > SPILL_PENDING_BYTES) await this.#spill.settle();
    return results;
  }

  async lease(max: number, nowMs = Date.now()): Promise<Lease[]> {
    this.#clockMs = nowMs;
    if (this.#spillError) throw this.#spillError;
    this.#reclaim(nowMs);
    this.#refill();
    const budget = Math.min(max, this.#options.maxPages - this.#fetched - this.#leases.size);
    const leaseMs = this.#options.leaseMs ?? DEFAULT_LEASE_MS;
    const jitter = this.#options.jitter ?? 0;
    const out: Lease[] = [];
    while (out.length < budget) {
      const host = this.#nextReady(nowMs);
      if (!host) break;
      while (host.retries.size > 0 && host.retries.peek()!.at <= nowMs) host.queue.push(host.retries.pop()!.request);
      const request = host.queue.shift();
      if (request) {
        this.#queued--;
        host.slot = startRequest(host.slot, nowMs, jitter > 0 ? jitter * Math.random() : 0);
        const lease: Lease = { request, host: host.slot.host, leaseId: `m${this.#nextLeaseId++}`, expiresAt: nowMs + leaseMs };
        this.#leases.set(lease.leaseId, { lease, host, released: false });
        this.#expiries.push({ at: lease.expiresAt, seq: this.#seq++, leaseId: lease.leaseId });
        out.push(lease);
      }
      this.#reschedule(host, true);
    }
    return out;
  }

  async complete(lease: Lease, outcome: PageOutcome, options: CompleteOptions = {}): Promise<void> {
    const nowMs = options.nowMs ?? Date.now();
    const live = this.#take(lease);
    if (!live) return;
    this.#done++;
    if (options.fetched !== false) this.#fetched++;
    this.#clockMs = nowMs;
    this.#forgetClaims(lease.request.key);
    // A released lease's host has nothing more to learn (and may have been forgotten since).
    if (live.released) return;
    live.host.slot = finishRequest(live.host.slot, outcome !== 'failed', nowMs);
    this.#reschedule(live.host);
    this.#evictIfIdle(live.host, nowMs);
  }

  async releaseHost(lease: Lease, options: ReleaseOptions = {}): Promise<void> {
    const live = this.#leases.get(lease.leaseId);
    if (!live || live.released) return;
    const nowMs = options.nowMs ?? Date.now();
    live.released = true;
    live.host.slot = finishRequest(live.host.slot, options.ok ?? true, nowMs);
    this.#reschedule(live.host);
    this.#evictIfIdle(live.host, nowMs);
  }

  async retry(lease: Lease, notBeforeMs: number, nowMs = Date.now()): Promise<void> {
    const live = this.#take(lease);
    if (!live) return;
    const request = { ...live.lease.request, attempt: (live.lease.request.attempt ?? 0) + 1 };
    const state = this.#stateOf(live);
    state.retries.push({ at: notBeforeMs, seq: this.#seq++, request });
    this.#queued++;
    if (!live.released) state.slot = finishRequest(state.slot, false, nowMs);
    this.#reschedule(state);
  }

  async setHostPolicy(host: string, policy: Partial<HostPolicy>): Promise<void> {
    const state = this.#host(host);
    state.slot = withPolicy(state.slot, policy);
    this.#reschedule(state);
    this.#evictIfIdle(state, this.#clockMs);
  }

  async backoffHost(host: string, untilMs: number): Promise<void> {
    const state = this.#host(host);
    state.slot = backOff(state.slot, untilMs);
    this.#reschedule(state);
    this.#evictIfIdle(state, this.#clockMs);
  }

  async drainHost(host: string): Promise<CrawlRequest[]> {
    const state = this.#hosts.get(host);
    if (!state) return [];
    const drained = state.queue.drain();
    while (state.retries.size > 0) drained.push(state.retries.pop()!.request);
    for (const request of drained) this.#forgetClaims(request.key);
    this.#queued -= drained.length;
    this.#reschedule(state);
    this.#evictIfIdle(state, this.#clockMs);
    return drained;
  }

  async claimRedirect(claim: RedirectClaim): Promise<AddResult> {
    if (!this.#seen.add(claim.key)) return this.#claims.get(claim.key) === claim.redirectOf ? { ok: true } : { ok: false, reason: 'duplicate' };
    this.#remember(claim);
    this.#options.journal?.record([claim]);
    return { ok: true };
  }

  async seedRedirects(): Promise<string[]> {
    return [...this.#seedRedirects];
  }

  async bookHost(host: string, nowMs: number, sentNow = false): Promise<number> {
    this.#clockMs = nowMs;
    const state = this.#host(host);
    const booked = bookStart(state.slot, nowMs, sentNow);
    state.slot = booked.slot;
    this.#reschedule(state);
    this.#evictIfIdle(state, nowMs);
    return booked.startAt;
  }

  /**
   * Earliest time `lease` may return something: the first ready host, or the
   * first live lease's expiry (its request comes back then). Never before
   * `nowMs`; undefined when nothing is queued and nothing is leased.
   */
  async nextReadyAt(nowMs = Date.now()): Promise<number | undefined> {
    this.#reclaim(nowMs);
    let at = Infinity;
    while (this.#expiries.size > 0 && !this.#leases.has(this.#expiries.peek()!.leaseId)) this.#expiries.pop();
    if (this.#expiries.size > 0) at = this.#expiries.peek()!.at;
    if (this.#fetched + this.#leases.size < this.#options.maxPages) {
      at = Math.min(at, this.#schedule.peek()?.scheduleAt ?? Infinity, this.#spaced.peek()?.scheduleAt ?? Infinity);
    }
    // Requests on disk come back in the background: look again shortly.
    if (this.#refill()) at = Math.min(at, nowMs + SPILL_POLL_MS);
    return at === Infinity ? undefined : Math.max(at, nowMs);
  }

  async stats(): Promise<FrontierStats> {
    const nowMs = Date.now();
    let hostsInBackoff = 0;
    for (const state of this.#hosts.values()) if (state.slot.backoffUntil > nowMs) hostsInBackoff++;
    return {
      queued: this.#queued,
      leased: this.#leases.size,
      done: this.#done,
      fetched: this.#fetched,
      seen: this.#seen.size,
      hosts: this.#hosts.size,
      hostsInBackoff,
    };
  }

  async isDone(): Promise<boolean> {
    return this.#leases.size === 0 && (this.#queued === 0 || this.#fetched >= this.#options.maxPages);
  }

  async flush(): Promise<void> {
    await this.#options.journal?.flush();
  }

  async close(): Promise<void> {
    await this.#refilling?.catch(() => undefined);
    await this.#spill?.close();
  }

  /** Records a claim (`live`: its claimer is not done, so it may claim the target again). */
  #remember(claim: RedirectClaim, live = true): void {
    if (claim.source === 'seed') this.#seedRedirects.push(claim.url);
    if (!live) return;
    this.#claims.set(claim.key, claim.redirectOf);
    const targets = this.#claimsBy.get(claim.redirectOf);
    if (targets) targets.push(claim.key);
    else this.#claimsBy.set(claim.redirectOf, [claim.key]);
  }

  /** Drops the claims of a request that is done. */
  #forgetClaims(claimer: string): void {
    const targets = this.#claimsBy.get(claimer);
    if (!targets) return;
    this.#claimsBy.delete(claimer);
    for (const target of targets) this.#claims.delete(target);
  }

  #enqueue(request: CrawlRequest): void {
    this.#queued++;
    const spill = this.#spill;
    if (spill && this.#heldBytes() > this.#options.spill!.budgetBytes) spill.push(request);
    else this.#hold(request);
  }

  /** Estimated heap bytes of the queues: requests held in memory and hosts. */
  #heldBytes(): number {
    return (this.#queued - (this.#spill?.size ?? 0)) * QUEUED_REQUEST_BYTES + this.#hosts.size * HOST_STATE_BYTES;
  }

  /** Puts a request in its host's queue (memory). */
  #hold(request: CrawlRequest): void {
    const state = this.#host(hostOf(request.key));
    state.queue.push(request);
    if (state.queue.size === 1) this.#reschedule(state);
  }

  /**
   * Brings spilled requests back once the queues take less than half the budget (in the
   * background, one refill at a time, each request counted as if on a new host). True while
   * requests wait on disk.
   */
  #refill(): boolean {
    const spill = this.#spill;
    if (!spill || (spill.size === 0 && !this.#refilling)) return false;
    const room = Math.floor((this.#options.spill!.budgetBytes / 2 - this.#heldBytes()) / (QUEUED_REQUEST_BYTES + HOST_STATE_BYTES));
    if (!this.#refilling && room > 0 && spill.size > 0) {
      this.#refilling = spill
        .take(room)
        .then((requests) => {
          for (const request of requests) this.#hold(request);
        })
        .catch((error: unknown) => {
          this.#spillError = new StoreError('ERR_STORE_READ', `could not read queued requests back from ${spill.file}: ${(error as Error).message}`, { cause: error });
        })
        .finally(() => (this.#refilling = undefined));
    }
    return true;
  }

  #host(host: string): HostState {
    let state = this.#hosts.get(host);
    if (!state) {
      const slot = this.#idle.get(host) ?? newHostSlot(host, this.#options.hostPolicy);
      this.#idle.delete(host);
      state = { slot, spaced: false, queue: new HostQueue(), retries: new MinHeap(), scheduleIndex: -1, scheduleAt: 0, scheduleSeq: 0 };
      this.#hosts.set(host, state);
    }
    return state;
  }

  /**
   * Puts the host in the schedule at the time it may start its next queued
   * request, or takes it out when it has nothing it could start. A host whose
   * time did not change keeps its turn, unless it just had one (`turnTaken`).
   */
  #reschedule(state: HostState, turnTaken = false): void {
    const slotAt = readyAt(state.slot);
    const queueAt = state.queue.size > 0 ? 0 : (state.retries.peek()?.at ?? Infinity);
    const at = Math.max(slotAt, queueAt);
    const spaced = state.slot.delayMs > 0;
    if (state.scheduleIndex >= 0 && (at === Infinity || state.spaced !== spaced)) (state.spaced ? this.#spaced : this.#schedule).remove(state);
    if (at === Infinity) return;
    state.spaced = spaced;
    if (turnTaken || state.scheduleIndex < 0 || state.scheduleAt !== at) (spaced ? this.#spaced : this.#schedule).set(state, at);
  }

  /** The host to lease from next at `nowMs`: a ready spaced host first (see `#spaced`), else the first ready host. */
  #nextReady(nowMs: number): HostState | undefined {
    const spaced = this.#spaced.peek();
    if (spaced && spaced.scheduleAt <= nowMs) return spaced;
    const host = this.#schedule.peek();
    return host && host.scheduleAt <= nowMs ? host : undefined;
  }

  /**
   * A live lease's host as the frontier holds it now: a released lease's host may have been
   * forgotten (nothing queued or in flight) and held again since.
   */
  #stateOf(live: LiveLease): HostState {
    return live.released ? this.#host(live.lease.host) : live.host;
  }

  /** Forgets a host with nothing queued or in flight, keeping its slot only if politeness still needs it. */
  #evictIfIdle(state: HostState, nowMs: number): void {
    const { slot } = state;
    if (state.queue.size > 0 || state.retries.size > 0 || slot.inFlight > 0 || this.#hosts.get(slot.host) !== state) return;
    (state.spaced ? this.#spaced : this.#schedule).remove(state);
    this.#hosts.delete(slot.host);
    if (this.#slotMatters(slot, nowMs)) this.#idle.set(slot.host, slot);
    if (++this.#evictions % IDLE_SWEEP_EVERY === 0) {
      for (const [host, idle] of this.#idle) if (!this.#slotMatters(idle, nowMs)) this.#idle.delete(host);
    }
  }

  /** A slot with a policy of its own, or a time still to wait for. */
  #slotMatters(slot: HostSlot, nowMs: number): boolean {
    const policy = this.#options.hostPolicy;
    return slot.delayMs !== Math.max(0, policy.delayMs) || slot.parallelism !== Math.max(1, policy.parallelism) || Math.max(slot.nextAllowedAt, slot.backoffUntil) > nowMs;
  }

  #take(lease: Lease): LiveLease | undefined {
    const live = this.#leases.get(lease.leaseId);
    if (live) this.#leases.delete(lease.leaseId);
    this.#compactExpiries();
    return live;
  }

  /** Expired leases go back to their host's queue (at their depth); the old lease ids are dead. */
  #reclaim(nowMs: number): void {
    while (this.#expiries.size > 0 && this.#expiries.peek()!.at <= nowMs) {
      const live = this.#leases.get(this.#expiries.pop()!.leaseId);
      if (!live) continue;
      this.#leases.delete(live.lease.leaseId);
      const state = this.#stateOf(live);
      state.queue.push(live.lease.request);
      this.#queued++;
      if (!live.released) state.slot = finishRequest(state.slot, false, nowMs);
      this.#reschedule(state);
    }
  }

  /** Drops expiry entries of finished leases once they outnumber the live ones. */
  #compactExpiries(): void {
    const heap = this.#expiries;
    if (heap.size < 1024 || heap.size < 4 * this.#leases.size) return;
    const live = heap.items.filter((e) => this.#leases.has(e.leaseId));
    heap.items.length = 0;
    for (const e of live) heap.push(e);
  }
}
