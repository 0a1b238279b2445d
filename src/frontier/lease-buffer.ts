/**
 * Leases a node took from the shared frontier ahead of need (prefetched with
 * another exchange), kept until its crawl loop asks for them. Each is a real
 * lease in Redis: it holds its host's place (per-host parallelism counts it
 * cluster-wide, and a host with a delay has one place, so nothing else is
 * leased for that host until this one's response frees it), it holds a
 * maxPages token, and it expires like any lease, so a node that dies with
 * leases in its buffer loses nothing. A lease kept longer than `maxAgeMs`
 * is not handed out any more (its expiry would come too close): `take`
 * returns it among the stale ones, to be put back in the queue.
 */
import type { Lease } from '../core/types.js';

export class LeaseBuffer {
  readonly #maxAgeMs: number;
  #leases: Lease[] = [];

  constructor(maxAgeMs: number) {
    this.#maxAgeMs = maxAgeMs;
  }

  get size(): number {
    return this.#leases.length;
  }

  /** Keeps `leases` (granted at their `grantedAtMs`). */
  put(leases: Lease[]): void {
    this.#leases.push(...leases);
  }

  /** Up to `max` leases still fresh at `nowMs`, oldest first, and every stale one (removed too). */
  take(max: number, nowMs: number): { fresh: Lease[]; stale: Lease[] } {
    const stale: Lease[] = [];
    const fresh: Lease[] = [];
    const kept: Lease[] = [];
    for (const lease of this.#leases) {
      if (nowMs - (lease.grantedAtMs ?? nowMs) > this.#maxAgeMs) stale.push(lease);
      else if (fresh.length < max) fresh.push(lease);
      else kept.push(lease);
    }
    this.#leases = kept;
    return { fresh, stale };
  }

  /** Removes and returns every lease (the frontier closes: they go back in the queue). */
  drain(): Lease[] {
    const all = this.#leases;
    this.#leases = [];
    return all;
  }
}
