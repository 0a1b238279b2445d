/**
 * A `PageStore` that keeps the WARC archive in step with the page store: a
 * stored page's exchanges join the archive's open batch, and a flush closes
 * both batches at the same moment. The archive's batch is appended by the
 * store's flush barrier (create-crawler.ts), before the pages are committed;
 * once they are, its records are confirmed (kept on resume).
 */
import type { PageRecord } from '../core/types.js';
import type { PageStore } from '../store/page-store.js';
import type { WarcArchive } from './warc-archive.js';

export class ArchivingStore implements PageStore {
  readonly #inner: PageStore;
  readonly #archive: WarcArchive;

  constructor(inner: PageStore, archive: WarcArchive) {
    this.#inner = inner;
    this.#archive = archive;
  }

  put(record: PageRecord): boolean {
    const stored = this.#inner.put(record);
    if (stored) this.#archive.pagePut(record);
    else this.#archive.pageDropped(record.key);
    return stored;
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

  async flush(): Promise<void> {
    this.#archive.seal(this.#inner.size);
    await this.#inner.flush();
    // Records of no page (robots.txt, sitemaps) when the store had no batch to commit.
    await this.#archive.commit();
    this.#archive.confirm();
  }

  has(key: string): boolean {
    return this.#inner.has(key);
  }

  iterate(): AsyncIterable<PageRecord> {
    this.#archive.seal(this.#inner.size);
    return this.#inner.iterate();
  }

  async close(): Promise<void> {
    try {
      this.#archive.seal(this.#inner.size);
      await this.#inner.close();
      await this.#archive.commit();
      this.#archive.confirm();
    } finally {
      await this.#archive.close();
    }
  }
}
