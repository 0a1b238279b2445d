/**
 * The store seam: where page records go. Records are keyed by normalised URL;
 * a key is stored at most once. `put` only buffers; the crawler decides when
 * to `flush` (after the frontier flushed, so discovered links are durable
 * before the page that found them). One contract suite for every store.
 */
import type { PageRecord } from '../core/types.js';

export interface PageStore {
  /** Buffers a record. A key already stored or buffered is ignored (returns false). */
  put(record: PageRecord): boolean;
  /** Records buffered and not yet on disk. */
  readonly pending: number;
  /** Records stored (on disk + buffered). */
  readonly size: number;
  /** Writes the buffered records as one atomic batch. */
  flush(): Promise<void>;
  has(key: string): boolean;
  /** Every stored record, in write order, streamed from disk. */
  iterate(): AsyncIterable<PageRecord>;
  close(): Promise<void>;
}
