/**
 * The store seam: where page records go. Records are keyed by normalised URL;
 * a key is stored at most once. `put` adds to the open batch (the lowdb store
 * already writes it to a temp file); the crawler decides when to `flush` it
 * into a durable segment (after the frontier flushed, so discovered links are
 * durable before the page that found them). One contract suite for every store.
 */
import type { PageRecord } from '../core/types.js';

export interface PageStore {
  /**
   * Adds a record to the open batch. A key already stored or buffered is
   * ignored (returns false). Throws `StoreError` `ERR_STORE_RECORD`, storing
   * nothing, for a record that cannot be stored as JSON (a BigInt, a cycle).
   */
  put(record: PageRecord): boolean;
  /** Records put and not yet in a committed (durable) batch. */
  readonly pending: number;
  /** Records stored (on disk + buffered). */
  readonly size: number;
  /** Of those, records of pages that were fetched (not `fetched: false`): what `maxPages` counts. */
  readonly fetched: number;
  /** Writes the buffered records as one atomic batch. */
  flush(): Promise<void>;
  has(key: string): boolean;
  /** Every stored record, in write order, streamed from disk; what is buffered is flushed first (so this may fail like `flush`). */
  iterate(): AsyncIterable<PageRecord>;
  close(): Promise<void>;
}
