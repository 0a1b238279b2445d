/**
 * skein against a plain got + cheerio crawler (bench/got-cheerio-crawler.ts),
 * each run as a user runs it: a fresh `node` process, timed from spawn to
 * exit, so start-up counts. skein is `node dist/bundle/cli/main.js crawl` with
 * its defaults but the same requests in flight (`--concurrency` and
 * `--per-host` N; robots.txt and sitemaps on, records stored); the baseline
 * has a p-queue of N. Both stop at `--pages` pages.
 *
 * The site is the benchmark's generated one (`--pages` HTML pages of ~25 KB
 * with ~100 links, from a separate process on 127.0.0.1), or a real site with
 * `--url` (skein obeys its robots.txt, the baseline does not: be polite, keep
 * --pages small, and only for a site you may crawl this hard).
 *
 * Per run, alternating which goes first: a crawl of `--pages` pages and one
 * of a single page (the fixed cost: start-up, robots.txt, sitemap, exit).
 * Reported: median wall time, pages/s, peak RSS of the process tree (main
 * process + parser workers, sampled every 50 ms from /proc), the marginal
 * pages/s once started ((pages − 1) ÷ (wall − wall of one page)), and
 * skein ÷ baseline.
 *
 *   npm run build && node dist/bench/versus-got-cheerio.js [--pages 1000] [--runs 5] [--concurrency 16] [--url https://…]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeMachine, machineInfo } from '../src/bench/machine-info.js';
import { ProcessTreeSampler } from '../src/bench/process-tree-sampler.js';
import { median, round } from '../src/bench/run-concurrently.js';
import { skeinCli } from '../src/bench/skein-cli.js';
import { startSiteServerProcess, type SiteServerProcess } from '../src/bench/site-server-process.js';
import { formatTable } from '../src/bench/text-table.js';

const { values } = parseArgs({
  options: {
    pages: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '16' },
    url: { type: 'string' },
  },
});
const pages = Number(values.pages);
const runs = Number(values.runs);
const concurrency = String(Number(values.concurrency));
const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Contender {
  name: string;
  /** The command line for a crawl of `maxPages` from `seed`, writing under `work`. */
  args: (seed: string, maxPages: number, work: string) => string[];
  /** Pages it recorded, read from what it wrote. */
  recorded: (work: string) => Promise<number>;
}

const contenders: Contender[] = [
  {
    name: 'skein',
    args: (seed, maxPages, work) => [skeinCli(dist), 'crawl', seed, '--name', 'bench', '--data-dir', work, '--max-pages', String(maxPages), '--concurrency', concurrency, '--per-host', concurrency, '-q'],
    recorded: async (work) => {
      const status = await run([skeinCli(dist), 'status', 'bench', '--data-dir', work, '--json', '--no-summary']);
      return (JSON.parse(status.stdout) as { pages?: { ok?: number } }).pages?.ok ?? Number.NaN;
    },
  },
  {
    name: 'got+cheerio',
    args: (seed, maxPages, work) => [path.join(dist, 'bench/got-cheerio-crawler.js'), seed, '--out', path.join(work, 'pages.jsonl'), '--max-pages', String(maxPages), '--concurrency', concurrency],
    recorded: async (work) => (await readFile(path.join(work, 'pages.jsonl'), 'utf8')).split('\n').filter((line) => line.includes('"title"')).length,
  },
];

interface Measured {
  wallMs: number;
  peakRssMb: number;
  stdout: string;
}

/** Runs `node ...args` from spawn to exit, sampling its process tree's RSS. */
function run(args: string[]): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } });
    const sampler = new ProcessTreeSampler({ root: child.pid!, intervalMs: 50 });
    sampler.start();
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', () => sampler.sample());
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const usage = sampler.stop();
      if (code !== 0) reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr}`));
      else resolve({ wallMs, peakRssMb: usage.peakRssBytes / 2 ** 20, stdout });
    });
  });
}

const samples = new Map<string, number[]>();
const sample = (key: string, value: number) => samples.set(key, [...(samples.get(key) ?? []), value]);
const medianOf = (key: string) => median(samples.get(key) ?? []);

let server: SiteServerProcess | undefined;
const work = await mkdtemp(path.join(tmpdir(), 'skein-versus-'));
try {
  if (!values.url) server = await startSiteServerProcess({ pages: pages - 1 });
  const seed = values.url ?? `${server!.url}/`;
  console.log(`skein vs got+cheerio: ${pages} pages of ${values.url ?? 'the generated site (127.0.0.1)'}, ${concurrency} requests in flight, ${runs} runs; ${describeMachine(machineInfo())}`);
  for (let i = 0; i < runs; i++) {
    for (const contender of i % 2 === 0 ? contenders : [...contenders].reverse()) {
      for (const maxPages of [pages, 1]) {
        const dir = await mkdtemp(path.join(work, `${contender.name.replace(/\W/g, '')}-`));
        const measured = await run(contender.args(seed, maxPages, dir));
        const recorded = await contender.recorded(dir);
        await rm(dir, { recursive: true, force: true });
        const size = maxPages === 1 ? 'one' : 'all';
        sample(`${contender.name} ${size} wall`, measured.wallMs);
        sample(`${contender.name} ${size} rss`, measured.peakRssMb);
        sample(`${contender.name} ${size} pages`, recorded);
      }
    }
    const last = (name: string) => samples.get(`${name} all wall`)!.at(-1)!;
    process.stderr.write(`run ${i + 1}/${runs}: skein ${round(last('skein'), 0)} ms, got+cheerio ${round(last('got+cheerio'), 0)} ms\n`);
  }
} finally {
  await server?.close();
  await rm(work, { recursive: true, force: true });
}

const rows = contenders.map(({ name }) => {
  const wall = medianOf(`${name} all wall`);
  const oneWall = medianOf(`${name} one wall`);
  const recorded = medianOf(`${name} all pages`);
  return {
    name,
    cells: [name, round(recorded, 0), round(wall, 0), round((recorded * 1000) / wall, 0), round(oneWall, 0), round(((recorded - 1) * 1000) / (wall - oneWall), 0), round(medianOf(`${name} all rss`), 0)],
  };
});
const [skein, baseline] = rows.map((row) => row.cells);
const ratio = (column: number) => round(Number(skein![column]) / Number(baseline![column]), 2);
console.log(
  formatTable(
    ['', 'pages', 'wall ms', 'pages/s', 'one page: wall ms', 'pages/s after the first', 'peak RSS MB (tree)'],
    [...rows.map((row) => row.cells), ['skein ÷ got+cheerio', '', '', `${ratio(3)}×`, '', `${ratio(5)}×`, `${ratio(6)}×`]],
  ),
);
console.log(`medians of ${runs}; every run (wall ms): ${contenders.map(({ name }) => `${name} ${samples.get(`${name} all wall`)!.map((ms) => round(ms, 0)).join(' / ')}`).join('; ')}`);
