/**
 * Rebuilds the shared frontier of a distributed crawl whose Redis state was
 * lost (`skein crawl|worker … --recover`), from what its nodes keep on disk:
 * each node's directory holds a copy of the crawl definition
 * (`shared-crawl.json`), its page store and its frontier journal (every
 * request the shared frontier accepted from it, flushed before its pages).
 *
 * The recovering node publishes the definition under a new identity token (a
 * node still holding the old one cannot touch the rebuilt crawl) and adds
 * what the node directories in its data dir hold: first every stored page
 * (seen and done, counted by outcome), then every journaled request (queued
 * again unless seen) and redirect claim. Adding is idempotent, so every node
 * may do it with its own data dir, at once or one after the other; a page
 * that one node stored and another node's journal queued before the first
 * node recovered is fetched again, and the merged export keeps it once.
 */
import type { CrawlRequest } from '../core/types.js';
import type { RedisFrontier } from '../frontier/redis-frontier.js';
import type { RedirectClaim } from '../frontier/frontier.js';
import { crawlPaths, type CrawlPaths } from '../store/crawl-dir.js';
import { FrontierJournal } from '../store/frontier-journal.js';
import { LowdbPageStore } from '../store/lowdb-page-store.js';
import { ConfigError } from '../core/errors.js';
import { findCrawlPaths } from './merged-crawl.js';
import { crawlCopyPath, firstDifference, readCrawlCopy, type SharedCrawl } from './shared-crawl.js';

/** What a data dir holds of a distributed crawl. */
export interface NodeDirs {
  /** The definition (every copy found agrees on the config). */
  crawl: SharedCrawl;
  /** The identity tokens of the copies: the incarnations these nodes last ran. */
  instances: Set<string>;
  /** Every node directory of the crawl in the data dir. */
  nodes: CrawlPaths[];
}

export interface RecoveryCounts {
  /** Node directories read. */
  nodes: number;
  /** Records in their stores. */
  stored: number;
  /** Stored pages marked seen and done (the others were known already). */
  markedDone: number;
  /** Requests and redirect claims in their journals. */
  journaled: number;
  /** Journaled requests queued again (the others were stored or known already). */
  queued: number;
}

const BATCH = 500;

/** The node directories of `crawlId` in `dataDir` and the definition they keep; undefined when none keeps one. */
export async function findNodeDirs(dataDir: string, crawlId: string): Promise<NodeDirs | undefined> {
  const single = crawlPaths(dataDir, crawlId).dir;
  const nodes = (await findCrawlPaths([dataDir], crawlId)).filter((p) => p.dir !== single);
  let crawl: SharedCrawl | undefined;
  let from = '';
  const instances = new Set<string>();
  for (const paths of nodes) {
    const copy = await readCrawlCopy(paths, crawlId);
    if (!copy) continue;
    if (copy.instance) instances.add(copy.instance);
    const field = crawl ? firstDifference(crawl.config, copy.config) : undefined;
    if (field !== undefined) {
      throw new ConfigError('recover', `${crawlCopyPath(paths)} and ${from} describe different crawls (${field} differs); keep only the node directories of one crawl under ${dataDir}/${crawlId}/nodes/`);
    }
    if (!crawl) [crawl, from] = [copy, crawlCopyPath(paths)];
  }
  return crawl ? { crawl, instances, nodes } : undefined;
}

/** Adds what `nodes` hold to the shared frontier (see the file's comment). */
export async function addNodeDirs(frontier: RedisFrontier, nodes: CrawlPaths[]): Promise<RecoveryCounts> {
  const counts: RecoveryCounts = { nodes: nodes.length, stored: 0, markedDone: 0, journaled: 0, queued: 0 };
  for (const paths of nodes) {
    const store = await LowdbPageStore.open(paths.pages);
    let batch: Array<{ key: string; outcome: 'ok' | 'failed' | 'skipped' }> = [];
    for await (const record of store.iterate()) {
      counts.stored++;
      batch.push({ key: record.key, outcome: record.outcome });
      if (batch.length >= BATCH) [counts.markedDone, batch] = [counts.markedDone + (await frontier.markStored(batch)), []];
    }
    counts.markedDone += await frontier.markStored(batch);
    await store.close();
  }
  for (const paths of nodes) {
    let batch: CrawlRequest[] = [];
    const addBatch = async () => {
      counts.queued += (await frontier.add(batch)).filter((r) => r.ok).length;
      batch = [];
    };
    for await (const request of new FrontierJournal(paths.frontier).readAll()) {
      counts.journaled++;
      if (request.redirectOf !== undefined) await frontier.claimRedirect(request as RedirectClaim);
      else if (batch.push(request) >= BATCH) await addBatch();
    }
    await addBatch();
  }
  return counts;
}
