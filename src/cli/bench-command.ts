/**
 * `skein bench [url]`: threads or processes, and how many? Fetches a polite
 * sample of the site once (or of a local generated site when no URL is
 * given), parses the same pages in inline, thread and process modes with
 * several worker counts, and prints the figures and a recommendation.
 */
import type { ActionContext } from './command-list.js';
import { flagsToConfig } from './crawl-flags.js';
import { writeFile } from 'node:fs/promises';
import { loadConfig } from '../config/load-config.js';
import { pagesPerSecondChart } from '../bench/bench-chart.js';
import { formatSiteBench } from '../bench/format-site-bench.js';
import { runSiteBench, type SiteBenchReport } from '../bench/site-bench.js';
import { startSiteServerProcess, type SiteServerProcess } from '../bench/site-server-process.js';
import type { ParserMode } from '../parse/parse-types.js';

/** Runs `skein bench` (declared in command-list.ts). */
export async function action({ setExitCode }: ActionContext, url: string | undefined, options: Record<string, unknown>): Promise<void> {
  const pages = (options.pages as number | undefined) ?? 200;
  const flags = flagsToConfig(options);
  let server: SiteServerProcess | undefined;
  try {
    if (!url) server = await startSiteServerProcess({ pages: Math.max(1_000, pages * 4) });
    const seed = url ?? `${server!.url}/`;
    const config = await loadConfig({ ...(options.config ? { file: options.config as string } : {}), flags: { ...flags, seeds: [seed] } });
    const modes = (options.modes as ParserMode[] | undefined) ?? (flags['parser.mode'] ? [flags['parser.mode'] as ParserMode] : undefined);
    const workers = flags['parser.workers'];
    const counts = (options.workerCounts as number[] | undefined) ?? (typeof workers === 'number' ? [workers] : undefined);
    const report: SiteBenchReport = await runSiteBench({
      config,
      pages,
      local: !url,
      ...(options.parses ? { parses: options.parses as number } : {}),
      ...(modes ? { modes } : {}),
      ...(counts ? { workerCounts: counts } : {}),
      ...(server ? { ignorePids: [server.pid] } : {}),
      onProgress: (message) => {
        if (!options.quiet) process.stderr.write(`${message}\n`);
      },
    });
    if (options.chart) {
      await writeFile(options.chart as string, pagesPerSecondChart(report.results, `skein bench: pages/s by parser mode and workers (${report.sample.pages} pages of ${report.target.local ? 'the local generated site' : report.target.url})`));
    }
    process.stdout.write(options.json ? JSON.stringify(report, null, 2) + '\n' : formatSiteBench(report));
    setExitCode(0);
  } finally {
    await server?.close();
  }
}
