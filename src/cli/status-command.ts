/**
 * `skein status <name>`: what a stored crawl holds. Reports what it can even
 * when part of the state is damaged (and names the damaged file).
 */
import { Command } from 'commander';
import { CrawlMeta, type CrawlMetaData } from '../store/crawl-meta.js';
import { crawlPaths } from '../store/crawl-dir.js';
import { FrontierJournal } from '../store/frontier-journal.js';
import { LowdbPageStore } from '../store/lowdb-page-store.js';
import { ConfigError } from '../core/errors.js';
import { access } from 'node:fs/promises';
import { addRedisTargetFlags, printClusterStatus, wantsRedis } from './redis-flags.js';

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
  pages?: { ok: number; failed: number; skipped: number; total: number };
  reasons?: Record<string, number>;
  queued?: number;
  problems: string[];
}

export async function readCrawlStatus(dataDir: string, name: string): Promise<CrawlStatus> {
  const paths = crawlPaths(dataDir, name);
  try {
    await access(paths.dir);
  } catch {
    throw new ConfigError('name', `no crawl named "${name}" in ${dataDir}/`);
  }
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
    const pages = { ok: 0, failed: 0, skipped: 0, total: 0 };
    const reasons: Record<string, number> = {};
    for await (const record of store.iterate()) {
      pages[record.outcome]++;
      pages.total++;
      if (record.reason) reasons[record.reason] = (reasons[record.reason] ?? 0) + 1;
    }
    status.pages = pages;
    status.reasons = reasons;
  } catch (error) {
    status.problems.push((error as Error).message);
  }
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

export function formatStatus(s: CrawlStatus): string {
  const lines = [`crawl "${s.name}" in ${s.dir}`];
  if (s.createdAt) lines.push(`  created ${s.createdAt}, ${s.runs} run(s)`);
  if (s.lastRun) {
    lines.push(`  last run: started ${s.lastRun.startedAt}` + (s.lastRun.finishedAt ? `, finished ${s.lastRun.finishedAt} (${s.lastRun.endReason})` : ', not finished (interrupted or running; resume with --resume)'));
  }
  if (s.seeds) lines.push(`  seeds: ${s.seeds.join(' ')}`);
  for (const { seed, url } of s.seedRedirects ?? []) lines.push(`  seed ${seed} redirected to ${url} (crawled as a seed)`);
  if (s.scope) lines.push(`  scope: ${s.scope.mode}, max ${s.scope.maxPages} pages, depth ≤ ${s.scope.maxDepth}`);
  if (s.pages) lines.push(`  pages: ${s.pages.total} stored — ${s.pages.ok} ok, ${s.pages.failed} failed, ${s.pages.skipped} skipped`);
  const reasons = Object.entries(s.reasons ?? {});
  if (reasons.length) lines.push(`  by reason: ${reasons.sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${n}`).join(', ')}`);
  if (s.queued !== undefined) lines.push(`  queued: ${s.queued}`);
  for (const problem of s.problems) lines.push(`  problem: ${problem}`);
  return lines.join('\n') + '\n';
}

export function statusCommand(setExitCode: (code: number) => void): Command {
  return addRedisTargetFlags(new Command('status'))
    .description('show what a stored crawl holds: pages ok/failed by reason, queued, config, when it ran (with --redis: a distributed crawl, live)')
    .argument('[name]', 'crawl name (or the crawl id with --redis)')
    .option('--data-dir <dir>', 'where crawls are stored (default: "data")', 'data')
    .option('--json', 'print as JSON')
    .addHelpText('after', '\nExamples:\n  $ skein status example.com\n  $ skein status demo --json\n  $ skein status --redis redis://127.0.0.1:6379 --crawl-id site-2026')
    .action(async (name: string | undefined, options: { dataDir: string; json?: boolean }) => {
      if (wantsRedis(options) || name === undefined) return printClusterStatus(name, options);
      const status = await readCrawlStatus(options.dataDir, name);
      process.stdout.write(options.json ? JSON.stringify(status, null, 2) + '\n' : formatStatus(status));
      if (status.problems.length) setExitCode(1);
    });
}
