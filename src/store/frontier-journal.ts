/**
 * The frontier's durable half: every request the frontier accepted, in a
 * lowdb segment log of its own (`<crawl>/frontier/000001.json`, …), one
 * segment per flush. The crawler flushes the journal before the page store,
 * so a discovered link is on disk before the page that discovered it. On
 * resume, the requests still to crawl are the journal's requests whose key is
 * not in the page store (`unfinishedRequests`); pages that were in flight at
 * the kill are fetched again, nothing stored is fetched twice.
 */
import type { CrawlRequest } from '../core/types.js';
import { BatchedLog } from './batched-log.js';
import type { PageStore } from './page-store.js';

const SOURCES: ReadonlySet<unknown> = new Set(['seed', 'link', 'sitemap']);

/** Checks a request read back from disk; a description of the problem, or undefined. */
export function checkCrawlRequest(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected an object';
  const request = value as Record<string, unknown>;
  if (typeof request.key !== 'string' || request.key === '') return '"key" must be a non-empty string';
  if (typeof request.url !== 'string') return '"url" must be a string';
  if (!Number.isInteger(request.depth) || (request.depth as number) < 0) return '"depth" must be an integer >= 0';
  if (!SOURCES.has(request.source)) return '"source" must be "seed", "link" or "sitemap"';
  return undefined;
}

export class FrontierJournal {
  readonly dir: string;
  readonly #log: BatchedLog<CrawlRequest>;

  /** The journal in `dir`; nothing is read or written until first use. */
  constructor(dir: string) {
    this.dir = dir;
    this.#log = new BatchedLog<CrawlRequest>(dir, {
      label: 'frontier journal segment',
      checkItem: checkCrawlRequest,
      corruptHint: 'The links it recorded are then forgotten unless a page that links to them is fetched again.',
    });
  }

  /** A journal whose directory has been listed (so an unreadable directory fails here). */
  static async open(dir: string): Promise<FrontierJournal> {
    const journal = new FrontierJournal(dir);
    await journal.#log.ready();
    return journal;
  }

  /** Buffers accepted requests; `flush` makes them durable. */
  record(requests: readonly CrawlRequest[]): void {
    for (const request of requests) this.#log.add(request);
  }

  /** Requests recorded and not yet on disk. */
  get pending(): number {
    return this.#log.pending;
  }

  /** Writes what was recorded since the last flush as one segment (nothing when empty). */
  flush(): Promise<void> {
    return this.#log.flush();
  }

  /** Every recorded request in record order (what is buffered is written first). */
  readAll(): AsyncIterable<CrawlRequest> {
    return this.#log.iterate();
  }

  /** Flushes what is buffered; when that fails, gives it up (see `BatchedLog.abandon`). */
  async close(): Promise<void> {
    try {
      await this.#log.flush();
    } catch (error) {
      await this.#log.abandon();
      throw error;
    }
  }
}

/**
 * What a resumed crawl still has to do: the journal's requests whose key is
 * not in the page store, each key once, in the order they were recorded.
 */
export async function* unfinishedRequests(journal: FrontierJournal, store: PageStore): AsyncGenerator<CrawlRequest> {
  const yielded = new Set<string>();
  for await (const request of journal.readAll()) {
    if (store.has(request.key) || yielded.has(request.key)) continue;
    yielded.add(request.key);
    yield request;
  }
}
