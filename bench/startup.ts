/**
 * Start-up benchmark: the fixed costs a user pays on every command, measured
 * on the built CLI as a user runs it (a fresh `node` process each time; the
 * bundled CLI, or for a build without one the CLI tsc built: skein-cli.ts).
 *
 *   --help          `skein --help`, spawn to exit
 *   status          `skein status <1,000-page crawl>`, spawn to exit
 *   export 1st byte `skein export <1,000-page crawl>`, spawn to the first byte on stdout
 *   export          the same, spawn to exit
 *   one-page crawl  `skein crawl` of a one-page local site (robots.txt and sitemap 404), spawn to exit
 *   worker ready    a process-mode parse pool of one worker: created to its first page parsed
 *                   (the library's pool and worker, dist/src; the CLI's bundled worker loads faster)
 *
 * Medians of `--runs` runs. With `--compare <other dist>`, the same figures
 * for another build (e.g. a worktree of the previous commit), the two
 * alternated run by run so that both see the same machine load.
 *
 *   npm run build && node dist/bench/startup.js [--runs 9] [--pages 1000] [--compare ../base/dist]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { describeMachine, machineInfo } from '../src/bench/machine-info.js';
import { median, round } from '../src/bench/run-concurrently.js';
import { skeinCli } from '../src/bench/skein-cli.js';
import { startSiteServerProcess } from '../src/bench/site-server-process.js';
import { formatTable } from '../src/bench/text-table.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '9' },
    pages: { type: 'string', default: '1000' },
    compare: { type: 'string' },
    /** Internal: measure one build's worker start in this (fresh) process and print it. */
    'worker-ready-of': { type: 'string' },
  },
});
const runs = Number(values.runs);
const pages = Number(values.pages);

/** A build to measure: its `dist` folder. */
interface Build {
  label: string;
  dist: string;
}
const thisDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const builds: Build[] = [{ label: 'this build', dist: thisDist }];
if (values.compare) builds.push({ label: path.resolve(values.compare), dist: path.resolve(values.compare) });

interface Timed {
  /** Spawn to exit, ms. */
  exitMs: number;
  /** Spawn to the first byte on stdout, ms. */
  firstByteMs: number;
  code: number | null;
  stderr: string;
}

/** Runs the build's `skein` (skein-cli.ts) with args, timing the first stdout byte and the exit. */
function timeCli(build: Build, args: string[], cwd: string): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstByteMs = -1;
    let stderr = '';
    const child = spawn(process.execPath, [skeinCli(build.dist), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } });
    child.stdout.on('data', () => {
      if (firstByteMs < 0) firstByteMs = performance.now() - started;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitMs: performance.now() - started, firstByteMs, code, stderr }));
  });
}

async function mustSucceed(build: Build, args: string[], cwd: string): Promise<Timed> {
  const timed = await timeCli(build, args, cwd);
  if (timed.code !== 0) throw new Error(`skein ${args.join(' ')} (${build.label}) exited ${timed.code}: ${timed.stderr}`);
  return timed;
}

/** A site of one page, no robots.txt, no sitemap. */
async function startOnePageSite(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>One page</title><p>Hello.</p>');
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * A process-mode pool of one worker: created → its first page parsed, ms.
 * Measured in a fresh process per build (two builds' modules cannot share one).
 */
function workerReadyMs(build: Build): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--worker-ready-of', build.dist], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`worker start of ${build.label} failed (${code})`))));
  });
}

async function measureWorkerReady(dist: string): Promise<number> {
  const { validateConfig } = (await import(pathToFileURL(path.join(dist, 'src/config/load-config.js')).href)) as typeof import('../src/config/load-config.js');
  const { startParsePool } = (await import(pathToFileURL(path.join(dist, 'src/core/create-crawler.js')).href)) as typeof import('../src/core/create-crawler.js');
  const config = validateConfig({ seeds: ['http://127.0.0.1/'], parser: { mode: 'process', workers: 1 } });
  const started = performance.now();
  const pool = startParsePool(config);
  try {
    await pool.parse({ url: 'http://127.0.0.1/', depth: 0, status: 200, contentType: 'text/html', body: Buffer.from('<title>t</title><a href="/a">a</a>') });
    return performance.now() - started;
  } finally {
    await pool.close();
  }
}

if (values['worker-ready-of']) {
  process.stdout.write(String(await measureWorkerReady(values['worker-ready-of'])));
  process.exit(0);
}

const MEASURES = ['--help', 'status', 'export 1st byte', 'export', 'one-page crawl', 'worker ready'] as const;
type Measure = (typeof MEASURES)[number];

const machine = machineInfo();
console.log(`skein start-up benchmark: ${runs} runs, a ${pages}-page crawl to read; ${describeMachine(machine)}`);
const work = await mkdtemp(path.join(tmpdir(), 'skein-startup-bench-'));
const site = await startSiteServerProcess({ pages: pages - 1 });
const onePage = await startOnePageSite();
const samples = new Map<string, number[]>();
const sample = (build: Build, measure: Measure, ms: number) => {
  const key = `${build.label}\t${measure}`;
  samples.set(key, [...(samples.get(key) ?? []), ms]);
};
try {
  // The crawl that status and export read, written by each build into its own data dir (an older
  // build may not read a newer one's crawl.json).
  for (const [i, build] of builds.entries()) {
    await mustSucceed(build, ['crawl', `${site.url}/`, '--name', 'site', '--data-dir', `data-${i}`, '--max-pages', String(pages), '--concurrency', '16', '--per-host', '16', '-q'], work);
  }
  for (let run = 0; run < runs; run++) {
    // Alternate which build goes first, so neither always follows the other.
    for (const build of run % 2 === 0 ? builds : [...builds].reverse()) {
      const data = `data-${builds.indexOf(build)}`;
      sample(build, '--help', (await mustSucceed(build, ['--help'], work)).exitMs);
      sample(build, 'status', (await mustSucceed(build, ['status', 'site', '--data-dir', data, '--no-summary'], work)).exitMs);
      const exported = await mustSucceed(build, ['export', 'site', '--data-dir', data], work);
      sample(build, 'export 1st byte', exported.firstByteMs);
      sample(build, 'export', exported.exitMs);
      sample(build, 'one-page crawl', (await mustSucceed(build, ['crawl', onePage.url, '--name', 'one', '--data-dir', data, '--fresh', '-q'], work)).exitMs);
      sample(build, 'worker ready', await workerReadyMs(build));
    }
    process.stderr.write(`run ${run + 1}/${runs} done\n`);
  }
} finally {
  await onePage.close();
  await site.close();
  await rm(work, { recursive: true, force: true });
}

const medianOf = (build: Build, measure: Measure) => round(median(samples.get(`${build.label}\t${measure}`) ?? []), 0);
const headers = ['', ...builds.map((build) => `${build.label} (median ms)`), ...(builds.length === 2 ? ['ratio'] : [])];
const rows = MEASURES.map((measure) => {
  const figures = builds.map((build) => medianOf(build, measure));
  return [measure, ...figures, ...(figures.length === 2 ? [round(figures[0]! / figures[1]!, 2)] : [])];
});
console.log(formatTable(headers, rows));
const baseline: number[] = [];
for (let i = 0; i < 5; i++) baseline.push(await nodeBaselineMs());
console.log(`an empty \`node -e 0\`, for reference: ${round(median(baseline), 0)} ms`);

/** An empty node process, spawn to exit: the floor of every figure above. */
function nodeBaselineMs(): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => resolve(performance.now() - started));
  });
}
