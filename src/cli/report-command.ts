/**
 * `skein report <name>`: a site-audit report of a stored crawl as one
 * self-contained HTML file (src/report/).
 */
import path from 'node:path';
import { Command } from 'commander';
import { buildReportData } from '../report/build-report.js';
import { renderReport } from '../report/render-report.js';
import { formatBytes, formatSummaryBrief } from '../report/report-summary.js';
import { writeOutFile } from './write-out-file.js';
import { addFailOnFlags, EXIT_PROBLEMS, reportProblems } from './fail-on-flags.js';
import { parseFailOn } from '../report/find-problems.js';
import type { ProblemFormat } from '../report/format-problems.js';
import { crawlPaths } from '../store/crawl-dir.js';

interface ReportFlags {
  out?: string;
  dataDir: string[];
  failOn?: string;
  format: ProblemFormat;
}

export function reportCommand(setExitCode: (code: number) => void): Command {
  return addFailOnFlags(new Command('report'))
    .description('write a site-audit report of a stored crawl: one HTML file (opens offline) with broken links and their referrers, redirects, slow and large pages, duplicates, missing titles…')
    .argument('<name>', 'crawl name (a folder under --data-dir)')
    .option('-o, --out <file>', 'where to write the report (atomically) (default: <data-dir>/<name>/report.html)')
    .option('--data-dir <dir>', 'where crawls are stored (default: "data"); repeat it to report on the node stores of a distributed crawl together', (dir: string, dirs: string[]) => [...dirs, dir], [] as string[])
    .addHelpText(
      'after',
      '\nExamples:\n  $ skein report example.com                       # data/example.com/report.html\n  $ skein report example.com --out audit.html\n  $ skein report example.com --fail-on broken,missing-title --format github   # and exit 1 when any\n  $ skein report site-2026 --data-dir /mnt/node1/data --data-dir /mnt/node2/data',
    )
    .action(async (name: string, options: ReportFlags) => {
      if (options.failOn !== undefined) parseFailOn(options.failOn);
      const dataDirs = options.dataDir.length > 0 ? options.dataDir : ['data'];
      const data = await buildReportData(dataDirs, name);
      const out = options.out ?? defaultReportPath(dataDirs, name, data.dirs[0]!);
      const parts = await renderReport(data);
      await writeOutFile(out, async (stream) => {
        for (const part of parts) stream.write(part);
      });
      const pages = data.pages.count;
      process.stderr.write(`report of ${pages.toLocaleString('en-US')} page${pages === 1 ? '' : 's'} written to ${out} (${formatBytes(parts.reduce((sum, part) => sum + Buffer.byteLength(part), 0))}); open it in a browser\n${formatSummaryBrief(data.summary)}\n`);
      if (options.failOn !== undefined && reportProblems(data, options.failOn, options.format)) setExitCode(EXIT_PROBLEMS);
    });
}

/**
 * `<data-dir>/<name>/report.html` of the first data dir holding the crawl: for a distributed
 * crawl, the crawl's folder above its node stores (`nodes/<id>/`), not the first node's store,
 * since the report covers them all.
 */
export function defaultReportPath(dataDirs: string[], name: string, firstStoreDir: string): string {
  const crawlDir = dataDirs.map((dataDir) => crawlPaths(dataDir, name).dir).find((dir) => firstStoreDir === dir || firstStoreDir.startsWith(dir + path.sep));
  return path.join(crawlDir ?? firstStoreDir, 'report.html');
}
