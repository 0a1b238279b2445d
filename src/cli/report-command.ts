/**
 * `skein report <name>`: a site-audit report of a stored crawl as one
 * self-contained HTML file (src/report/).
 */
import type { ActionContext } from './command-list.js';
import { EXIT_PROBLEMS, reportProblems } from './report-problems.js';
import path from 'node:path';
import { buildReportData } from '../report/build-report.js';
import { writeReport } from '../report/render-report.js';
import { formatBytes, formatSummaryBrief } from '../report/report-summary.js';
import { writeOutFile } from './write-out-file.js';
import { parseFailOn } from '../report/problem-kinds.js';
import type { ProblemFormat } from '../report/format-problems.js';
import { crawlPaths } from '../store/crawl-dir.js';

interface ReportFlags {
  out?: string;
  dataDir: string[];
  failOn?: string;
  format: ProblemFormat;
}

/** Runs `skein report` (declared in command-list.ts). */
export async function action({ setExitCode }: ActionContext, name: string, options: ReportFlags): Promise<void> {
  if (options.failOn !== undefined) parseFailOn(options.failOn);
  const dataDirs = options.dataDir.length > 0 ? options.dataDir : ['data'];
  const data = await buildReportData(dataDirs, name);
  const out = options.out ?? defaultReportPath(dataDirs, name, data.dirs[0]!);
  const bytes = await writeOutFile(out, (stream) => writeReport(data, stream));
  const pages = data.pages.count;
  process.stderr.write(`report of ${pages.toLocaleString('en-US')} page${pages === 1 ? '' : 's'} written to ${out} (${formatBytes(bytes)}); open it in a browser\n${formatSummaryBrief(data.summary)}\n`);
  if (options.failOn !== undefined && reportProblems(data, options.failOn, options.format)) setExitCode(EXIT_PROBLEMS);
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
