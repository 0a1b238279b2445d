/**
 * One segment being written. Each item is stringified when it is added and
 * streamed to a temp file next to the segments, in chunks, so the items of a
 * batch waiting for its checkpoint are held by the disk, not by the heap.
 * `commit` (through `SegmentLog.commit`) completes the document and renames
 * it into place, so a segment is either whole or absent.
 *
 * Why: a page record lives from its parse to its checkpoint, up to a batch
 * (200 pages) or two seconds. Held as an object for that long it outlived
 * the young generation and was promoted, and the old generation, which V8
 * lets grow to several times its live size between full collections, grew
 * with it: the main process's peak RSS in the 10,000-page benchmark was
 * 25–35 MB higher with whole records buffered than with records written as
 * they came (docs/performance.md). Now a record is garbage once `add`
 * returns. Its JSON is encoded straight into the chunk's buffer (outside
 * the JS heap), so no string longer than one item's line is ever built:
 * joining lines into a chunk string and encoding that copied every page's
 * text twice more on the heap.
 *
 * Format (one compact item per line, `grep` finds a page, `JSON.parse` reads
 * the whole):
 *
 *     {"version":1,"items":[
 *     {…item 1…},
 *     {…item 2…}
 *     ]}
 *
 * Failures: `add` throws (before changing anything) for an item JSON cannot
 * write (a BigInt, a cycle). A failed chunk write (disk full) keeps that
 * chunk and the ones after it in memory; `finish` retries them at the same
 * file offset, so a failed checkpoint loses nothing and the next one writes
 * it. The temp file of a process killed meanwhile is ignored by readers and
 * removed by the next writer in the directory.
 */
import type { FileHandle } from 'node:fs/promises';
import { rename } from 'node:fs/promises';

/**
 * Bytes per write. A line that may not fit an empty chunk (3 bytes a UTF-16
 * unit at most) is encoded into a buffer of its own.
 */
export const CHUNK_BYTES = 256 * 1024;

export interface SegmentWriterOptions<T> {
  /** The format version written in the document's header. */
  version: number;
  /** The key of an item, collected for the segment's keys sidecar. @default undefined (no keys) */
  keyOf?: ((item: T) => string) | undefined;
  /** Items to count in `marked` (for the keys sidecar). @default undefined (none) */
  markOf?: ((item: T) => boolean) | undefined;
  /** Creates the temp file (exclusively) the first time a chunk is written. */
  createTemp: () => Promise<{ path: string; handle: FileHandle }>;
}

export class SegmentWriter<T> {
  /** Keys of the items added, in order (empty without `keyOf`). */
  readonly keys: string[] = [];
  /** Items added that `markOf` marked. */
  marked = 0;
  readonly #options: SegmentWriterOptions<T>;
  #count = 0;
  /** The chunk being filled (bytes `0..#used`), handed to a write when full. */
  #chunk: Buffer | undefined;
  #used = 0;
  /** Chunks handed over and not yet written (a failed write leaves them here). */
  readonly #unwritten: Buffer[] = [];
  /** Bytes written to the temp file so far: where the next chunk goes. */
  #bytes = 0;
  #temp: { path: string; handle: FileHandle } | undefined;
  #writes: Promise<void> = Promise.resolve();
  #ended = false;
  #closed = false;

  constructor(options: SegmentWriterOptions<T>) {
    this.#options = options;
  }

  /** Items added. */
  get count(): number {
    return this.#count;
  }

  /**
   * Adds one item; its text goes to the temp file with the next full chunk.
   * Throws (and adds nothing) when JSON cannot represent it.
   */
  add(item: T): void {
    if (this.#ended) throw new Error('segment writer: add after finish');
    // undefined (and functions) become null inside an array, as JSON.stringify does.
    const line = JSON.stringify(item) ?? 'null';
    const key = this.#options.keyOf?.(item);
    this.#append(this.#count === 0 ? `{"version":${this.#options.version},"items":[\n` : ',\n');
    this.#append(line);
    this.#count++;
    if (key !== undefined) this.keys.push(key);
    if (this.#options.markOf?.(item)) this.marked++;
  }

  /**
   * Ends the document and writes everything still in memory; the temp file
   * is then complete and closed. Rejects when a write fails; call again to
   * retry (nothing is lost or written twice).
   */
  async finish(): Promise<void> {
    if (this.#count === 0) return;
    if (!this.#ended) {
      this.#append('\n]}\n');
      this.#ended = true;
      this.#handOver();
    }
    await this.#writes;
    await this.#drain();
    if (!this.#closed) {
      await this.#temp!.handle.close();
      this.#closed = true;
    }
  }

  /**
   * Gives up on this segment after a failure that will not be retried (the
   * store is being closed): closes the temp file, which stays on disk for the
   * next writer's clean-up. Its items are lost, like a buffer at a kill.
   */
  async abandon(): Promise<void> {
    this.#ended = true;
    await this.#writes; // a write in progress ends (or fails) first
    this.#unwritten.length = 0;
    if (this.#temp && !this.#closed) {
      this.#closed = true;
      await this.#temp.handle.close().catch(() => undefined);
    }
  }

  /** Renames the finished temp file to `file`. */
  async moveTo(file: string): Promise<void> {
    if (!this.#temp || !this.#closed) throw new Error('segment writer: moveTo before finish');
    await rename(this.#temp.path, file);
  }

  /** Encodes `text` at the end of the chunk, handing the chunk over first when it might not fit. */
  #append(text: string): void {
    const most = text.length * 3;
    if (this.#chunk && this.#used + most > this.#chunk.length) this.#handOver();
    if (most > CHUNK_BYTES) {
      this.#queue(Buffer.from(text));
      return;
    }
    this.#chunk ??= Buffer.allocUnsafeSlow(CHUNK_BYTES);
    this.#used += this.#chunk.write(text, this.#used);
  }

  #handOver(): void {
    if (!this.#chunk || this.#used === 0) return;
    const filled = this.#chunk.subarray(0, this.#used);
    this.#chunk = undefined;
    this.#used = 0;
    this.#queue(filled);
  }

  #queue(buffer: Buffer): void {
    this.#unwritten.push(buffer);
    // A failure leaves the chunks queued; the next hand-over or `finish` tries again.
    this.#writes = this.#writes.then(() => this.#drain()).catch(() => undefined);
  }

  async #drain(): Promise<void> {
    while (this.#unwritten.length > 0) {
      this.#temp ??= await this.#options.createTemp();
      const buffer = this.#unwritten[0]!;
      const { bytesWritten } = await this.#temp.handle.write(buffer, 0, buffer.length, this.#bytes);
      this.#bytes += bytesWritten;
      if (bytesWritten < buffer.length) this.#unwritten[0] = buffer.subarray(bytesWritten);
      else this.#unwritten.shift();
    }
  }
}
