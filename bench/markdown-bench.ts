/**
 * The cost of `extract.content` (main content + Markdown in the parser
 * workers): the crawl benchmark (`npm run bench`'s generated 25 KB pages,
 * real crawler, store and robots on, a separate server process) run with
 * Markdown off and on, per parser mode, interleaved so both see the same
 * machine, and medians reported. Writes bench/results/<date>-markdown.json.
 *
 *   node dist/bench/markdown-bench.js [--pages 5000] [--runs 3] [--modes process,thread,inline]
 *                                     [--workers auto] [--concurrency 64] [--out bench/results]
 */
import { mkdir, writeFile } from 'node:fs/promises';
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
    pages: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '3' },
    modes: { type: 'string', default: 'process,thread,inline' },
    workers: { type: 'string', default: 'auto' },
    concurrency: { type: 'string', default: '64' },
    out: { type: 'string', default: 'bench/results' },
  },
});
const pages = Number(values.pages);
const runs = Number(values.runs);
const modes = values.modes.split(',') as ParserMode[];
const workers = values.workers === 'auto' ? ('auto' as const) : Number(values.workers);
const concurrency = Number(values.concurrency);

const machine = machineInfo();
console.log(`skein Markdown benchmark: ${pages} pages × ${modes.join('/')} × off/on × ${runs} runs; ${describeMachine(machine)}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);

type Run = CrawlBenchResult & { markdown: boolean; loadAverage: number };
const raw: Run[] = [];
for (let run = 1; run <= runs; run++) {
  for (const mode of modes) {
    for (const markdown of [false, true]) {
      const server = await startSiteServerProcess({ pages });
      try {
        const config = markdown ? { extract: { content: { enabled: true } } } : undefined;
        const result = await runCrawlBenchInChild({ siteUrl: server.url, pages, mode, workers, concurrency, ...(config ? { config } : {}) }, server.cpuMs);
        raw.push({ ...result, markdown, loadAverage: round(os.loadavg()[0]!, 1) });
        console.log(`run ${run} ${mode} markdown ${markdown ? 'on ' : 'off'}: ${result.pagesPerSecond} pages/s, CPU ms/page main ${result.cpuMsPerPage.main} workers ${result.cpuMsPerPage.workers}, peak RSS ${result.peakRssMb} MB (load ${os.loadavg()[0]!.toFixed(1)})`);
      } finally {
        await server.close();
      }
    }
  }
}

const summary = modes.map((mode) => {
  const pick = (markdown: boolean, f: (r: Run) => number): number => round(median(raw.filter((r) => r.mode === mode && r.markdown === markdown).map(f)), 3);
  // Ratio per run pair (same run, same mode), then the median: both halves of a pair saw the same machine.
  const ratios = Array.from({ length: runs }, (_, i) => {
    const pair = raw.filter((r) => r.mode === mode).slice(i * 2, i * 2 + 2);
    return pair.length === 2 ? pair[1]!.pagesPerSecond / pair[0]!.pagesPerSecond : NaN;
  }).filter(Number.isFinite);
  return {
    mode,
    pagesPerSecond: { off: pick(false, (r) => r.pagesPerSecond), on: pick(true, (r) => r.pagesPerSecond) },
    onVsOff: round(median(ratios), 2),
    cpuMsPerPage: {
      off: { main: pick(false, (r) => r.cpuMsPerPage.main), workers: pick(false, (r) => r.cpuMsPerPage.workers), total: pick(false, (r) => r.cpuMsPerPage.total) },
      on: { main: pick(true, (r) => r.cpuMsPerPage.main), workers: pick(true, (r) => r.cpuMsPerPage.workers), total: pick(true, (r) => r.cpuMsPerPage.total) },
    },
    peakRssMb: { off: pick(false, (r) => r.peakRssMb), on: pick(true, (r) => r.peakRssMb) },
  };
});

console.log(`\nmedians of ${runs} run(s), ${pages} pages each:\n`);
console.log(
  formatTable(
    ['mode', 'pages/s off', 'pages/s on', 'on/off', 'CPU ms/page off (main+workers)', 'on (main+workers)', 'peak RSS MB off', 'on'],
    summary.map((s) => [
      s.mode,
      s.pagesPerSecond.off,
      s.pagesPerSecond.on,
      s.onVsOff,
      `${s.cpuMsPerPage.off.main} + ${s.cpuMsPerPage.off.workers} = ${s.cpuMsPerPage.off.total}`,
      `${s.cpuMsPerPage.on.main} + ${s.cpuMsPerPage.on.workers} = ${s.cpuMsPerPage.on.total}`,
      s.peakRssMb.off,
      s.peakRssMb.on,
    ]),
  ),
);
const processMode = summary.find((s) => s.mode === 'process');
if (processMode) console.log(`target (process mode keeps ≥ 60% of its pages/s with Markdown on): ${processMode.onVsOff} (${processMode.onVsOff >= 0.6 ? 'met' : 'not met'})`);

const date = new Date().toISOString().slice(0, 10);
const file = path.join(values.out, `${date}-markdown.json`);
await mkdir(values.out, { recursive: true });
await writeFile(file, JSON.stringify({ date: new Date().toISOString(), machine, loadAverage: os.loadavg(), config: { pages, runs, modes, workers, concurrency }, summary, runs: raw }, null, 2) + '\n');
console.log(`\nwrote ${file}`);
