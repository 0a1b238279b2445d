/**
 * A resume that widens the scope (`--max-depth 4 --force` after a crawl at
 * depth 2, an `--exclude` removed, another seed host…) must crawl what the
 * wider scope now holds. The links the old scope left out were never queued,
 * but every stored page keeps its links: they go through the link gate again,
 * at the page's depth + 1, and the frontier keeps the new ones (it dedups
 * against every URL ever queued). Links no scope may follow (rel=nofollow,
 * outside the follow selectors, a nofollow page: `record.unfollowable`) stay
 * out. The records are streamed from the store, one segment at a time.
 */
import type { PageStore } from '../store/page-store.js';
import type { CrawlEventBus } from './events.js';
import type { LinkGate } from './link-gate.js';

export interface ReadmitOptions {
  /** The normalisation settings changed: links are normalised again before the scope check. */
  renormalize: boolean;
  /** What changed, for the log line (e.g. `scope.maxDepth 2 → 4`). */
  changed: string;
}

/** Queues the stored pages' links the current scope allows and nobody queued yet; returns the counts. */
export async function readmitStoredLinks(store: PageStore, gate: LinkGate, events: CrawlEventBus, options: ReadmitOptions): Promise<{ pages: number; queued: number }> {
  events.emit('log', { level: 'info', message: `the scope changed (${options.changed}): checking the links of ${store.size} stored pages again` });
  await gate.syncSeedRedirects(); // hosts the seeds redirected to in earlier runs are in scope too
  let pages = 0;
  let queued = 0;
  for await (const record of store.iterate()) {
    if (!record.links || record.links.length === 0) continue;
    const never = record.unfollowable ? new Set(record.unfollowable) : undefined;
    const candidates = never ? record.links.filter((link) => !never.has(link)) : record.links;
    pages++;
    queued += await gate.readmit(candidates, record, options.renormalize);
  }
  events.emit('log', { level: 'info', message: `the wider scope queued ${queued} more URLs (links of ${pages} stored pages checked)` });
  return { pages, queued };
}
