/**
 * The frontier's durable half: every request the frontier accepted (and every
 * redirect target it marked seen: a request with `redirectOf`), in a
 * segment log of its own (`<crawl>/frontier/000001.json`, …), one segment per
 * flush. The crawler flushes the journal before the page store, so a
 * discovered link is on disk before the page that discovered it. On resume,
 * `MemoryFrontier.restore` queues the journal's requests whose key is not in
 * the page store; pages that were in flight at the kill are fetched again,
 * nothing stored is fetched twice. `skein status` reads it to count the queue.
 */
import type { CrawlRequest } from '../core/types.js';
import { BatchedLog } from './batched-log.js';

const SOURCES: ReadonlySet<unknown> = new Set(['seed', 'link', 'sitemap']);

/** Checks a request read back from disk; a description of the problem, or undefined. */
export function checkCrawlRequest(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected an object';
  const request = value as Record<string, unknown>;
  if (typeof request.key !== 'string' || request.key === '') return '"key" must be a non-empty string';
  if (typeof request.url !== 'string') return '"url" must be a string';
  if (!Number.isInteger(request.depth) || (request.depth as number) < 0) return '"depth" must be an integer >= 0';
  if (!SOURCES.has(request.source)) return '"source" must be "seed", "link" or "sitemap"';
  if (request.redirectOf !== undefined && typeof request.redirectOf !== 'string') return '"redirectOf" must be a string';
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
}
