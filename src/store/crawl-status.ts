/**
 * What one crawl directory holds, for `skein status`: its metadata (config,
 * runs), its page records counted by outcome and reason, and its queue
 * (journaled requests not stored yet). Reports what it can when part of the
 * state is damaged, naming the damaged file in `problems`.
 */
import { access } from 'node:fs/promises';
import { ConfigError } from '../core/errors.js';
import type { PageRecord } from '../core/types.js';
import { crawlPaths, type CrawlPaths } from './crawl-dir.js';
import { CrawlMeta, type CrawlMetaData } from './crawl-meta.js';
import { FrontierJournal } from './frontier-journal.js';
import { LowdbPageStore } from './lowdb-page-store.js';
import { commandHint } from '../core/command-hint.js';

export interface PageCounts {
  ok: number;
  failed: number;
  skipped: number;
  total: number;
}

export interface CrawlStatus {
  name: string;
  dir: string;
  createdAt?: string;
  lastRun?: CrawlMetaData['runs'][number];
  runs: number;
  seeds?: string[];
  /** Seeds that redirected to another origin, and where (those joined the seeds for scope). */
  seedRedirects?: Array<{ seed: string; url: string }>;
  scope?: { mode: string; maxPages: number; maxDepth: number };
  pages?: PageCounts;
  reasons?: Record<string, number>;
  queued?: number;
  problems: string[];
}

/** A tally of records by outcome and by reason. */
export function countRecords(): { pages: PageCounts; reasons: Record<string, number>; add(record: Pick<PageRecord, 'outcome' | 'reason'>): void } {
  const pages: PageCounts = { ok: 0, failed: 0, skipped: 0, total: 0 };
  const reasons: Record<string, number> = {};
  return {
    pages,
    reasons,
    add(record) {
      pages[record.outcome]++;
      pages.total++;
      if (record.reason) reasons[record.reason] = (reasons[record.reason] ?? 0) + 1;
    },
  };
}

/** The status of the crawl `name` in `<dataDir>/<name>/`; `ConfigError` when there is no such directory. */
export async function readCrawlStatus(dataDir: string, name: string): Promise<CrawlStatus> {
  const paths = crawlPaths(dataDir, name);
  try {
    await access(paths.dir);
  } catch {
    throw new ConfigError('name', `no crawl named "${name}" in ${dataDir}/`);
  }
  return readCrawlDirStatus(paths, name);
}

/**
 * The status of the crawl directory `paths`. `onRecord` sees every stored
 * record (one pass over the store serves the caller too); `queued: false`
 * skips reading the journal.
 */
export async function readCrawlDirStatus(
  paths: CrawlPaths,
  name: string,
  options: { onRecord?: (record: PageRecord) => void; queued?: boolean } = {},
): Promise<CrawlStatus> {
  const status: CrawlStatus = { name, dir: paths.dir, runs: 0, problems: [] };
  try {
    const meta = await new CrawlMeta(paths.meta).read();
    if (meta) {
      status.createdAt = meta.createdAt;
      status.runs = meta.runs.length;
      status.lastRun = meta.runs[meta.runs.length - 1];
      status.seeds = meta.config.seeds;
      status.scope = { mode: meta.config.scope.mode, maxPages: meta.config.scope.maxPages, maxDepth: meta.config.scope.maxDepth };
    }
  } catch (error) {
    status.problems.push((error as Error).message);
  }
  let store: LowdbPageStore | undefined;
  try {
    store = await LowdbPageStore.open(paths.pages);
    const tally = countRecords();
    for await (const record of store.iterate()) {
      tally.add(record);
      options.onRecord?.(record);
    }
    status.pages = tally.pages;
    status.reasons = tally.reasons;
  } catch (error) {
    store = undefined;
    status.problems.push((error as Error).message);
  }
  if (options.queued === false) return status;
  try {
    let queued = 0;
    const seedRedirects: Array<{ seed: string; url: string }> = [];
    for await (const request of new FrontierJournal(paths.frontier).readAll()) {
      if (request.redirectOf === undefined) {
        if (!store || !store.has(request.key)) queued++;
      } else if (request.source === 'seed' && new URL(request.url).origin !== new URL(request.redirectOf).origin) {
        seedRedirects.push({ seed: request.redirectOf, url: request.url });
      }
    }
    if (seedRedirects.length > 0) status.seedRedirects = seedRedirects;
    if (store) status.queued = queued; // unknown when the page store cannot be read
  } catch (error) {
    status.problems.push((error as Error).message);
  }
  return status;
}

/** The pages line of a status: `N stored — a ok, b failed, c skipped`. */
export function formatPageCounts(pages: PageCounts): string {
  return `${pages.total} stored — ${pages.ok} ok, ${pages.failed} failed, ${pages.skipped} skipped`;
}

/** `by reason: robots 3, http-error 2` (most first), or undefined when there is none. */
export function formatReasons(reasons: Record<string, number> | undefined): string | undefined {
  const entries = Object.entries(reasons ?? {});
  if (entries.length === 0) return undefined;
  return `by reason: ${entries.sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${n}`).join(', ')}`;
}

/** `last run: started …, finished … (done)` or `…, not finished (<unfinished>)`. */
export function formatLastRun(run: CrawlMetaData['runs'][number], unfinished: string): string {
  return `last run: started ${run.startedAt}` + (run.finishedAt ? `, finished ${run.finishedAt} (${run.endReason})` : `, not finished (${unfinished})`);
}

/** The status as text; `dataDir` (where the crawl was found) goes into the resume command it may print. */
export function formatStatus(s: CrawlStatus, dataDir?: string): string {
  const lines = [`crawl "${s.name}" in ${s.dir}`];
  if (s.createdAt) lines.push(`  created ${s.createdAt}, ${s.runs} run(s)`);
  if (s.lastRun) lines.push(`  ${formatLastRun(s.lastRun, `interrupted or running; resume with: ${commandHint(['resume', s.name], dataDir)}`)}`);
  if (s.seeds) lines.push(`  seeds: ${s.seeds.join(' ')}`);
  for (const { seed, url } of s.seedRedirects ?? []) lines.push(`  seed ${seed} redirected to ${url} (crawled as a seed)`);
  if (s.scope) lines.push(`  scope: ${s.scope.mode}, max ${s.scope.maxPages} pages, depth ≤ ${s.scope.maxDepth}`);
  if (s.pages) lines.push(`  pages: ${formatPageCounts(s.pages)}`);
  const reasons = formatReasons(s.reasons);
  if (reasons) lines.push(`  ${reasons}`);
  if (s.queued !== undefined) lines.push(`  queued: ${s.queued}`);
  for (const problem of s.problems) lines.push(`  problem: ${problem}`);
  return lines.join('\n') + '\n';
}
