/**
 * The cost of `--warc`: the crawl benchmark (`npm run bench`'s generated 25 KB
 * pages, real crawler, store and robots on, a separate server process) run
 * with WARC off and on, alternated so that both halves of a pair see the same
 * machine, and medians reported: pages/s and the on/off ratio per pair, CPU
 * ms per page (main process with its threads, where gzip runs, and workers),
 * peak RSS (and the main process's extra peak with WARC, per pair: run it at
 * 10,000 and 30,000 pages to see that it stays flat), and WARC bytes written
 * per page. Writes bench/results/<date>-warc[-plain]-<pages>.json.
 *
 *   node dist/bench/warc-crawl.js [--pages 10000] [--runs 3] [--mode process]
 *                                 [--gzip-level 1] [--concurrency 64] [--out bench/results]
 *   (--gzip-level 0: plain .warc, no compression)
 */
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runCrawlBenchInChild, type CrawlBenchResult } from '../src/bench/crawl-bench.js';
import { describeMachine, machineInfo } from '../src/bench/machine-info.js';
import { median, round } from '../src/bench/run-concurrently.js';
import { startSiteServerProcess } from '../src/bench/site-server-process.js';
import { formatTable } from '../src/bench/text-table.js';
import type { ParserMode } from '../src/parse/parse-types.js';

const { values } = parseArgs({
  options: {
    pages: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '3' },
    mode: { type: 'string', default: 'process' },
    'gzip-level': { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '64' },
    out: { type: 'string', default: 'bench/results' },
  },
});
const pages = Number(values.pages);
const runs = Number(values.runs);
const mode = values.mode as ParserMode;
const gzipLevel = Number(values['gzip-level']);
const concurrency = Number(values.concurrency);

const machine = machineInfo();
const load = (): string => os.loadavg().map((l) => l.toFixed(1)).join(' ');
console.log(`skein WARC benchmark: ${pages} pages, ${mode} parsing, WARC off/on (${gzipLevel > 0 ? `gzip level ${gzipLevel}` : 'no gzip'}) × ${runs} runs; ${describeMachine(machine)}; load average ${load()}`);

type Run = CrawlBenchResult & { warc: boolean; warcBytes: number; loadAverage: number };
const raw: Run[] = [];
for (let run = 1; run <= runs; run++) {
  // Alternate which goes first, so neither always runs on a warmer (or busier) machine.
  for (const warc of run % 2 === 1 ? [false, true] : [true, false]) {
    const server = await startSiteServerProcess({ pages });
    const warcDir = await mkdtemp(path.join(os.tmpdir(), 'skein-warc-bench-'));
    try {
      const config = warc ? { output: { warc: gzipLevel > 0 ? { dir: warcDir, gzipLevel } : { dir: warcDir, gzip: false } } } : undefined;
      const result = await runCrawlBenchInChild({ siteUrl: server.url, pages, mode, concurrency, ...(config ? { config } : {}) }, server.cpuMs);
      const warcBytes = await dirBytes(warcDir);
      raw.push({ ...result, warc, warcBytes, loadAverage: round(os.loadavg()[0]!, 1) });
      console.log(
        `run ${run} WARC ${warc ? 'on ' : 'off'}: ${result.pagesPerSecond} pages/s, CPU ms/page main ${result.cpuMsPerPage.main} workers ${result.cpuMsPerPage.workers}, ` +
          `peak RSS ${result.peakRssMb} MB (main ${result.peakMainRssMb})${warc ? `, ${(warcBytes / 2 ** 20).toFixed(1)} MiB of WARC` : ''} (load ${load()})`,
      );
    } finally {
      await server.close();
      await rm(warcDir, { recursive: true, force: true });
    }
  }
}

const pick = (warc: boolean, f: (r: Run) => number): number => round(median(raw.filter((r) => r.warc === warc).map(f)), 3);
const pairs = Array.from({ length: runs }, (_, i) => {
  const pair = raw.slice(i * 2, i * 2 + 2);
  return { off: pair.find((r) => !r.warc), on: pair.find((r) => r.warc) };
});
const perPair = (f: (on: Run, off: Run) => number): number[] => pairs.map(({ on, off }) => (on && off ? f(on, off) : NaN)).filter(Number.isFinite);
const ratios = perPair((on, off) => on.pagesPerSecond / off.pagesPerSecond);
const extraMainRss = perPair((on, off) => on.peakMainRssMb - off.peakMainRssMb);
const summary = {
  pagesPerSecond: { off: pick(false, (r) => r.pagesPerSecond), on: pick(true, (r) => r.pagesPerSecond) },
  onVsOff: round(median(ratios), 2),
  ratios: ratios.map((r) => round(r, 2)),
  cpuMsPerPage: {
    off: { main: pick(false, (r) => r.cpuMsPerPage.main), workers: pick(false, (r) => r.cpuMsPerPage.workers) },
    on: { main: pick(true, (r) => r.cpuMsPerPage.main), workers: pick(true, (r) => r.cpuMsPerPage.workers) },
  },
  peakRssMb: { off: pick(false, (r) => r.peakRssMb), on: pick(true, (r) => r.peakRssMb) },
  peakMainRssMb: { off: pick(false, (r) => r.peakMainRssMb), on: pick(true, (r) => r.peakMainRssMb) },
  /** The main process's peak RSS with WARC minus without, per pair, and their median. */
  extraMainRssMb: { perPair: extraMainRss.map((mb) => round(mb, 1)), median: round(median(extraMainRss), 1) },
  warcBytesPerPage: Math.round(pick(true, (r) => r.warcBytes / r.pages)),
};

console.log(`\nmedians of ${runs} run(s), ${pages} pages each:\n`);
console.log(
  formatTable(
    ['WARC', 'pages/s', 'CPU ms/page main', 'workers', 'peak RSS MB (tree)', 'main'],
    [
      ['off', summary.pagesPerSecond.off, summary.cpuMsPerPage.off.main, summary.cpuMsPerPage.off.workers, summary.peakRssMb.off, summary.peakMainRssMb.off],
      ['on', summary.pagesPerSecond.on, summary.cpuMsPerPage.on.main, summary.cpuMsPerPage.on.workers, summary.peakRssMb.on, summary.peakMainRssMb.on],
    ],
  ),
);
console.log(`on/off pages/s per pair: ${summary.ratios.join(', ')}; median ${summary.onVsOff} (target ≥ 0.85: ${summary.onVsOff >= 0.85 ? 'met' : 'not met'}); ${summary.warcBytesPerPage} WARC bytes a page`);
console.log(`main process peak RSS with WARC minus without, per pair: ${summary.extraMainRssMb.perPair.join(', ')} MB; median ${summary.extraMainRssMb.median} MB (flat: the same at 10,000 and 30,000 pages)`);

const date = new Date().toISOString().slice(0, 10);
const file = path.join(values.out, `${date}-warc${gzipLevel > 0 ? '' : '-plain'}-${pages}.json`);
await mkdir(values.out, { recursive: true });
await writeFile(file, JSON.stringify({ date: new Date().toISOString(), machine, loadAverage: os.loadavg(), config: { pages, runs, mode, gzipLevel, concurrency }, summary, runs: raw }, null, 2) + '\n');
console.log(`\nwrote ${file}`);

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(path.join(dir, name))).size;
  return total;
}
