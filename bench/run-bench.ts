/**
 * `npm run bench`: the crawl benchmark of issue 2 / issue 7.
 *
 * Serves the generated site (10,000 pages of ~25 KB with ~100 links each,
 * no gzip) from a SEPARATE child process, crawls it through the real crawler
 * (`createCrawler`, store on, robots on) once per parser mode and run, and
 * reports medians of: pages/s (whole run, first and second half of the
 * pages), CPU ms per page of the crawler's process tree (main process with
 * its threads, parser worker processes; the server's CPU is shown apart),
 * and the peak RSS of that tree (sampled every 100 ms). It then measures the
 * per-page parts in isolation (got fetch, parse, store) to compare the
 * crawl's CPU per page with the sum of its parts. Writes the raw figures to
 * bench/results/<date>.json.
 *
 *   npm run bench -- [--pages 10000] [--runs 3] [--modes process,thread,inline]
 *                    [--workers auto] [--concurrency 64] [--parts-pages 2000] [--out bench/results]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchCrawlConfig, runCrawlBenchInChild, type CrawlBenchResult } from '../src/bench/crawl-bench.js';
import { describeMachine, machineInfo } from '../src/bench/machine-info.js';
import { runPartsBench } from '../src/bench/parts-bench.js';
import { median, round } from '../src/bench/run-concurrently.js';
import { startSiteServerProcess } from '../src/bench/site-server-process.js';
import { formatTable } from '../src/bench/text-table.js';
import type { ParserMode } from '../src/parse/parse-types.js';

const { values } = parseArgs({
  options: {
    pages: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '3' },
    modes: { type: 'string', default: 'process,thread,inline' },
    workers: { type: 'string', default: 'auto' },
    concurrency: { type: 'string', default: '64' },
    'parts-pages': { type: 'string', default: '2000' },
    out: { type: 'string', default: 'bench/results' },
  },
});
const pages = Number(values.pages);
const runs = Number(values.runs);
const modes = values.modes.split(',') as ParserMode[];
const workers = values.workers === 'auto' ? ('auto' as const) : Number(values.workers);
const concurrency = Number(values.concurrency);
const partsPages = Number(values['parts-pages']);

const machine = machineInfo();
console.log(`skein crawl benchmark: ${pages} pages × ${modes.join('/')} × ${runs} runs; ${describeMachine(machine)}`);
console.log(`crawl config: fetch.concurrency ${concurrency}, perHostParallelism ${Math.min(256, concurrency)}, parser.workers ${workers}, store on, robots on, sitemaps on`);

const raw: CrawlBenchResult[] = [];
for (let run = 1; run <= runs; run++) {
  for (const mode of modes) {
    const server = await startSiteServerProcess({ pages });
    try {
      const result = await runCrawlBenchInChild({ siteUrl: server.url, pages, mode, workers, concurrency }, server.cpuMs);
      raw.push(result);
      console.log(`run ${run} ${mode}: ${result.pagesPerSecond} pages/s, ${result.cpuMsPerPage.total} CPU ms/page, peak RSS ${result.peakRssMb} MiB`);
    } finally {
      await server.close();
    }
  }
}

const partsServer = await startSiteServerProcess({ pages });
let parts;
try {
  parts = await runPartsBench(partsServer.url, benchCrawlConfig({ siteUrl: partsServer.url, pages, mode: 'process', concurrency }, 'unused'), partsPages);
} finally {
  await partsServer.close();
}

const summary = modes.map((mode) => {
  const of = raw.filter((r) => r.mode === mode);
  const m = (pick: (r: CrawlBenchResult) => number) => round(median(of.map(pick)), 3);
  return {
    mode,
    workers: of[0]?.workers ?? 0,
    runs: of.length,
    pagesPerSecond: m((r) => r.pagesPerSecond),
    firstHalfPagesPerSecond: m((r) => r.firstHalfPagesPerSecond),
    secondHalfPagesPerSecond: m((r) => r.secondHalfPagesPerSecond),
    cpuMsPerPage: { main: m((r) => r.cpuMsPerPage.main), workers: m((r) => r.cpuMsPerPage.workers), total: m((r) => r.cpuMsPerPage.total) },
    serverCpuMsPerPage: m((r) => r.serverCpuMsPerPage),
    peakRssMb: m((r) => r.peakRssMb),
    peakMainRssMb: m((r) => r.peakMainRssMb),
    peakWorkersRssMb: m((r) => r.peakWorkersRssMb),
    cpuVsPartsRatio: round(median(of.map((r) => r.cpuMsPerPage.total)) / parts.sumCpuMsPerPage, 2),
  };
});

console.log(`\nmedians of ${runs} run(s), ${pages} pages each:\n`);
console.log(
  formatTable(
    ['mode', 'workers', 'pages/s', '1st half p/s', '2nd half p/s', 'CPU ms/page main', 'workers', 'total', '× parts', 'server CPU ms/page', 'peak RSS MiB', 'main', 'workers'],
    summary.map((s) => [s.mode, s.workers, s.pagesPerSecond, s.firstHalfPagesPerSecond, s.secondHalfPagesPerSecond, s.cpuMsPerPage.main, s.cpuMsPerPage.workers, s.cpuMsPerPage.total, s.cpuVsPartsRatio, s.serverCpuMsPerPage, s.peakRssMb, s.peakMainRssMb, s.peakWorkersRssMb]),
  ),
);
console.log(
  `parts in isolation (CPU ms/page): fetch ${parts.fetch.cpuMsPerPage} (fetch alone reached ${parts.fetch.pagesPerSecond} pages/s), ` +
    `parse ${parts.parse.cpuMsPerPage}, store ${parts.store.cpuMsPerPage}; sum ${parts.sumCpuMsPerPage}`,
);

const process_ = summary.find((s) => s.mode === 'process');
const targets = process_
  ? {
      pagesPerSecond: { target: 700, measured: process_.pagesPerSecond, met: process_.pagesPerSecond >= 700 },
      cpuVsParts: { target: 1.3, measured: process_.cpuVsPartsRatio, met: process_.cpuVsPartsRatio <= 1.3 },
      peakRssMb: { target: 300, measured: process_.peakRssMb, met: process_.peakRssMb < 300 },
      secondHalfVsFirst: {
        target: 0.95,
        measured: round(process_.secondHalfPagesPerSecond / process_.firstHalfPagesPerSecond, 2),
        met: process_.secondHalfPagesPerSecond >= 0.95 * process_.firstHalfPagesPerSecond,
      },
    }
  : undefined;
if (targets) {
  console.log(`targets (process mode): ${Object.entries(targets).map(([k, t]) => `${k} ${t.measured} (${t.met ? 'met' : `not met, target ${t.target}`})`).join('; ')}`);
}

const date = new Date().toISOString().slice(0, 10);
const file = path.join(values.out, `${date}.json`);
await mkdir(values.out, { recursive: true });
const config = { pages, runs, modes, workers, concurrency, perHostParallelism: Math.min(256, concurrency), partsPages, store: true, robots: true, sitemaps: true, gzip: false, pageBytes: 25_000, linksPerPage: 100 };
await writeFile(file, JSON.stringify({ date: new Date().toISOString(), machine, config, summary, parts, targets, runs: raw }, null, 2) + '\n');
console.log(`\nwrote ${file}`);
