/**
 * What resuming a large crawl costs: builds a crawl state on disk through the
 * real store and journal (default: 30,000 stored pages of ~2 KB records and
 * 100,000 journalled requests, batches of 500), then restores it the way
 * `skein crawl --resume` does (open the page store, `MemoryFrontier.restore`
 * from the journal) in fresh child processes, and reports wall time and peak
 * RSS. For comparison it reports the peak RSS of a bare process (the floor)
 * and of a process holding the same frontier live (built by `add`, plus the
 * store's key set), which a crawl of that size must hold anyway, and the
 * restore again with the keys sidecars deleted (the store then parses every
 * record, as it did before sidecars existed).
 *
 *   npx tsx bench/resume-cost.ts [--pages 30000] [--urls 100000] [--runs 3]
 *   npx tsx bench/resume-cost.ts --dir data/<crawl>      # restore a real crawl
 *
 * A measurement, not a test: numbers vary with the disk and the machine.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FrontierOptions } from '../src/frontier/frontier.js';
import { MemoryFrontier } from '../src/frontier/memory-frontier.js';
import { FrontierJournal } from '../src/store/frontier-journal.js';
import { LowdbPageStore } from '../src/store/lowdb-page-store.js';
import { BATCH, buildState, requestAt } from './crawl-state.js';
const FRONTIER_OPTIONS: FrontierOptions = { maxPages: 1_000_000, hostPolicy: { delayMs: 0, parallelism: 4 } };

function arg(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : undefined;
}


interface ChildReport {
  mode: string;
  ms: number;
  /** Of `ms`: opening the page store (rebuilding its key set). */
  storeOpenMs?: number;
  maxRssMb: number;
  heapAfterGcMb: number;
  seen?: number;
  queued?: number;
  stored?: number;
}

/** Child side: one measurement, printed as JSON. */
async function child(mode: string, dir: string | undefined): Promise<void> {
  const started = process.hrtime.bigint();
  const report: Partial<ChildReport> = { mode };
  let keep: unknown;
  if (mode === 'restore' && dir) {
    const store = await LowdbPageStore.open(path.join(dir, 'pages'));
    report.storeOpenMs = Number(process.hrtime.bigint() - started) / 1e6;
    const journal = new FrontierJournal(path.join(dir, 'frontier'));
    const frontier = await MemoryFrontier.restore({ ...FRONTIER_OPTIONS, journal }, journal.readAll(), (key) => store.has(key), store.size);
    const stats = await frontier.stats();
    Object.assign(report, { seen: stats.seen, queued: stats.queued, stored: store.size });
    keep = [store, frontier];
  } else if (mode === 'live') {
    const pages = Number(arg('pages')), urls = Number(arg('urls'));
    const frontier = new MemoryFrontier(FRONTIER_OPTIONS);
    const storeKeys = new Set<string>();
    for (let n = 0; n < urls; n += 30) await frontier.add(Array.from({ length: Math.min(30, urls - n) }, (_, i) => requestAt(n + i)));
    for (let n = 0; n < pages; n++) storeKeys.add(requestAt(n).key);
    const stats = await frontier.stats();
    Object.assign(report, { seen: stats.seen, queued: stats.queued, stored: storeKeys.size });
    keep = [frontier, storeKeys];
  }
  report.ms = Number(process.hrtime.bigint() - started) / 1e6;
  globalThis.gc?.();
  report.heapAfterGcMb = process.memoryUsage().heapUsed / 2 ** 20;
  report.maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify(report) + '\n');
  void keep;
}

function runChild(args: string[]): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...process.execArgv, '--expose-gc', fileURLToPath(import.meta.url), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    proc.on('error', reject);
    proc.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`child ${args.join(' ')} exited ${code}`))));
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function line(label: string, r: ChildReport[]): string {
  const ms = median(r.map((x) => x.ms));
  const rss = Math.max(...r.map((x) => x.maxRssMb));
  const heap = median(r.map((x) => x.heapAfterGcMb));
  const storeMs = r[0]!.storeOpenMs !== undefined ? ` (store ${median(r.map((x) => x.storeOpenMs!)).toFixed(0)} ms)` : '';
  const counts = r[0]!.seen !== undefined ? `  (seen ${r[0]!.seen}, queued ${r[0]!.queued}, stored ${r[0]!.stored})` : '';
  return `${label.padEnd(34)} ${ms.toFixed(0).padStart(6)} ms${storeMs}  peak RSS ${rss.toFixed(0).padStart(4)} MiB  heap after GC ${heap.toFixed(0).padStart(4)} MiB${counts}`;
}

async function main(): Promise<void> {
  const mode = arg('child');
  if (mode) return child(mode, arg('dir'));
  const runs = Number(arg('runs') ?? 3);
  const pages = Number(arg('pages') ?? 30_000);
  const urls = Number(arg('urls') ?? 100_000);
  const existing = arg('dir');
  const root = existing ? undefined : await mkdtemp(path.join(os.tmpdir(), 'skein-resume-cost-'));
  const dir = existing ?? root!;
  try {
    console.log(`node ${process.version}; ${os.cpus().length} cpus; ${existing ? `crawl state in ${dir}` : `${pages} pages, ${urls} URLs, batches of ${BATCH}`}`);
    if (!existing) {
      const started = Date.now();
      await buildState(dir, pages, urls);
      console.log(`built the state in ${Date.now() - started} ms`);
    }
    const repeat = async (args: string[]) => {
      const out: ChildReport[] = [];
      for (let i = 0; i < runs; i++) out.push(await runChild(args));
      return out;
    };
    console.log(line('bare process (floor)', await repeat(['--child', 'bare'])));
    console.log(line('resume: open store + restore', await repeat(['--child', 'restore', '--dir', dir])));
    if (!existing) {
      console.log(line('same frontier held live', await repeat(['--child', 'live', '--pages', String(pages), '--urls', String(urls)])));
      // Without the keys sidecars the store parses every record to rebuild its keys (skein before sidecars, or a crawl written by it).
      const pagesDir = path.join(dir, 'pages');
      for (const name of await readdir(pagesDir)) if (name.endsWith('.keys.json')) await rm(path.join(pagesDir, name));
      console.log(line('resume without keys sidecars', await repeat(['--child', 'restore', '--dir', dir])));
    }
  } finally {
    if (root) await rm(root, { recursive: true, force: true });
  }
}

await main();
