/**
 * Whose turn it is among the hosts with something to hand out, in three host
 * schedules (host-schedule.ts):
 * - hosts with a delay (a Crawl-delay), by the time they may start next;
 * - hosts without one that may not start yet (backed off), by that time;
 * - hosts without one that may start now, by rank (the caller's: hosts not
 *   served yet first), then round-robin.
 *
 * When a host with a delay is ready it goes first: each of its requests costs
 * it a whole delay, so a turn it waits for lengthens the crawl, while a host
 * without a delay catches up with parallel requests. It takes at most one
 * request per delay, so it never starves the others.
 *
 * Among the others, a host just met gets its first request (and with it its
 * robots.txt, which tells its Crawl-delay) before the next turn of hosts
 * already crawling, instead of waiting for a round over thousands of ready
 * hosts: a host met late with many pages and a long delay starts its clock at
 * once. After that, hosts take turns by the time they became ready. (Ranking
 * every host by requests served starved hosts with many slow pages: they
 * ended up last, and the crawl waited for them.) On one host nothing changes.
 *
 * Time only moves forward: `next(nowMs)` moves the hosts that became ready by
 * `nowMs` to the ready schedule, each once, so a lease stays O(log hosts).
 */
import { HostSchedule, type Scheduled } from './host-schedule.js';

const SPACED = 0;
const WAITING = 1;
const READY = 2;

/** A host as the turns see it: its place in a schedule, which one, and its rank once ready. */
export interface TakesTurns extends Scheduled {
  /** The schedule the host is in (while `scheduleIndex` ≥ 0). */
  turn: number;
  /** Lower goes first among ready hosts without a delay. */
  turnRank: number;
}

export class HostTurns<T extends TakesTurns> {
  readonly #schedules = [new HostSchedule<T>(), new HostSchedule<T>(), new HostSchedule<T>()] as const;
  /** The latest time `next` was asked about: every host without a delay ready by then is in READY. */
  #now = -Infinity;

  /**
   * Schedules `host` to start at `at` (Infinity: takes it out), with `rank` once ready;
   * `spaced`: the host has a delay. A host whose time and rank did not change keeps its turn,
   * unless it just had one (`turnTaken`).
   */
  set(host: T, at: number, spaced: boolean, rank: number, turnTaken = false): void {
    if (at === Infinity) return this.remove(host);
    const turn = spaced ? SPACED : at <= this.#now ? READY : WAITING;
    host.turnRank = rank;
    const key = turn === READY ? rank : at;
    if (host.scheduleIndex >= 0 && host.turn !== turn) this.remove(host);
    host.turn = turn;
    if (turnTaken || host.scheduleIndex < 0 || host.scheduleAt !== key) this.#schedules[turn].set(host, key);
  }

  remove(host: T): void {
    if (host.scheduleIndex >= 0) this.#schedules[host.turn]!.remove(host);
  }

  /** The host to lease from next at `nowMs`: a ready host with a delay first, else the ready host of lowest rank. */
  next(nowMs: number): T | undefined {
    if (nowMs > this.#now) this.#now = nowMs;
    const spaced = this.#schedules[SPACED].peek();
    if (spaced && spaced.scheduleAt <= nowMs) return spaced;
    const waiting = this.#schedules[WAITING];
    const ready = this.#schedules[READY];
    for (let host = waiting.peek(); host && host.scheduleAt <= this.#now; host = waiting.peek()) {
      waiting.remove(host);
      host.turn = READY;
      ready.set(host, host.turnRank);
    }
    return ready.peek();
  }

  /** When the first scheduled host may start (Infinity when none is scheduled). */
  firstAt(): number {
    const [spaced, waiting, ready] = this.#schedules;
    if (ready.size > 0) return this.#now;
    return Math.min(spaced.peek()?.scheduleAt ?? Infinity, waiting.peek()?.scheduleAt ?? Infinity);
  }
}
