/**
 * A write buffer in front of a `SegmentLog`: `add` only buffers, `flush`
 * writes everything buffered as one segment. Flushes are serialised (a flush
 * called while one is running waits for it, then writes what was added
 * since), an empty buffer writes nothing, and a failed flush keeps the items
 * buffered so the next flush writes them. The log is opened on first use.
 * Shared by the page store and the frontier journal.
 */
import type { SegmentLog } from './segment-log.js';

export class BatchedLog<T> {
  readonly #openLog: () => Promise<SegmentLog<T>>;
  readonly #buffer: T[] = [];
  #log: Promise<SegmentLog<T>> | undefined;
  /** The newest segment whose items have left the buffer; undefined until the log is open. */
  #committedSeq: number | undefined;
  #tail: Promise<unknown> = Promise.resolve();

  /** `openLog` is called once, on first use (again after it failed). */
  constructor(openLog: () => Promise<SegmentLog<T>>) {
    this.#openLog = openLog;
  }

  /** Items buffered and not yet on disk. */
  get pending(): number {
    return this.#buffer.length;
  }

  add(item: T): void {
    this.#buffer.push(item);
  }

  /**
   * Writes the buffer as one segment; resolves once it is on disk. With
   * `before`, the flush first awaits `before()` and then writes only the
   * items added before `before` was called (items added meanwhile wait for
   * the next flush): a write barrier for state this batch depends on.
   */
  flush(before?: () => Promise<void>): Promise<void> {
    const run = this.#tail.then(async () => {
      const count = this.#buffer.length;
      if (count === 0) return;
      if (before) await before();
      await this.#writeBuffered(count);
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Every item, in write order: the segments on disk, then the buffer. The
   * snapshot is taken at the call, so an item is yielded once even when a
   * flush finishes while the caller is still reading.
   */
  iterate(): AsyncIterable<T> {
    const committedSeq = this.#committedSeq;
    const buffered = this.#buffer.slice();
    const ready = this.ready();
    return (async function* () {
      const log = await ready;
      // Not open at the call: nothing was written through us yet, so the
      // segments present at opening are exactly the committed ones.
      yield* log.read({ upToSeq: committedSeq ?? log.lastSeqAtOpen });
      yield* buffered;
    })();
  }

  /** The opened log. */
  ready(): Promise<SegmentLog<T>> {
    if (!this.#log) {
      const opening = this.#openLog().then((log) => {
        this.#committedSeq ??= log.lastSeq;
        return log;
      });
      this.#log = opening;
      opening.catch(() => {
        if (this.#log === opening) this.#log = undefined;
      });
    }
    return this.#log;
  }

  /** Writes the first `count` buffered items (flushes are serialised, so they are exactly the batch). */
  async #writeBuffered(count: number): Promise<void> {
    const log = await this.ready();
    const seq = await log.append(this.#buffer.slice(0, count));
    this.#buffer.splice(0, count);
    if (seq !== undefined) this.#committedSeq = seq;
  }
}
