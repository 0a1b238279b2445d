/**
 * Whose turn it is among the hosts with something to hand out: two host
 * schedules (host-schedule.ts), one for hosts without a delay and one for
 * hosts with a delay (a Crawl-delay). When both have a host ready, the spaced
 * one goes first: each of its requests costs it a whole delay, so a turn it
 * waits for lengthens the crawl, while a host without a delay catches up with
 * parallel requests. A spaced host takes at most one request per delay, so it
 * never starves the others.
 */
import { HostSchedule, type Scheduled } from './host-schedule.js';

/** A host as the turns see it: its place in a schedule, and which schedule. */
export interface TakesTurns extends Scheduled {
  /** The schedule the host is in (while `scheduleIndex` ≥ 0): hosts with a delay have their own. */
  spaced: boolean;
}

export class HostTurns<T extends TakesTurns> {
  readonly #plain = new HostSchedule<T>();
  readonly #spaced = new HostSchedule<T>();

  /**
   * Schedules `host` at `at` in the schedule `spaced` names (Infinity: takes it out). A host
   * whose time did not change keeps its turn, unless it just had one (`turnTaken`).
   */
  set(host: T, at: number, spaced: boolean, turnTaken = false): void {
    if (host.scheduleIndex >= 0 && (at === Infinity || host.spaced !== spaced)) this.remove(host);
    if (at === Infinity) return;
    host.spaced = spaced;
    if (turnTaken || host.scheduleIndex < 0 || host.scheduleAt !== at) (spaced ? this.#spaced : this.#plain).set(host, at);
  }

  remove(host: T): void {
    if (host.scheduleIndex >= 0) (host.spaced ? this.#spaced : this.#plain).remove(host);
  }

  /** The host to lease from next at `nowMs`: a ready spaced host first, else the first ready host. */
  next(nowMs: number): T | undefined {
    const spaced = this.#spaced.peek();
    if (spaced && spaced.scheduleAt <= nowMs) return spaced;
    const host = this.#plain.peek();
    return host && host.scheduleAt <= nowMs ? host : undefined;
  }

  /** When the first scheduled host may start (Infinity when none is scheduled). */
  firstAt(): number {
    return Math.min(this.#plain.peek()?.scheduleAt ?? Infinity, this.#spaced.peek()?.scheduleAt ?? Infinity);
  }
}
