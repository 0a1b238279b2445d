/**
 * A batch in front of a `SegmentLog`: `add` hands each item to the open
 * segment's writer (which streams it to a temp file, see segment-writer.ts),
 * `flush` makes everything added so far one new segment. Flushes are
 * serialised (a flush called while one is running waits for it, then
 * commits what was added since), an empty batch writes nothing, and a failed
 * flush keeps its batch so the next flush commits it first. The log is
 * opened on first use. Shared by the page store and the frontier journal.
 */
import { SegmentLog, segmentWriter, type SegmentLogOptions } from './segment-log.js';
import type { SegmentWriter } from './segment-writer.js';

export class BatchedLog<T> {
  readonly #dir: string;
  readonly #options: SegmentLogOptions<T>;
  #log: Promise<SegmentLog<T>> | undefined;
  /** The batch receiving `add`. */
  #open: SegmentWriter<T> | undefined;
  /** Batches closed by a flush and not yet committed, oldest first. */
  readonly #sealed: SegmentWriter<T>[] = [];
  #tail: Promise<unknown> = Promise.resolve();

  constructor(dir: string, options: SegmentLogOptions<T> = {}) {
    this.#dir = dir;
    this.#options = options;
  }

  /** Items added and not yet in a committed segment. */
  get pending(): number {
    let count = this.#open?.count ?? 0;
    for (const writer of this.#sealed) count += writer.count;
    return count;
  }

  /** Adds one item to the open batch. Throws (adding nothing) for an item JSON cannot write. */
  add(item: T): void {
    // The log is opened when the batch's first chunk is written.
    this.#open ??= segmentWriter(this.#options, async () => (await this.ready()).createTemp());
    this.#open.add(item);
  }

  /**
   * Commits the batch as one segment; resolves once it is on disk. With
   * `before`, the batch is closed at the call (items added from then on go
   * to the next batch), then `before()` is awaited, then the batch is
   * committed: a write barrier for state this batch depends on.
   */
  flush(before?: () => Promise<void>): Promise<void> {
    return this.#flush(before).then(() => undefined);
  }

  /**
   * Gives up on what is not committed (after a flush that failed for good, at
   * close): closes the open temp files, leaving them for the next clean-up.
   */
  async abandon(): Promise<void> {
    const writers = [...this.#sealed.splice(0), ...(this.#open ? [this.#open] : [])];
    this.#open = undefined;
    await Promise.all(writers.map((writer) => writer.abandon()));
  }

  /** `flush`, resolving with the number of the newest segment right after it (read inside the serialised run). */
  #flush(before?: () => Promise<void>): Promise<number> {
    if (this.#open && this.#open.count > 0) this.#sealed.push(this.#open);
    this.#open = undefined;
    // This flush commits up to its own batch (older ones a failed flush left come first).
    const last = this.#sealed.at(-1);
    const run = this.#tail.then(async () => {
      if (last && this.#sealed.includes(last)) {
        if (before) await before();
        const log = await this.ready();
        for (;;) {
          const writer = this.#sealed[0]!;
          await log.commit(writer);
          this.#sealed.shift();
          if (writer === last) break;
        }
      }
      return (await this.ready()).lastSeq;
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Every item in write order. Commits what was added before the call first
   * (a flush with `before` as its barrier), then streams the segments, so
   * items added during the iteration are not yielded.
   */
  iterate(before?: () => Promise<void>): AsyncIterable<T> {
    const flushed = this.#flush(before);
    flushed.catch(() => undefined); // reported when iterated
    const ready = () => this.ready();
    return (async function* () {
      const upToSeq = await flushed;
      yield* (await ready()).read({ upToSeq });
    })();
  }

  /** The opened log. */
  ready(): Promise<SegmentLog<T>> {
    if (!this.#log) {
      const opening = SegmentLog.open<T>(this.#dir, this.#options);
      this.#log = opening;
      opening.catch(() => {
        if (this.#log === opening) this.#log = undefined;
      });
    }
    return this.#log;
  }
}
