/**
 * A node's page store in a distributed crawl: the node's own lowdb store,
 * plus two things the shared frontier needs.
 * - Every record is stamped with the node that stored it (`record.node`).
 * - It knows which keys are stored but not yet on disk, and calls
 *   `onDurable(keys)` once a flush has written them. `NodeFrontier`
 *   uses that to complete a lease in Redis only when its page is on disk: a
 *   node killed with pages still buffered has their leases still live, so
 *   another node fetches them again and none is missing.
 * `flushSoon()` asks for a flush within `commitIntervalMs` (group commit),
 * so a page waits at most about that long between stored and completed.
 */
import type { PageRecord } from '../core/types.js';
import type { PageStore } from '../store/page-store.js';

export interface NodeStoreOptions {
  nodeId: string;
  /** Called after a flush with the keys it made durable. */
  onDurable: (keys: string[]) => void;
  /** Longest wait between `flushSoon()` and the flush. @default 50 */
  commitIntervalMs?: number;
  /** Flush errors of `flushSoon` go here (the crawler's own flushes report theirs). */
  onError?: (error: unknown) => void;
}

export class NodeStore implements PageStore {
  readonly #inner: PageStore;
  readonly #options: NodeStoreOptions;
  /** Keys put and not yet written. */
  #unflushed = new Set<string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(inner: PageStore, options: NodeStoreOptions) {
    this.#inner = inner;
    this.#options = options;
  }

  put(record: PageRecord): boolean {
    record.node = this.#options.nodeId;
    const added = this.#inner.put(record);
    if (added) this.#unflushed.add(record.key);
    return added;
  }

  /** True while `key` was put but is not on disk yet. */
  isUnflushed(key: string): boolean {
    return this.#unflushed.has(key);
  }

  /** Flushes within `commitIntervalMs` (once, however often it is asked). */
  flushSoon(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.flush().catch((error: unknown) => this.#options.onError?.(error));
    }, this.#options.commitIntervalMs ?? 50);
  }

  get pending(): number {
    return this.#inner.pending;
  }
  get size(): number {
    return this.#inner.size;
  }
  get fetched(): number {
    return this.#inner.fetched;
  }

  /** Every key put before this call is on disk when it resolves; then `onDurable` hears of them. */
  async flush(): Promise<void> {
    const batch = this.#unflushed;
    this.#unflushed = new Set();
    try {
      await this.#inner.flush();
    } catch (error) {
      for (const key of batch) this.#unflushed.add(key);
      throw error;
    }
    if (batch.size > 0) this.#options.onDurable([...batch]);
  }

  has(key: string): boolean {
    return this.#inner.has(key);
  }
  iterate(): AsyncIterable<PageRecord> {
    return this.#inner.iterate();
  }

  async close(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush();
    await this.#inner.close();
  }
}
