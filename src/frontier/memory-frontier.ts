/**
 * The single-process frontier. Everything lives in memory; durability comes
 * from the optional journal (every accepted request is recorded, `flush()`
 * makes it durable) and `MemoryFrontier.restore()` rebuilds the state from it.
 *
 * Costs: `add` is O(1) per request (plus O(log hosts) when a host's queue goes
 * from empty to non-empty); `lease` is O(log hosts) per lease handed out,
 * never O(hosts): hosts take turns by the time they may start next
 * (host-turns.ts), so a slow or backed-off host never blocks the others.
 * Within a host: lowest depth first, then lowest priority, then insertion
 * order. A host with nothing queued and nothing in flight is forgotten but
 * for the slot politeness still needs (idle-slots.ts), so per-host state
 * grows with the hosts being crawled, not with every host met.
 *
 * Time: every method that depends on time takes `nowMs` (default
 * `Date.now()`); pass it consistently. A lease past `expiresAt` is still
 * honoured by `complete`/`retry` until a `lease`/`nextReadyAt` call at a later
 * time reclaims it; after that the old lease is ignored.
 */
import type { CrawlRequest, Lease, PageOutcome } from '../core/types.js';
import type { AddResult, CompleteOptions, Frontier, FrontierOptions, FrontierStats, HostPolicy, RedirectClaim, ReleaseOptions } from './frontier.js';
import { backOff, bookStart, finishRequest, newHostSlot, readyAt, startRequest, withPolicy, type HostSlot } from '../politeness/host-slot.js';
import { HostQueue } from './host-queue.js';
import { FingerprintSet } from './fingerprint-set.js';
import { HostTurns, type TakesTurns } from './host-turns.js';
import { StoreError } from '../core/errors.js';
import { MinHeap } from './min-heap.js';
import { SpillQueue } from './spill-queue.js';
import { LeaseTable } from './lease-table.js';
import { RedirectClaims } from './redirect-claims.js';
import { IdleSlots } from './idle-slots.js';
import { hostOf } from '../url/host-of.js';

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

/**
 * Heap bytes a queued request (object, URL, place in a host queue) and a host with something
 * queued (slot, queues, map and heap entries) cost: heap growth after a full GC of 200,000 and
 * 400,000 ~60-character URLs over 2,000 and 100,000 hosts was 130 and 770 bytes.
 */
export const QUEUED_REQUEST_BYTES = 150;
export const HOST_STATE_BYTES = 800;

const DEFAULT_LEASE_MS = 120_000;

interface HostState extends TakesTurns {
  slot: HostSlot;
  /** Requests handed out since the host was last held: none yet, and it goes first among ready hosts. */
  leased: number;
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

/** How soon `nextReadyAt` asks to be called again while spilled requests come back. */
const SPILL_POLL_MS = 20;
/** Spilled bytes not yet on disk past which `add` waits for the disk. */
const SPILL_PENDING_BYTES = 8 << 20;

export class MemoryFrontier implements Frontier {
  readonly #options: MemoryFrontierOptions;
  /** Fingerprints of every key ever accepted (fingerprint-set.ts: 64-bit, collision rate stated there). */
  readonly #seen = new FingerprintSet();
  /** Redirect targets claimed by requests not yet done (a subset of #seen). */
  readonly #claims = new RedirectClaims();
  /** Hosts with something queued or in flight. */
  readonly #hosts = new Map<string, HostState>();
  /** Slots of forgotten hosts that politeness still needs. */
  readonly #idle: IdleSlots;
  /** The latest `nowMs` a method was given: the clock of calls that take none. */
  #clockMs = 0;
  /** Hosts with something they could start, by the time they may (host-turns.ts). */
  readonly #turns = new HostTurns<HostState>();
  readonly #leases = new LeaseTable<LiveLease>();
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
    this.#idle = new IdleSlots(options.hostPolicy);
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
      if (request.redirectOf !== undefined) frontier.#claims.remember(request as RedirectClaim, !isDone(request.redirectOf));
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
      const host = this.#turns.next(nowMs);
      if (!host) break;
      while (host.retries.size > 0 && host.retries.peek()!.at <= nowMs) host.queue.push(host.retries.pop()!.request);
      const request = host.queue.shift();
      if (request) {
        this.#queued--;
        host.slot = startRequest(host.slot, nowMs, jitter > 0 ? jitter * Math.random() : 0);
        host.leased++;
        const lease: Lease = { request, host: host.slot.host, leaseId: `m${this.#nextLeaseId++}`, expiresAt: nowMs + leaseMs };
        this.#leases.add({ lease, host, released: false });
        out.push(lease);
      }
      this.#reschedule(host, true);
    }
    return out;
  }

  async complete(lease: Lease, outcome: PageOutcome, options: CompleteOptions = {}): Promise<void> {
    const nowMs = options.nowMs ?? Date.now();
    const live = this.#leases.take(lease.leaseId);
    if (!live) return;
    this.#done++;
    if (options.fetched !== false) this.#fetched++;
    this.#clockMs = nowMs;
    this.#claims.forget(lease.request.key);
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
    const live = this.#leases.take(lease.leaseId);
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
    for (const request of drained) this.#claims.forget(request.key);
    this.#queued -= drained.length;
    this.#reschedule(state);
    this.#evictIfIdle(state, this.#clockMs);
    return drained;
  }

  async claimRedirect(claim: RedirectClaim): Promise<AddResult> {
    if (!this.#seen.add(claim.key)) return this.#claims.heldBy(claim) ? ACCEPTED : DUPLICATE;
    this.#claims.remember(claim);
    this.#options.journal?.record([claim]);
    return { ok: true };
  }

  async seedRedirects(): Promise<string[]> {
    return [...this.#claims.seedRedirects];
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
    let at = this.#leases.firstExpiry();
    if (this.#fetched + this.#leases.size < this.#options.maxPages) {
      at = Math.min(at, this.#turns.firstAt());
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
      const slot = this.#idle.take(host) ?? newHostSlot(host, this.#options.hostPolicy);
      state = { slot, queue: new HostQueue(), retries: new MinHeap(), leased: 0, scheduleIndex: -1, scheduleAt: 0, scheduleSeq: 0, turn: 0, turnRank: 0 };
      this.#hosts.set(host, state);
    }
    return state;
  }

  /** Schedules the host at the time it may start its next queued request (never, with nothing to start). */
  #reschedule(state: HostState, turnTaken = false): void {
    const queueAt = state.queue.size > 0 ? 0 : (state.retries.peek()?.at ?? Infinity);
    // A host not served yet goes first (host-turns.ts); the others take turns.
    const rank = state.leased === 0 ? 0 : 1;
    this.#turns.set(state, Math.max(readyAt(state.slot), queueAt), state.slot.delayMs > 0, rank, turnTaken);
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
    this.#turns.remove(state);
    this.#hosts.delete(slot.host);
    this.#idle.keep(slot, nowMs);
  }

  /** Expired leases go back to their host's queue (at their depth); the old lease ids are dead. */
  #reclaim(nowMs: number): void {
    for (let live = this.#leases.takeExpired(nowMs); live; live = this.#leases.takeExpired(nowMs)) {
      const state = this.#stateOf(live);
      state.queue.push(live.lease.request);
      this.#queued++;
      if (!live.released) state.slot = finishRequest(state.slot, false, nowMs);
      this.#reschedule(state);
    }
  }
}
