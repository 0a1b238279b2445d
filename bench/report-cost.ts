/**
 * What `skein report` costs on a large crawl: writes a synthetic crawl of
 * 100,000 stored pages through the real store (realistic records: ~40 links
 * with their text, titles, descriptions, h1, 1,000 characters of text, a
 * content hash; 1% broken links, 2% redirects, a redirect loop, duplicate
 * titles and content, a slow and a large tail), then builds the report the
 * way the command does (stream the store, collect, render, write atomically)
 * in fresh child processes, and reports wall time, peak RSS and file size.
 *
 *   node dist/bench/report-cost.js [--pages 100000] [--runs 3]
 *   node dist/bench/report-cost.js --dir data --name <crawl>     # a real crawl
 *
 * Targets (issue: site-audit report): ≤ 10 s, ≤ 300 MB peak RSS, file ≤ 15 MB.
 * A measurement, not a test: numbers vary with the disk and the machine.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeOutFile } from '../src/cli/write-out-file.js';
import type { PageRecord } from '../src/core/types.js';
import { buildReportData } from '../src/report/build-report.js';
import { writeReport } from '../src/report/render-report.js';
import { CrawlMeta } from '../src/store/crawl-meta.js';
import { crawlPaths } from '../src/store/crawl-dir.js';
import { LowdbPageStore } from '../src/store/lowdb-page-store.js';
import { validateConfig } from '../src/config/load-config.js';

const BATCH = 500;
const LINKS = 40;
const ORIGIN = 'https://www.example.com';

function arg(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : undefined;
}

const pathOf = (n: number): string => `/section-${n % 97}/article-${n}-about-crawling-the-web`;

/** Page n of the synthetic site: mostly fine, with the problems a real site has. */
export function syntheticRecord(n: number, pages: number): PageRecord {
  const key = ORIGIN + (n === 0 ? '/' : pathOf(n));
  const links: string[] = [];
  const linkText: string[] = [];
  for (let i = 0; i < LINKS; i++) {
    // Navigation (the same 10 pages everywhere), then neighbours and pages further on.
    const target = i < 10 ? i * 13 : (n * 7 + i * 101) % pages;
    links.push(ORIGIN + (target === 0 ? '/' : pathOf(target)));
    linkText.push(i < 10 ? `Section ${i}` : `Article ${target} about crawling`);
  }
  if (n % 100 === 1) links.push(`${ORIGIN}/gone-${n % 500}`), linkText.push('A page that moved away');
  const base: PageRecord = {
    key, url: key, finalUrl: key, redirects: [], status: 200, contentType: 'text/html; charset=utf-8', depth: Math.min(6, Math.floor(Math.log2(n + 1))),
    fetchedAt: new Date(1_700_000_000_000 + n * 50).toISOString(), outcome: 'ok',
    bytes: n % 1000 === 7 ? 4_000_000 : 30_000 + (n % 997) * 40,
    timings: { waitMs: 20 + (n % 50) + (n % 1000 === 3 ? 4000 : 0), downloadMs: 5 + (n % 7), parseMs: 3, totalMs: 40 },
    title: n % 50 === 5 ? 'Untitled article' : `Article ${n} about crawling the web`,
    description: n % 40 === 3 ? 'The same description on many pages.' : `What article ${n} says about crawling, in one sentence a search engine shows.`,
    lang: 'en', h1: n % 60 === 9 ? [] : [`Article ${n}`], h2: ['Introduction', 'Details'],
    text: `Paragraph ${n % 30 === 0 ? 'x' : n} of body text, as extracted from the page. `.repeat(20).slice(0, 1_000),
    contentHash: n % 30 === 0 ? 'sameContentHash1' : `h${n.toString(36).padStart(15, '0')}`,
    links, linkText, charset: 'utf-8',
  };
  if (n % 50 === 11) Object.assign(base, { redirects: [{ url: key, status: 301 }], finalUrl: key + '/' });
  return base;
}

