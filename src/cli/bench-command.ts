/**
 * `skein bench [url]`: threads or processes, and how many? Fetches a polite
 * sample of the site once (or of a local generated site when no URL is
 * given), parses the same pages in inline, thread and process modes with
 * several worker counts, and prints the figures and a recommendation.
 */
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { loadConfig } from '../config/load-config.js';
import { ConfigError } from '../core/errors.js';
import { pagesPerSecondChart } from '../bench/bench-chart.js';
import { formatSiteBench } from '../bench/format-site-bench.js';
import { runSiteBench, type SiteBenchReport } from '../bench/site-bench.js';
import { startSiteServerProcess, type SiteServerProcess } from '../bench/site-server-process.js';
import type { ParserMode } from '../parse/parse-types.js';
import { addCrawlFlags, flagsToConfig } from './crawl-flags.js';
import { positiveIntFlag } from './positive-int-flag.js';

const MODES: readonly ParserMode[] = ['inline', 'thread', 'process'];

function intList(value: string): number[] {
  return value.split(',').map((part) => positiveIntFlag('worker-counts')(part.trim()));
}

function modeList(value: string): ParserMode[] {
  const modes = value.split(',').map((part) => part.trim());
  for (const mode of modes) {
    if (!MODES.includes(mode as ParserMode)) throw new ConfigError('modes', `expected a comma-separated list of ${MODES.join(', ')}, got "${mode}"`);
  }
  return modes as ParserMode[];
}

export function benchCommand(setExitCode: (code: number) => void): Command {
  const command = new Command('bench')
    .description('measure extraction on a sample of a site (or a local generated site) in inline, thread and process modes, and recommend a parser mode, worker count and fetch concurrency')
    .argument('[url]', 'site to sample (fetched once, politely); omit to use a local generated site')
    .addOption(new Option('--pages <n>', 'pages in the sample (default: 200)').argParser(positiveIntFlag('pages')))
    .addOption(new Option('--parses <n>', 'pages parsed per configuration; the sample is repeated (default: max(sample, 200))').argParser(positiveIntFlag('parses')))
    .addOption(new Option('--modes <list>', 'parser modes to measure (default: inline,thread,process)').argParser(modeList))
    .addOption(new Option('--worker-counts <list>', 'worker counts for thread and process modes (default: 1, 2, … available CPUs)').argParser(intList))
    .option('--chart <file>', 'also write an SVG bar chart of pages/s by mode and worker count')
    .option('--json', 'print the report as JSON on stdout')
    .option('-q, --quiet', 'no progress lines on stderr');
  addCrawlFlags(command);
  command.addHelpText(
    'after',
    '\n--parser and --workers narrow the measured modes and worker counts to one each.\n\nExamples:\n  $ skein bench\n  $ skein bench https://example.com/ --pages 100 --chart bench.svg\n  $ skein bench --json | jq .recommendation',
  );
  command.action(async (url: string | undefined, options: Record<string, unknown>) => {
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
  });
  return command;
}
