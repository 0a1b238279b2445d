/**
 * An append-only log of numbered lowdb JSON segment files in one directory
 * (`000001.json`, `000002.json`, …). Each commit adds ONE new segment, so
 * the cost of a write is proportional to the batch and independent of how
 * much is already stored: old segments are never read, rewritten or deleted.
 *
 * Format: one JSON document per segment, `{"version":1,"items":[…]}`, with
 * one compact item per line (`grep` finds a page; `JSON.parse` reads the
 * whole). Compact lines cost the main process ~35% less to stringify than
 * lowdb's default two-space indentation, and the store runs on the crawl's
 * busiest thread.
 *
 * A segment is written by a `SegmentWriter` (`openSegment`), which streams
 * each item to a temp file as it is added (see segment-writer.ts: buffered
 * records were a large share of the main process's peak heap), and becomes a
 * segment with `commit`. Segments are read back a line at a time
 * (parse-segment-lines.ts), or with lowdb's `JSONFile` when a file is not in
 * that compact format (written by an older skein, edited, damaged).
 *
 * Crash safety: a writer's temp file (`.open-<uuid>.json.tmp`) is renamed
 * into place once complete, so after a kill a segment is either complete or
 * absent. Leftover temp files are ignored, and removed before this log first
 * writes: one writing process per directory (a second one's clean-up would
 * remove the first one's open temp file, which its next commit reports as
 * `ERR_STORE_CONFLICT`). A segment that is not valid JSON or not a segment (someone edited
 * it, a disk fault) raises a `StoreError` (`ERR_STORE_CORRUPT`) naming the
 * file; it is never overwritten or deleted, and new segments are numbered
 * after the highest number present.
 *
 * With `keyOf`, each segment also gets a keys sidecar (`000007.keys.json`,
 * written atomically right after its segment) so that `readKeys` reads a few
 * bytes per item instead of whole segments. A sidecar is derived data and
 * never trusted alone: it is used only next to its segment and only while the
 * segment has the byte size the sidecar recorded; otherwise (killed between
 * the two writes, a truncated segment…) the segment itself is read.
 */
