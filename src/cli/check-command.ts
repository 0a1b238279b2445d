/**
 * `skein check <url>`: a link checker for CI. Crawls the site (into a
 * temporary folder, removed afterwards, unless --data-dir or --config says
 * where), then prints the problems chosen with --fail-on, grouped by the page
 * that has them, and exits 1 when there are any.
 */
import type { ActionContext } from './command-list.js';
import { flagsToConfig } from './crawl-flags.js';
import { EXIT_PROBLEMS, reportProblems } from './report-problems.js';
import { parseFailOn } from '../report/problem-kinds.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/load-config.js';
import { crawlName } from '../core/open-crawl-dir.js';
import { buildReportData } from '../report/build-report.js';
import type { ProblemFormat } from '../report/format-problems.js';
import { writeReport } from '../report/render-report.js';
import { runCrawl } from './run-crawl.js';
import { assertWritableFolder, writeOutFile } from './write-out-file.js';

/** Runs `skein check` (declared in command-list.ts). */
export async function action({ setExitCode }: ActionContext, urls: string[], options: Record<string, unknown>): Promise<void> {
  const failOn = String(options.failOn);
  parseFailOn(failOn); // bad --fail-on fails before anything is crawled
  const flags = flagsToConfig(options);
  if (urls.length > 0) flags.seeds = urls;
  const file = options.config as string | undefined;
  const temporary = flags.dataDir === undefined && file === undefined ? await mkdtemp(path.join(tmpdir(), 'skein-check-')) : undefined;
  try {
    if (temporary) flags.dataDir = temporary;
    const config = await loadConfig({ ...(file ? { file } : {}), flags });
    if (options.report !== undefined) await assertWritableFolder(String(options.report)); // before the crawl, not after it
    process.stderr.write(`checking ${config.seeds.join(' ')} (at most ${config.scope.maxPages} pages)\n`);
    const { code, summary } = await runCrawl(config, { quiet: true, continueBy: 'none' }, { fresh: true });
    if (code === 130) return setExitCode(code);
    const data = await buildReportData([config.dataDir], crawlName(config));
    process.stderr.write(`checked ${summary.pages.ok + summary.pages.failed + summary.pages.skipped} pages in ${(summary.durationMs / 1000).toFixed(1)} s\n`);
    if (options.report !== undefined) {
      await writeOutFile(String(options.report), (stream) => writeReport(data, stream));
      process.stderr.write(`report written to ${String(options.report)}\n`);
    }
    const found = reportProblems(data, failOn, options.format as ProblemFormat);
    setExitCode(code !== 0 ? code : found ? EXIT_PROBLEMS : 0);
  } finally {
    if (temporary) await rm(temporary, { recursive: true, force: true });
  }
}
