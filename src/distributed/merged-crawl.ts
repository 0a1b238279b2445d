/**
 * One view over every store of a crawl, for `skein export`: a single-node
 * crawl (`<dataDir>/<name>/`), the node stores of a distributed crawl
 * (`<dataDir>/<name>/nodes/<nodeId>/`), in one or several data dirs (each
 * machine's, or copies collected on one disk).
 *
 * Every key comes out exactly once. When several stores hold a key (a node
 * died after storing a page but before Redis heard of it, so another node
 * fetched it again) the record kept is the best by `pickRank`: ok before
 * failed before skipped, then the earliest fetch, then the first store
 * found. Two streaming passes: the first keeps only key → chosen store in
 * memory, the second streams the chosen records. A single store (an
 * ordinary single-node crawl) never holds a key twice, so it is streamed as
 * it is, without the first pass.
 */
import { access, readdir } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { PageRecord } from '../core/types.js';
import { crawlPaths, type CrawlPaths } from '../store/crawl-dir.js';
import { LowdbPageStore } from '../store/lowdb-page-store.js';
import { nodePaths } from './node-paths.js';

export interface MergedCrawl {
  /** The crawl directories merged, in the order searched. */
  dirs: string[];
  /** Distinct keys (= records `iterate` yields). */
  readonly records: number;
  /** Records left out because another store held the same key. */
  readonly duplicates: number;
  /** Every key once; may be called again for another pass. */
  iterate(): AsyncIterable<PageRecord>;
}

const OUTCOME_RANK = { ok: 0, failed: 1, skipped: 2 } as const;

/** Lower is better: ok < failed < skipped, then earlier `fetchedAt`. Pure. */
export function pickRank(record: Pick<PageRecord, 'outcome' | 'fetchedAt'>): [number, string] {
  return [OUTCOME_RANK[record.outcome] ?? 3, record.fetchedAt];
}

/** True when rank `a` beats rank `b` (ties keep the first found). Pure. */
export function beats(a: [number, string], b: [number, string]): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

const exists = (p: string) => access(p).then(() => true, () => false);

/** The stores of `name` under each data dir (single-node, then its node stores), as crawl paths. */
export async function findCrawlPaths(dataDirs: string[], name: string): Promise<CrawlPaths[]> {
  const found: CrawlPaths[] = [];
  const hasStore = async (p: CrawlPaths) => (await exists(p.meta)) || (await exists(p.pages));
  for (const dataDir of dataDirs) {
    const single = crawlPaths(dataDir, name);
    if (await hasStore(single)) found.push(single);
    let entries: string[] = [];
    try {
      entries = (await readdir(path.join(single.dir, 'nodes'), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    } catch {
      continue;
    }
    for (const node of entries) {
      const paths = nodePaths(dataDir, name, node);
      if (await hasStore(paths)) found.push(paths);
    }
  }
  return found;
}

/** Opens every store of `name` found in `dataDirs`; `ConfigError` when there is none. */
export async function openMergedCrawl(dataDirs: string[], name: string): Promise<MergedCrawl> {
  const found = await findCrawlPaths(dataDirs, name);
  if (found.length === 0) {
    throw new ConfigError('name', `no crawl named "${name}" in ${dataDirs.map((d) => `${d}/`).join(', ')} (looked for ${name}/crawl.json and ${name}/nodes/*/)`);
  }
  const dirs = found.map((p) => p.dir);
  const stores = await Promise.all(found.map((p) => LowdbPageStore.open(p.pages)));
  if (stores.length === 1) {
    // One store holds each key once (`put` refuses a key it has): nothing to choose between.
    const store = stores[0]!;
    return { dirs, records: store.size, duplicates: 0, iterate: () => store.iterate() };
  }
  // key → the chosen record's store and position in it (so even a key twice in one store comes out once)
  const chosen = new Map<string, { store: number; position: number; rank: [number, string] }>();
  let seen = 0;
  for (const [index, store] of stores.entries()) {
    let position = 0;
    for await (const record of store.iterate()) {
      seen++;
      const rank = pickRank(record);
      const best = chosen.get(record.key);
      if (!best || beats(rank, best.rank)) chosen.set(record.key, { store: index, position, rank });
      position++;
    }
  }
  return {
    dirs,
    records: chosen.size,
    duplicates: seen - chosen.size,
    async *iterate() {
      for (const [index, store] of stores.entries()) {
        let position = 0;
        for await (const record of store.iterate()) {
          const best = chosen.get(record.key);
          if (best?.store === index && best.position === position) yield record;
          position++;
        }
      }
    },
  };
}