import { randomUUID } from 'node:crypto';
import { lstat, mkdir, open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { StoreError } from '../core/errors.js';
import { parseSegmentLines } from './parse-segment-lines.js';
import { keysSidecarPath, readKeysSidecar, writeKeysSidecar, type SegmentIndex } from './keys-sidecar.js';
import { SegmentWriter, type SegmentWriterOptions } from './segment-writer.js';

/** The format version written into every segment. */
export const SEGMENT_VERSION = 1;

export interface SegmentFile {
  seq: number;
  path: string;
}

export interface SegmentLogOptions<T = unknown> {
  /** Names the log in error messages, e.g. "page segment". @default "segment" */
  label?: string;
  /**
   * Checks one item read back from disk; returns a description of what is
   * wrong, or undefined when the item is fine. @default accepts everything
   */
  checkItem?: (value: unknown) => string | undefined;
  /**
   * Tells the user what moving a corrupt segment aside costs, appended to the
   * corrupt-segment message. @default ""
   */
  corruptHint?: string;
  /** The key of an item; when set, every segment gets a keys sidecar (see `readIndex`). @default undefined */
  keyOf?: (item: T) => string;
  /** Items the sidecar counts as `marked` (see `readIndex`). @default undefined (none) */
  markOf?: (item: T) => boolean;
}

const SEGMENT_NAME = /^(\d{6,})\.json$/;
/** Temp files of writers (`.open-<uuid>.json.tmp`) and of lowdb's atomic writes (`.000007.keys.json.tmp`). */
const TEMP_NAME = /^\.(?:open-[0-9a-f-]+|\d{6,}(?:\.keys)?)\.json\.tmp$/;

/** `7` → `000007.json`. */
export function segmentFileName(seq: number): string {
  return `${String(seq).padStart(6, '0')}.json`;
}

/** The sequence number of a segment file name, or undefined for any other file. */
export function parseSegmentFileName(name: string): number | undefined {
  const match = SEGMENT_NAME.exec(name);
  if (!match?.[1]) return undefined;
  const seq = Number(match[1]);
  // Exactly one spelling per number: "0000007.json" is not segment 7.
  return seq > 0 && segmentFileName(seq) === name ? seq : undefined;
}

/** A writer for a segment of a log with these options; `createTemp` creates its temp file (see `SegmentLog.createTemp`). */
export function segmentWriter<T>(options: SegmentLogOptions<T>, createTemp: SegmentWriterOptions<T>['createTemp']): SegmentWriter<T> {
  return new SegmentWriter<T>({ version: SEGMENT_VERSION, keyOf: options.keyOf, markOf: options.markOf, createTemp });
}

export class SegmentLog<T> {
  readonly dir: string;
  readonly #options: SegmentLogOptions<T>;
  #lastSeq: number;
  #tail: Promise<unknown> = Promise.resolve();
  #preparing: Promise<void> | undefined;

  /** Use `SegmentLog.open`. */
  constructor(dir: string, lastSeq: number, options: SegmentLogOptions<T> = {}) {
    this.dir = dir;
    this.#lastSeq = lastSeq;
    this.#options = options;
  }

  /**
   * Opens the log in `dir` without changing anything on disk (readers such
   * as `skein status` may open a crawl another process is writing): finds the
   * highest segment number present. A missing directory is an empty log; it
   * is created, and temp files left by a killed writer are removed, by the
   * first `append`.
   */
  static async open<T>(dir: string, options: SegmentLogOptions<T> = {}): Promise<SegmentLog<T>> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        const label = options.label ?? 'segment';
        throw new StoreError('ERR_STORE_READ', `could not open the ${label} directory ${dir}: ${messageOf(error)}`, {
          cause: error,
        });
      }
      names = [];
    }
    let lastSeq = 0;
    for (const name of names) {
      const seq = parseSegmentFileName(name);
      if (seq !== undefined && seq > lastSeq) lastSeq = seq;
    }
    return new SegmentLog<T>(dir, lastSeq, options);
  }

  /** Number of the newest segment written or found (0 when there is none). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /**
   * Writes `items` as one new segment and returns its number; an empty batch
   * writes nothing and returns undefined. Calls are serialised. A failed write
   * (`ERR_STORE_WRITE`, retryable) leaves no segment and can be retried.
   */
  async append(items: readonly T[]): Promise<number | undefined> {
    const writer = this.openSegment();
    for (const item of items) writer.add(item);
    return this.commit(writer);
  }

  /** A writer for a new segment: its items go to a temp file as they are added; `commit` makes it a segment. */
  openSegment(): SegmentWriter<T> {
    return segmentWriter(this.#options, () => this.createTemp());
  }

  /**
   * Makes `writer`'s items the next segment and returns its number (undefined
   * when it holds none). Calls are serialised, so segments are numbered in
   * commit order. A failed commit (`ERR_STORE_WRITE`, retryable) leaves no
   * segment; committing the same writer again retries it.
   */
  commit(writer: SegmentWriter<T>): Promise<number | undefined> {
    const run = this.#tail.then(() => this.#commit(writer));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** The segment files present now, oldest first. */
  async segments(): Promise<SegmentFile[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StoreError('ERR_STORE_READ', `could not list ${this.dir}: ${messageOf(error)}`, { cause: error });
    }
    const files: SegmentFile[] = [];
    for (const name of names) {
      const seq = parseSegmentFileName(name);
      if (seq !== undefined) files.push({ seq, path: path.join(this.dir, name) });
    }
    return files.sort((a, b) => a.seq - b.seq);
  }

  /**
   * Streams every item, segment by segment in write order, holding one
   * segment in memory at a time. `upToSeq` stops after that segment.
   */
  async *read(options: { upToSeq?: number } = {}): AsyncGenerator<T> {
    const upToSeq = options.upToSeq ?? Number.POSITIVE_INFINITY;
    const scratch: SegmentScratch = { bytes: Buffer.alloc(0) };
    for (const file of await this.segments()) {
      if (file.seq > upToSeq) break;
      const items = await this.#readSegment(file.path, scratch);
      yield* items;
    }
  }

  /**
   * Each segment's keys (`keyOf`) and count of marked items (`markOf`), in
   * write order: from the segment's sidecar when it matches the segment,
   * else from the segment itself (read and checked in full, so a truncated
   * segment still raises `ERR_STORE_CORRUPT`). Without `keyOf`, throws.
   */
  async *readIndex(): AsyncGenerator<SegmentIndex> {
    const { keyOf, markOf } = this.#options;
    if (!keyOf) throw new StoreError('ERR_STORE_STATE', `the segment log in ${this.dir} has no keyOf option`);
    for (const file of await this.segments()) {
      const sidecar = await readKeysSidecar(file.path);
      if (sidecar) {
        yield sidecar;
        continue;
      }
      const items = await this.#readSegment(file.path);
      yield { keys: items.map(keyOf), marked: markOf ? items.filter(markOf).length : 0 };
    }
  }

  /** The key of every item, in write order (see `readIndex`). */
  async *readKeys(): AsyncGenerator<string> {
    for await (const { keys } of this.readIndex()) yield* keys;
  }

  async #commit(writer: SegmentWriter<T>): Promise<number | undefined> {
    if (writer.count === 0) return undefined;
    const seq = this.#lastSeq + 1;
    const file = path.join(this.dir, segmentFileName(seq));
    try {
      await writer.finish();
      if (await exists(file)) {
        throw new StoreError(
          'ERR_STORE_CONFLICT',
          `${file} appeared while this process was writing ${this.dir}; is another skein process using the same crawl? ` +
            'Stop it, then run again.',
        );
      }
      // A sidecar left by a segment moved aside must not describe the new one.
      if (this.#options.keyOf) await unlink(keysSidecarPath(file)).catch(ignoreMissing);
      await writer.moveTo(file).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        throw new StoreError(
          'ERR_STORE_CONFLICT',
          `the temp file of ${file} was removed while this process was writing ${this.dir}; is another skein process using the same crawl? ` +
            'Stop it, then run again (the pages of this batch are fetched again on resume).',
          { cause: error },
        );
      });
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError('ERR_STORE_WRITE', `could not write ${file}: ${messageOf(error)}`, {
        retryable: true,
        cause: error,
      });
    }
    this.#lastSeq = seq;
    if (this.#options.keyOf) await writeKeysSidecar(file, { keys: writer.keys, marked: writer.marked });
    return seq;
  }

  /** A new, exclusively created temp file for a writer, once the directory is ready (see `openSegment`). */
  async createTemp(): Promise<{ path: string; handle: FileHandle }> {
    this.#preparing ??= this.#prepareForWriting().catch((error: unknown) => {
      this.#preparing = undefined;
      throw error;
    });
    await this.#preparing;
    const file = path.join(this.dir, `.open-${randomUUID()}.json.tmp`);
    return { path: file, handle: await open(file, 'wx') };
  }

  /** Creates the directory and removes temp files a killed writer left behind (never segments). */
  async #prepareForWriting(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    for (const name of await readdir(this.dir)) {
      if (TEMP_NAME.test(name)) await unlink(path.join(this.dir, name)).catch(ignoreMissing);
    }
  }

  /** `scratch`: a buffer reused from one segment to the next of a pass (no new few-MB buffer per segment). */
  async #readSegment(file: string, scratch: SegmentScratch = { bytes: Buffer.alloc(0) }): Promise<T[]> {
    const bytes = await readInto(file, scratch).catch(() => undefined);
    const data = (bytes && parseSegmentLines(bytes)) ?? (await this.#readWholeSegment(file));
    if (!isRecord(data) || typeof data.version !== 'number' || !Array.isArray(data.items)) {
      throw this.#corrupt(file, 'it is not a segment (expected {"version": number, "items": [...]})');
    }
    if (data.version > SEGMENT_VERSION) {
      throw new StoreError(
        'ERR_STORE_VERSION',
        `${file} was written by a newer skein (segment version ${data.version}, this one reads ${SEGMENT_VERSION}); upgrade skein.`,
      );
    }
    const check = this.#options.checkItem;
    if (check) {
      for (const [index, item] of data.items.entries()) {
        const problem = check(item);
        if (problem !== undefined) throw this.#corrupt(file, `item ${index} is invalid: ${problem}`);
      }
    }
    return data.items as T[];
  }

  /** The segment as one JSON document (lowdb), for any file that is not a compact segment. */
  async #readWholeSegment(file: string): Promise<unknown> {
    const db = new Low<unknown>(new JSONFile(file), null);
    try {
      await db.read();
    } catch (error) {
      if (error instanceof SyntaxError) throw this.#corrupt(file, `it is not valid JSON (${error.message})`, error);
      throw new StoreError('ERR_STORE_READ', `could not read ${file}: ${messageOf(error)}`, { cause: error });
    }
    return db.data;
  }

  #corrupt(file: string, what: string, cause?: unknown): StoreError {
    const label = this.#options.label ?? 'segment';
    const hint = this.#options.corruptHint ? ` ${this.#options.corruptHint}` : '';
    return new StoreError(
      'ERR_STORE_CORRUPT',
      `corrupt ${label} ${file}: ${what}. skein left the file untouched. ` +
        `Restore it from a backup, or move it out of ${this.dir} and run again.${hint}`,
      cause === undefined ? {} : { cause },
    );
  }
}

interface SegmentScratch {
  bytes: Buffer;
}

/** The file's bytes, read into `scratch.bytes` (grown when too small): valid until the next read into it. */
async function readInto(file: string, scratch: SegmentScratch): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (scratch.bytes.length < size) scratch.bytes = Buffer.allocUnsafe(Math.ceil(size * 1.25));
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(scratch.bytes, length, scratch.bytes.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      // Grew since the stat (a segment is never rewritten, but be exact): read on into a larger buffer.
      if (length === scratch.bytes.length) scratch.bytes = Buffer.concat([scratch.bytes, Buffer.allocUnsafe(scratch.bytes.length)]);
    }
    return scratch.bytes.subarray(0, length);
  } finally {
    await handle.close();
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