/** The broken URLs the pages link to, and a redirect loop, as the crawl records them. */
function failedRecords(): PageRecord[] {
  const out: PageRecord[] = [];
  for (let g = 0; g < 500; g++) {
    const key = `${ORIGIN}/gone-${g}`;
    out.push({ key, url: key, finalUrl: key, redirects: [], status: 404, depth: 2, fetchedAt: new Date(1_700_000_000_000).toISOString(), outcome: 'failed', reason: 'http-error', error: { code: 'ERR_HTTP', message: 'HTTP 404' }, bytes: 120, timings: { waitMs: 20, downloadMs: 1, parseMs: 0, totalMs: 22 } });
  }
  return out;
}

export async function buildCrawl(dataDir: string, name: string, pages: number): Promise<void> {
  const paths = crawlPaths(dataDir, name);
  const config = validateConfig({ name, dataDir, seeds: [ORIGIN + '/'], scope: { maxPages: pages * 2 } });
  await new CrawlMeta(paths.meta).startRun(config, name);
  const store = await LowdbPageStore.open(paths.pages);
  for (let done = 0; done < pages; done += BATCH) {
    for (let n = done; n < Math.min(pages, done + BATCH); n++) store.put(syntheticRecord(n, pages));
    if (done === BATCH * 4) for (const record of failedRecords()) store.put(record);
    await store.flush();
  }
  await store.close();
}

interface ChildReport {
  ms: number;
  /** Peak RSS in bytes. */
  maxRssBytes: number;
  fileMb: number;
  pages: number;
}

/** Child side: the `skein report` code path, measured. */
async function child(dataDir: string, name: string, out: string): Promise<void> {
  const started = process.hrtime.bigint();
  const data = await buildReportData([dataDir], name);
  await writeOutFile(out, (stream) => writeReport(data, stream));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const report: ChildReport = { ms, maxRssBytes: process.resourceUsage().maxRSS * 1024, fileMb: (await stat(out)).size / 1e6, pages: data.pages.count };
  process.stdout.write(JSON.stringify(report) + '\n');
}

function runChild(args: string[]): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [fileURLToPath(import.meta.url), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    proc.on('error', reject);
    proc.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as ChildReport) : reject(new Error(`child exited ${code}`))));
  });
}

/** "253 MB (241 MiB)": the target is in MB (10^6 bytes). */
const rss = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB (${(bytes / 2 ** 20).toFixed(0)} MiB)`;
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  if (arg('child') !== undefined) return child(arg('dir')!, arg('name')!, arg('out')!);
  const runs = Number(arg('runs') ?? 3);
  const pages = Number(arg('pages') ?? 100_000);
  const existing = arg('dir');
  const root = await mkdtemp(path.join(os.tmpdir(), 'skein-report-cost-'));
  const dataDir = existing ?? root;
  const name = arg('name') ?? 'synthetic';
  try {
    console.log(`node ${process.version}; ${os.cpus().length} cpus (${os.cpus()[0]?.model}); load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    if (!existing) {
      const started = Date.now();
      await buildCrawl(dataDir, name, pages);
      console.log(`wrote ${pages} pages (+500 broken URLs) in ${Date.now() - started} ms`);
    }
    const results: ChildReport[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await runChild(['--child', '--dir', dataDir, '--name', name, '--out', path.join(root, 'report.html')]);
      console.log(`run ${i + 1}: ${r.pages} pages, ${r.ms.toFixed(0)} ms, peak RSS ${rss(r.maxRssBytes)}, file ${r.fileMb.toFixed(1)} MB`);
      results.push(r);
    }
    console.log(`median of ${runs}: ${median(results.map((r) => r.ms)).toFixed(0)} ms, peak RSS ${rss(median(results.map((r) => r.maxRssBytes)))} (max ${rss(Math.max(...results.map((r) => r.maxRssBytes)))}), file ${results[0]!.fileMb.toFixed(1)} MB; load average now ${os.loadavg()[0]!.toFixed(1)}`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
