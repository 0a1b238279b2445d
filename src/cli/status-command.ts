/**
 * `skein status <name>`: what a stored crawl holds (src/store/crawl-status.ts).
 * A distributed crawl's node stores in the data dirs are counted each and
 * merged; with `--redis`, the live state of a distributed crawl.
 */
import type { ActionContext } from './command-list.js';
import { wantsRedis } from './redis-flags.js';
import { findCrawlPaths } from '../distributed/merged-crawl.js';
import { formatNodeStoresStatus, readNodeStoresStatus } from '../distributed/node-stores-status.js';
import { crawlPaths } from '../store/crawl-dir.js';
import { formatStatus, readCrawlDirStatus, readCrawlStatus } from '../store/crawl-status.js';
import { ReportCollector } from '../report/collect-report.js';
import { formatSummaryBrief } from '../report/report-summary.js';
import { commandHint } from '../core/command-hint.js';

/** Runs `skein status` (declared in command-list.ts). */
export async function action({ setExitCode }: ActionContext, name: string | undefined, options: { dataDir: string[]; json?: boolean; summary?: boolean }): Promise<void> {
  if (wantsRedis(options) || name === undefined) return (await import('./run-node.js')).printClusterStatus(name, options);
  const dataDirs = options.dataDir.length > 0 ? options.dataDir : ['data'];
  const found = await findCrawlPaths(dataDirs, name);
  const single = found.length === 1 && found[0]!.dir === crawlPaths(dataDirs[0]!, name).dir;
  if (found.length === 0 || single) {
    const audit = !options.json && (options.summary ?? Boolean(process.stdout.isTTY)) && found.length === 1 ? new ReportCollector() : undefined;
    // One pass over the store serves the counts and the audit summary.
    const status = audit ? await readCrawlDirStatus(found[0]!, name, { onRecord: (record) => audit.add(record) }) : await readCrawlStatus(dataDirs[0]!, name);
    let text = options.json ? JSON.stringify(status, null, 2) + '\n' : formatStatus(status, dataDirs[0]!);
    if (audit && status.pages) text += `${formatSummaryBrief(audit.finish({ name, dirs: [found[0]!.dir] }).summary, false)}\n  (the full report: ${commandHint(['report', name], dataDirs[0]!)})\n`;
    process.stdout.write(text);
    if (status.problems.length) setExitCode(1);
    return;
  }
  const status = await readNodeStoresStatus(name, found);
  process.stdout.write(options.json ? JSON.stringify(status, null, 2) + '\n' : formatNodeStoresStatus(status));
  if (status.problems.length || status.stores.some((s) => s.problems.length)) setExitCode(1);
}
