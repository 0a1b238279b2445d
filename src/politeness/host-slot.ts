/**
 * Politeness as data: one `HostSlot` record per host and pure functions over
 * it. The frontiers (memory and Redis) are the one place that enforces it; the
 * Redis Lua scripts mirror these rules exactly (see frontier/redis-shard-scripts.ts).
 *
 * Rules:
 * - a request may start when fewer than `maxInFlight` are in flight and the
 *   clock has passed both `nextAllowedAt` (spacing) and `backoffUntil`;
 * - each start pushes `nextAllowedAt` to `now + delayMs × (1 + jitterFraction)`;
 * - a finish frees one in-flight place and counts consecutive failures;
 * - a request no lease stands for (a redirect hop, a sitemap) books its start with
 *   `bookStart`: it waits for the spacing and the backoff, then pushes `nextAllowedAt`;
 * - a host with a delay (configured or robots `Crawl-delay`) gets one request
 *   at a time, and a finish also pushes `nextAllowedAt` to `now + delayMs`:
 *   the next request starts at least the delay after the previous one ended,
 *   so the server sees requests at least the delay apart however late the
 *   crawler sent the previous one or the server noted it (Nutch's rule).
 */
import type { HostPolicy } from '../frontier/frontier.js';

export interface HostSlot {
  /** `host[:port]` as in `new URL(key).host`. */
  host: string;
  /** Requests in flight to this host at most. */
  parallelism: number;
  /** Minimum spacing between request starts, ms. */
  delayMs: number;
  /** Requests started and not finished. */
  inFlight: number;
  /** Epoch ms before which no new request starts (spacing). */
  nextAllowedAt: number;
  /** Epoch ms before which no new request starts (429/503/errors). */
  backoffUntil: number;
  /** Failures since the last success. */
  consecutiveFailures: number;
}

/** A fresh slot: nothing in flight, may start at once. */
export function newHostSlot(host: string, policy: HostPolicy): HostSlot {
  return {
    host,
    parallelism: Math.max(1, policy.parallelism),
    delayMs: Math.max(0, policy.delayMs),
    inFlight: 0,
    nextAllowedAt: 0,
    backoffUntil: 0,
    consecutiveFailures: 0,
  };
}

/** Requests the host may have in flight: `parallelism`, or 1 when it has a delay. */
export function maxInFlight(slot: HostSlot): number {
  return slot.delayMs > 0 ? 1 : slot.parallelism;
}

/**
 * When the host may start its next request: the later of the spacing and the
 * backoff times, or `Infinity` while `maxInFlight` requests are in flight.
 */
export function readyAt(slot: HostSlot): number {
  if (slot.inFlight >= maxInFlight(slot)) return Infinity;
  return Math.max(slot.nextAllowedAt, slot.backoffUntil);
}

/** Whether a request to this host may start at `nowMs`. */
export function canStart(slot: HostSlot, nowMs: number): boolean {
  return readyAt(slot) <= nowMs;
}

/**
 * The slot after a request started at `nowMs`. `jitterFraction` is the extra
 * spacing as a fraction of `delayMs`, already drawn by the caller
 * (e.g. `jitter * Math.random()`), so this stays pure.
 * @default jitterFraction 0
 */
export function startRequest(slot: HostSlot, nowMs: number, jitterFraction = 0): HostSlot {
  const extra = Math.max(0, jitterFraction);
  return {
    ...slot,
    inFlight: slot.inFlight + 1,
    nextAllowedAt: nowMs + Math.round(slot.delayMs * (1 + extra)),
  };
}

/**
 * The slot after a request finished at `nowMs`. `succeeded: false` (failed or
 * sent back for a retry) counts a consecutive failure; `true` resets the
 * count. A host with a delay may not start again before `nowMs + delayMs`.
 */
export function finishRequest(slot: HostSlot, succeeded: boolean, nowMs: number): HostSlot {
  return {
    ...slot,
    inFlight: Math.max(0, slot.inFlight - 1),
    nextAllowedAt: slot.delayMs > 0 ? Math.max(slot.nextAllowedAt, nowMs + slot.delayMs) : slot.nextAllowedAt,
    consecutiveFailures: succeeded ? 0 : slot.consecutiveFailures + 1,
  };
}

/** The slot after a backoff until `untilMs`; an earlier time never shortens a longer backoff. */
export function backOff(slot: HostSlot, untilMs: number): HostSlot {
  return { ...slot, backoffUntil: Math.max(slot.backoffUntil, untilMs) };
}

/** The slot with a changed policy (e.g. robots Crawl-delay); in-flight state is kept. */
export function withPolicy(slot: HostSlot, policy: Partial<HostPolicy>): HostSlot {
  return {
    ...slot,
    parallelism: policy.parallelism === undefined ? slot.parallelism : Math.max(1, policy.parallelism),
    delayMs: policy.delayMs === undefined ? slot.delayMs : Math.max(0, policy.delayMs),
  };
}

/**
 * A start booked outside a lease (see `Frontier.bookHost`): when it may start (at once with
 * `sentNow`, else after the spacing and the backoff) and the slot after it, whose next start is
 * at least that time plus `delayMs`. In-flight places are not counted.
 */
export function bookStart(slot: HostSlot, nowMs: number, sentNow = false): { slot: HostSlot; startAt: number } {
  const startAt = sentNow ? nowMs : Math.max(nowMs, slot.nextAllowedAt, slot.backoffUntil);
  return { startAt, slot: { ...slot, nextAllowedAt: Math.max(slot.nextAllowedAt, startAt + slot.delayMs) } };
}

/**
 * Added to every non-zero per-host delay a crawl schedules with: the clock the
 * schedule reads (`Date.now()`) counts whole milliseconds, so two requests
 * booked exactly `delayMs` apart on it can be up to a millisecond closer on a
 * finer clock (a server's). Seen on a 20,000-host crawl: five Crawl-delay
 * hosts got two requests 249.8 ms apart for a 250 ms delay.
 */
export const CLOCK_GRAIN_MS = 1;

/** The delay a host's schedule uses for a per-host delay (configured or Crawl-delay). Pure. */
export function spacedDelayMs(delayMs: number): number {
  return delayMs > 0 ? delayMs + CLOCK_GRAIN_MS : 0;
}
