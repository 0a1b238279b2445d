/**
 * How one node takes leases from the shards of the Redis frontier: from the
 * shards its view (redis-shard-index.ts) knows are ready, and those where the
 * exchange being gathered frees places, up to `LEASE_FANOUT` shards a call,
 * hosts taking turns across shards; a shard out of maxPages tokens gets a
 * grant from the global budget through the next sync. With `prefetch`,
 * leases are also taken ahead of need into a buffer (lease-buffer.ts): every
 * exchange that goes anyway tops it up (`refill`, from the exchange's
 * `beforeSend`), so most `lease` calls need no round trip.
 */
import type { Lease } from '../core/types.js';
import { LeaseBuffer } from './lease-buffer.js';
import { decodeRequest } from './redis-codec.js';
import type { ShardIndex } from './redis-shard-index.js';

export interface ShardLeaserOptions {
  nodeId: string;
  leaseMs: number;
  jitter: number;
  /** Leases kept ahead of need. */
  prefetch: number;
  /** Runs the lease script on `shard` in the next exchange; its reply without the report. */
  leaseScript: (shard: number, args: Array<string | number>) => Promise<Array<string | number>>;
  /** Puts leases back in their queues (merged per shard, with the next exchange). */
  putBack: (leases: Lease[]) => Promise<unknown>;
}

/** Shards one lease call asks at most. */
const LEASE_FANOUT = 8;
/** Tokens asked for a shard that ran out, at least. */
const MIN_GRANT = 64;

export class ShardLeaser {
  readonly #index: ShardIndex;
  readonly #options: ShardLeaserOptions;
  readonly #buffer: LeaseBuffer;
  /** Leases asked for by buffer refills not answered yet. */
  #refilling = 0;
  /** A `lease` call is asking Redis (it tops the buffer up itself). */
  #leasing = false;
  #closed = false;
  /** Shards whose host releases or completions are in the exchange being gathered (places may free up there). */
  readonly #freeing = new Set<number>();

  constructor(index: ShardIndex, options: ShardLeaserOptions) {
    this.#index = index;
    this.#options = options;
    this.#buffer = new LeaseBuffer(options.leaseMs / 4);
  }

  /** Leases in the buffer. */
  get buffered(): number {
    return this.#buffer.size;
  }

  /** The exchange being gathered frees places in `shard`. */
  freeing(shard: number): void {
    this.#freeing.add(shard);
  }

