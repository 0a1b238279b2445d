/**
 * The default `PageStore`: page records in a lowdb segment log
 * (`<crawl>/pages/000001.json`, …), one segment per flush, so the cost of a
 * flush stays proportional to the batch however large the crawl grows.
 * Only the keys live in memory, as 64-bit fingerprints (fingerprint-set.ts:
 * 8–16 bytes a page instead of a string's ~100–200; a different URL taken as
 * stored with probability n/2^64), to answer `has` and ignore duplicates; the
 * records are streamed from disk by `iterate`.
 */
import { StoreError } from '../core/errors.js';
import type { PageRecord } from '../core/types.js';
import { wasFetched } from '../core/records.js';
import { BatchedLog } from './batched-log.js';
import type { PageStore } from './page-store.js';
import { FingerprintSet } from '../frontier/fingerprint-set.js';

const OUTCOMES: ReadonlySet<unknown> = new Set(['ok', 'failed', 'skipped']);

/** Checks a record read back from disk; a description of the problem, or undefined. */
export function checkPageRecord(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected an object';
  const record = value as Record<string, unknown>;
  if (typeof record.key !== 'string' || record.key === '') return '"key" must be a non-empty string';
  if (typeof record.url !== 'string') return '"url" must be a string';
  if (!OUTCOMES.has(record.outcome)) return '"outcome" must be "ok", "failed" or "skipped"';
  return undefined;
}

export interface LowdbPageStoreOptions {
  /**
   * Called at the start of every flush; the batch then written holds only the
   * records put before it was called. The crawler passes the frontier
   * journal's flush: a page's discovered links are recorded before the page
   * is put, so they are on disk before the page is (a kill in between loses
   * no link). @default undefined (no barrier)
   */
  flushFirst?: () => Promise<void>;
}

export class LowdbPageStore implements PageStore {
  readonly dir: string;
  readonly #log: BatchedLog<PageRecord>;
  /** Fingerprints of the keys stored or buffered. */
  readonly #keys: FingerprintSet;
  readonly #flushFirst: (() => Promise<void>) | undefined;
  /** Records stored or buffered whose request never went out (`fetched: false`). */
  #unfetched: number;
  #closed = false;

  /** Use `LowdbPageStore.open`. */
  constructor(dir: string, log: BatchedLog<PageRecord>, keys: FingerprintSet, options: LowdbPageStoreOptions & { unfetched?: number } = {}) {
    this.dir = dir;
    this.#log = log;
    this.#keys = keys;
    this.#flushFirst = options.flushFirst;
    this.#unfetched = options.unfetched ?? 0;
  }

  /**
   * Opens the store in `dir` and rebuilds the key set from each segment's
   * keys sidecar (the segment itself when the sidecar is missing or stale). Changes nothing on disk (the directory is created by the
   * first flush), so a crawl another process is writing can be opened to read. Throws `StoreError` `ERR_STORE_CORRUPT`
   * naming the file when a segment cannot be read back.
   */
  static async open(dir: string, options: LowdbPageStoreOptions = {}): Promise<LowdbPageStore> {
    const log = new BatchedLog<PageRecord>(dir, {
      label: 'page segment',
      checkItem: checkPageRecord,
      corruptHint: 'The pages it held are then fetched again when the crawl resumes.',
      keyOf: (record) => record.key,
      markOf: (record) => !wasFetched(record),
    });
    const keys = new FingerprintSet();
    let unfetched = 0;
    for await (const segment of (await log.ready()).readIndex()) {
      for (const key of segment.keys) keys.add(key);
      unfetched += segment.marked;
    }
    return new LowdbPageStore(dir, log, keys, { ...options, unfetched });
  }

  /**
   * Adds a record to the open batch (its text goes to disk in the background,
   * see segment-writer.ts); false for a key already stored or buffered.
   * Throws `StoreError` `ERR_STORE_RECORD`, storing nothing, for a record JSON
   * cannot write (a BigInt or a cycle in `fields`).
   */
  put(record: PageRecord): boolean {
    if (this.#closed) throw new StoreError('ERR_STORE_CLOSED', `the page store in ${this.dir} is closed`);
    if (this.#keys.has(record.key)) return false;
    try {
      this.#log.add(record);
    } catch (error) {
      throw new StoreError('ERR_STORE_RECORD', `the record of ${record.key} cannot be stored as JSON: ${(error as Error).message}`, { cause: error });
    }
    this.#keys.add(record.key);
    if (!wasFetched(record)) this.#unfetched++;
    return true;
  }

  get pending(): number {
    return this.#log.pending;
  }

  get size(): number {
    return this.#keys.size;
  }

  get fetched(): number {
    return this.#keys.size - this.#unfetched;
  }

  flush(): Promise<void> {
    return this.#log.flush(this.#flushFirst);
  }

  has(key: string): boolean {
    return this.#keys.has(key);
  }

  /** Every record in write order; commits what is buffered first (after the `flushFirst` barrier). */
  iterate(): AsyncIterable<PageRecord> {
    return this.#log.iterate(this.#flushFirst);
  }

  /**
   * Flushes what is buffered; later `put` calls throw. Reading still works.
   * When that last flush fails, the unflushed pages are given up (their temp
   * file is closed and left for the next clean-up; resume fetches them again).
   */
  async close(): Promise<void> {
    this.#closed = true;
    try {
      await this.flush();
    } catch (error) {
      await this.#log.abandon();
      throw error;
    }
  }
}
