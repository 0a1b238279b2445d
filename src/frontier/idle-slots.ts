/**
 * The politeness slots of hosts the frontier has forgotten (nothing queued,
 * nothing in flight) that it must still honour: a policy of their own (a
 * robots Crawl-delay) or a spacing or backoff time still in the future. Slots
 * that no longer matter are swept every few thousand evictions, so this grows
 * with the hosts that have a Crawl-delay, not with every host met.
 */
import type { HostPolicy } from './frontier.js';
import type { HostSlot } from '../politeness/host-slot.js';

/** Evictions between two sweeps of the slots whose times have passed. */
const SWEEP_EVERY = 4096;

export class IdleSlots {
  readonly #policy: HostPolicy;
  readonly #slots = new Map<string, HostSlot>();
  #evictions = 0;

  constructor(policy: HostPolicy) {
    this.#policy = policy;
  }

  /** The slot kept for `host`, removed from here (the host is held again). */
  take(host: string): HostSlot | undefined {
    const slot = this.#slots.get(host);
    if (slot) this.#slots.delete(host);
    return slot;
  }

  /** Keeps the slot of a host just forgotten if politeness still needs it. */
  keep(slot: HostSlot, nowMs: number): void {
    if (this.#matters(slot, nowMs)) this.#slots.set(slot.host, slot);
    if (++this.#evictions % SWEEP_EVERY === 0) {
      for (const [host, idle] of this.#slots) if (!this.#matters(idle, nowMs)) this.#slots.delete(host);
    }
  }

  /** A slot with a policy of its own, or a time still to wait for. */
  #matters(slot: HostSlot, nowMs: number): boolean {
    const policy = this.#policy;
    return slot.delayMs !== Math.max(0, policy.delayMs) || slot.parallelism !== Math.max(1, policy.parallelism) || Math.max(slot.nextAllowedAt, slot.backoffUntil) > nowMs;
  }
}
