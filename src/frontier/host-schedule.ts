/**
 * A host schedule of the frontier's (host-turns.ts): hosts with something to
 * hand out, keyed by the time each may start its next request (or, for hosts
 * ready now, by rank), in an indexed binary min-heap. Each host is in it at
 * most once (it knows its own position), so moving a host to a new key, or
 * taking it out, is O(log hosts) and the heap never holds stale entries: its size is the number of scheduled hosts,
 * however often they are rescheduled. Equal keys come out in the order they
 * were scheduled (round-robin among ready hosts).
 */

/** What the schedule stores in a host: its position (-1 when not scheduled), time and tie-breaker. */
export interface Scheduled {
  scheduleIndex: number;
  scheduleAt: number;
  scheduleSeq: number;
}

export class HostSchedule<T extends Scheduled> {
  readonly #heap: T[] = [];
  #seq = 0;

  get size(): number {
    return this.#heap.length;
  }

  /** The host that may go first, without removing it. */
  peek(): T | undefined {
    return this.#heap[0];
  }

  /** Puts `item` at `at` (inserted, or moved if already scheduled); it goes after items already at `at`. */
  set(item: T, at: number): void {
    item.scheduleAt = at;
    item.scheduleSeq = this.#seq++;
    if (item.scheduleIndex < 0) {
      item.scheduleIndex = this.#heap.length;
      this.#heap.push(item);
      this.#up(item.scheduleIndex);
    } else {
      this.#up(item.scheduleIndex);
      this.#down(item.scheduleIndex);
    }
  }

  /** Takes `item` out (nothing when it is not scheduled). */
  remove(item: T): void {
    const i = item.scheduleIndex;
    if (i < 0) return;
    const last = this.#heap.pop()!;
    item.scheduleIndex = -1;
    if (last === item) return;
    this.#heap[i] = last;
    last.scheduleIndex = i;
    this.#up(i);
    this.#down(last.scheduleIndex);
  }

  #up(i: number): void {
    const a = this.#heap;
    const item = a[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = a[p]!;
      if (!before(item, parent)) break;
      a[i] = parent;
      parent.scheduleIndex = i;
      i = p;
    }
    a[i] = item;
    item.scheduleIndex = i;
  }

  #down(i: number): void {
    const a = this.#heap;
    const item = a[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const r = l + 1;
      const child = r < a.length && before(a[r]!, a[l]!) ? r : l;
      if (!before(a[child]!, item)) break;
      a[i] = a[child]!;
      a[i]!.scheduleIndex = i;
      i = child;
    }
    a[i] = item;
    item.scheduleIndex = i;
  }
}

function before(x: Scheduled, y: Scheduled): boolean {
  return x.scheduleAt < y.scheduleAt || (x.scheduleAt === y.scheduleAt && x.scheduleSeq < y.scheduleSeq);
}
