/**
 * `skein status <crawl-id> --data-dir …` for a distributed crawl: what the
 * node stores found in the data dirs hold, each on its own and merged (every
 * key once, as `skein export` counts them), plus the URLs the nodes' frontier
 * journals hold that no store has: what `--recover` would queue again if the
 * crawl's state in Redis were lost. The live state is `skein status --redis`.
 */
import path from 'node:path';
import type { PageRecord } from '../core/types.js';
import { FrontierJournal } from '../store/frontier-journal.js';
import { countRecords, formatLastRun, formatPageCounts, formatReasons, readCrawlDirStatus, type CrawlStatus, type PageCounts } from '../store/crawl-status.js';
import type { CrawlPaths } from '../store/crawl-dir.js';
import { beats, pickRank } from './merged-crawl.js';

export interface NodeStoresStatus {
  name: string;
  /** One status per store (a node's directory, or a single-node crawl's), named by node id. */
  stores: CrawlStatus[];
  /** Every key once (the record `skein export` keeps), by outcome and reason. */
  merged: { pages: PageCounts; reasons: Record<string, number>; duplicates: number };
  /** Requests the stores' frontier journals hold that no store has. */
  notStored: number;
  problems: string[];
}

/** Reads every store in `found` (from `findCrawlPaths`) once, and their journals. */
export async function readNodeStoresStatus(name: string, found: CrawlPaths[]): Promise<NodeStoresStatus> {
  const chosen = new Map<string, { rank: [number, string]; record: Pick<PageRecord, 'outcome' | 'reason'> }>();
  let seen = 0;
  const onRecord = (record: PageRecord) => {
    seen++;
    const rank = pickRank(record);
    const best = chosen.get(record.key);
    if (!best || beats(rank, best.rank)) chosen.set(record.key, { rank, record: { outcome: record.outcome, ...(record.reason ? { reason: record.reason } : {}) } });
  };
  const stores: CrawlStatus[] = [];
  for (const paths of found) {
    const label = path.basename(path.dirname(paths.dir)) === 'nodes' ? path.basename(paths.dir) : `${paths.dir} (single node)`;
    stores.push(await readCrawlDirStatus(paths, label, { onRecord, queued: false }));
  }
  const tally = countRecords();
  for (const { record } of chosen.values()) tally.add(record);
  const notStored = new Set<string>();
  const problems: string[] = [];
  for (const paths of found) {
    try {
      for await (const request of new FrontierJournal(paths.frontier).readAll()) {
        // A claimed redirect target is never queued: its page is stored under the key that redirected.
        if (request.redirectOf === undefined && !chosen.has(request.key)) notStored.add(request.key);
      }
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return { name, stores, merged: { pages: tally.pages, reasons: tally.reasons, duplicates: seen - chosen.size }, notStored: notStored.size, problems };
}

export function formatNodeStoresStatus(s: NodeStoresStatus): string {
  const dirs = [...new Set(s.stores.map((n) => path.dirname(n.dir)))];
  const lines = [`distributed crawl "${s.name}": ${s.stores.length} store(s) in ${dirs.map((d) => `${d}/`).join(', ')}`];
  for (const n of s.stores) {
    const parts = [n.pages ? formatPageCounts(n.pages) : 'pages unreadable'];
    if (n.runs) parts.push(`${n.runs} run(s)`);
    if (n.lastRun) parts.push(formatLastRun(n.lastRun, 'running, or ended without finishing; run the node again to rejoin'));
    lines.push(`  node ${n.name}: ${parts.join('; ')}`);
    for (const problem of n.problems) lines.push(`    problem: ${problem}`);
  }
  const duplicates = s.merged.duplicates ? ` (${s.merged.duplicates} more held by a second store; export keeps one)` : '';
  lines.push(`  merged, every page once: ${formatPageCounts(s.merged.pages)}${duplicates}`);
  const reasons = formatReasons(s.merged.reasons);
  if (reasons) lines.push(`  ${reasons}`);
  if (s.notStored) lines.push(`  journaled by these nodes, stored by none of them: ${s.notStored} (queued in Redis, or still to fetch)`);
  for (const problem of s.problems) lines.push(`  problem: ${problem}`);
  lines.push(`  live state of the crawl: skein status --redis <url> --crawl-id ${s.name}`);
  return lines.join('\n') + '\n';
}