  /** See `Frontier.lease`: from the buffer if it holds any, else from the shards (topping the buffer up). */
  async lease(max: number, nowMs: number): Promise<Lease[]> {
    const { fresh, stale } = this.#buffer.take(max, nowMs);
    if (stale.length > 0) this.#options.putBack(stale).catch(() => undefined); // not put back: they expire
    if (fresh.length > 0) return fresh;
    this.#leasing = true;
    try {
      const want = max + this.#refillWanted();
      let shards = this.#candidates(nowMs);
      if (shards.length === 0 || this.#index.asking) {
        await this.#index.sync(nowMs);
        shards = this.#candidates(nowMs);
      }
      const rounds: Lease[][] = [];
      let starved = await this.#leaseFrom(shards.slice(0, Math.min(want, LEASE_FANOUT)), want, nowMs, rounds);
      // Out of tokens: ask the global budget for more, then try those shards again (while it gives and the caller lacks some).
      for (let attempt = 0; attempt < 3 && starved.length > 0; attempt++) {
        const short = want - rounds.flat().length;
        for (const shard of starved) this.#index.ask(shard, Math.max(MIN_GRANT, Math.ceil(short / starved.length)));
        if (rounds.flat().length >= max) break; // the next sync brings them
        const before = starved.map((shard) => this.#index.given(shard));
        await this.#index.sync(nowMs);
        if (starved.every((shard, i) => this.#index.given(shard) === before[i])) break;
        starved = await this.#leaseFrom(starved, short, nowMs, rounds);
      }
      const leases = takingTurns(rounds);
      this.#keep(leases.slice(max), nowMs);
      return leases.slice(0, max);
    } finally {
      this.#leasing = false;
    }
  }

  /** An exchange is about to go: tops the buffer up from the shards known to be ready (its lease calls join it). */
  refill(nowMs: number): void {
    const want = this.#refillWanted();
    const shards = this.#candidates(nowMs).slice(0, Math.min(want, LEASE_FANOUT));
    this.#freeing.clear();
    if (want === 0 || shards.length === 0 || this.#leasing || this.#closed || !this.#index.budgetLeft) return;
    this.#refilling += want;
    const rounds: Lease[][] = [];
    this.#leaseFrom(shards, want, nowMs, rounds)
      .then((starved) => {
        for (const shard of starved) this.#index.ask(shard, MIN_GRANT);
        this.#keep(takingTurns(rounds), nowMs);
      })
      .catch(() => undefined) // leases whose reply was lost expire
      .finally(() => (this.#refilling -= want));
  }

  /** No more refills; returns the leases left in the buffer (to put back). */
  close(): Lease[] {
    this.#closed = true;
    return this.#buffer.drain();
  }

  /** Leases up to `max` spread over `shards` (one list per shard into `out`); returns the shards that ran out of tokens. */
  async #leaseFrom(shards: number[], max: number, nowMs: number, out: Lease[][]): Promise<number[]> {
    if (shards.length === 0) return [];
    const { leaseMs, nodeId, jitter } = this.#options;
    // While the budget is plentiful a shard keeps its unused tokens (no global call per lease);
    // once it runs low, unused tokens go straight back where every shard can have them.
    const keep = this.#index.remaining > 2 * MIN_GRANT * Math.max(1, this.#index.active) ? -1 : 0;
    const starved: number[] = [];
    await Promise.all(
      shards.map(async (shard, i) => {
        const share = Math.floor(max / shards.length) + (i < max % shards.length ? 1 : 0);
        if (share === 0) return;
        const flat = await this.#options.leaseScript(shard, [nowMs, share, leaseMs, nodeId, jitter, Math.random(), this.#index.given(shard), keep, shard]);
        if (Number(flat[0]) === 1) starved.push(shard);
        const list: Lease[] = [];
        for (let j = 1; j + 2 < flat.length; j += 3) {
          const host = String(flat[j + 1]);
          list.push({ leaseId: String(flat[j]), host, request: decodeRequest(String(flat[j + 2]), host), expiresAt: nowMs + leaseMs });
        }
        out.push(list);
      }),
    );
    return starved;
  }

  /** Shards to lease from: those ready in this node's view, and those where this exchange frees places, in random order. */
  #candidates(nowMs: number): number[] {
    const ready = this.#index.ready(nowMs);
    const known = new Set(ready);
    for (const shard of this.#freeing) if (!known.has(shard)) ready.splice(Math.floor(Math.random() * (ready.length + 1)), 0, shard);
    return ready;
  }

  /** Leases the buffer lacks (`prefetch` less what it holds and what refills asked for). */
  #refillWanted(): number {
    return Math.max(0, this.#options.prefetch - this.#buffer.size - this.#refilling);
  }

  /** Keeps leases granted at `nowMs` for later, or puts them back once closed. */
  #keep(leases: Lease[], nowMs: number): void {
    if (leases.length === 0) return;
    if (this.#closed) this.#options.putBack(leases).catch(() => undefined);
    else this.#buffer.put(leases.map((lease) => ({ ...lease, grantedAtMs: nowMs })));
  }
}

/** Hosts take turns across shards too: the first lease of every shard, then the second… */
function takingTurns(rounds: Lease[][]): Lease[] {
  const leases: Lease[] = [];
  const total = rounds.reduce((n, list) => n + list.length, 0);
  for (let i = 0; leases.length < total; i++) for (const list of rounds) if (list[i]) leases.push(list[i]!);
  return leases;
}
