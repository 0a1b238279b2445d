/**
 * `skein status <name>`: what a stored crawl holds (src/store/crawl-status.ts).
 * A distributed crawl's node stores in the data dirs are counted each and
 * merged; with `--redis`, the live state of a distributed crawl.
 */
import { Command } from 'commander';
import { findCrawlPaths } from '../distributed/merged-crawl.js';
import { formatNodeStoresStatus, readNodeStoresStatus } from '../distributed/node-stores-status.js';
import { crawlPaths } from '../store/crawl-dir.js';
import { formatStatus, readCrawlDirStatus, readCrawlStatus } from '../store/crawl-status.js';
import { ReportCollector } from '../report/collect-report.js';
import { formatSummaryBrief } from '../report/report-summary.js';
import { addRedisTargetFlags, printClusterStatus, wantsRedis } from './redis-flags.js';
import { commandHint } from '../core/command-hint.js';

export function statusCommand(setExitCode: (code: number) => void): Command {
  return addRedisTargetFlags(new Command('status'))
    .description('show what a stored crawl holds: pages ok/failed by reason, queued, config, when it ran (with --redis: a distributed crawl, live)')
    .argument('[name]', 'crawl name (or the crawl id with --redis)')
    .option('--data-dir <dir>', 'where crawls are stored (default: "data"); repeat it to count the node stores of several data dirs together', (dir: string, dirs: string[]) => [...dirs, dir], [] as string[])
    .option('--json', 'print as JSON')
    .option('--summary', 'also show the audit summary of `skein report` in brief: status codes, response times, broken links, duplicates… (default on a terminal)')
    .option('--no-summary', 'leave the audit summary out, even on a terminal')
    .addHelpText(
      'after',
      '\nExamples:\n  $ skein status example.com\n  $ skein status demo --json\n  $ skein status site-2026 --data-dir /mnt/node1/data --data-dir /mnt/node2/data   # a distributed crawl\'s node stores\n  $ skein status --redis redis://127.0.0.1:6379 --crawl-id site-2026',
    )
    .action(async (name: string | undefined, options: { dataDir: string[]; json?: boolean; summary?: boolean }) => {
      if (wantsRedis(options) || name === undefined) return printClusterStatus(name, options);
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
    });
}
