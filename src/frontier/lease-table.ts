/**
 * The leases a frontier has handed out and not yet taken back (MemoryFrontier),
 * with their expiry times in a heap: finding the expired ones costs
 * O(log leases) each, never a scan. Entries of leases taken back early stay in
 * the heap until they surface or outnumber the live ones.
 */
import type { Lease } from '../core/types.js';
import { MinHeap } from './min-heap.js';

export class LeaseTable<T extends { lease: Lease }> {
  readonly #live = new Map<string, T>();
  readonly #expiries = new MinHeap<{ at: number; seq: number; leaseId: string }>();
  #seq = 0;

  get size(): number {
    return this.#live.size;
  }

  get(leaseId: string): T | undefined {
    return this.#live.get(leaseId);
  }

  add(entry: T): void {
    this.#live.set(entry.lease.leaseId, entry);
    this.#expiries.push({ at: entry.lease.expiresAt, seq: this.#seq++, leaseId: entry.lease.leaseId });
  }

  /** Takes a live lease back (undefined when it was taken back or expired already). */
  take(leaseId: string): T | undefined {
    const entry = this.#live.get(leaseId);
    if (entry) this.#live.delete(leaseId);
    this.#compact();
    return entry;
  }

  /** Takes back the next lease expired at `nowMs`, if any. */
  takeExpired(nowMs: number): T | undefined {
    while (this.#expiries.size > 0 && this.#expiries.peek()!.at <= nowMs) {
      const entry = this.#live.get(this.#expiries.pop()!.leaseId);
      if (!entry) continue;
      this.#live.delete(entry.lease.leaseId);
      return entry;
    }
    return undefined;
  }

  /** When the first live lease expires (Infinity when none is out). */
  firstExpiry(): number {
    while (this.#expiries.size > 0 && !this.#live.has(this.#expiries.peek()!.leaseId)) this.#expiries.pop();
    return this.#expiries.peek()?.at ?? Infinity;
  }

  /** Drops expiry entries of leases taken back once they outnumber the live ones. */
  #compact(): void {
    const heap = this.#expiries;
    if (heap.size < 1024 || heap.size < 4 * this.#live.size) return;
    const live = heap.items.filter((e) => this.#live.has(e.leaseId));
    heap.items.length = 0;
    for (const e of live) heap.push(e);
  }
}
