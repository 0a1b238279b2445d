/**
 * Measures what one page costs the main process at flush time, with a small
 * store (1,000 pages) and a large one (100,000 pages): ~2 KB records, batches
 * of 500 (the default `store.batchSize`). With segment files the two figures
 * should be about equal; a store that rewrote one growing document would be
 * ~100× slower at 100,000. Also prints how long reopening (rebuilding the key
 * set) takes at each size.
 *
 *   npx tsx bench/store-cost.ts [--batches 10]
 *
 * A measurement, not a test: numbers vary with the disk and the machine.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PageRecord } from '../src/core/types.js';
import { LowdbPageStore } from '../src/store/lowdb-page-store.js';

const BATCH_PAGES = 500;
const SIZES = [1_000, 100_000];
const batchesArg = process.argv.indexOf('--batches');
const MEASURED_BATCHES = batchesArg > 0 ? Number(process.argv[batchesArg + 1]) : 10;

let serial = 0;
/** A realistic record of about 2 KB (as compact JSON). */
function makeRecord(): PageRecord {
  const n = serial++;
  const key = `https://example.com/section-${n % 97}/article-${n}`;
  return {
    key,
    url: key,
    finalUrl: key,
    redirects: [],
    status: 200,
    contentType: 'text/html; charset=utf-8',
    depth: 3,
    referrer: `https://example.com/section-${n % 97}/`,
    fetchedAt: new Date(1_700_000_000_000 + n * 1000).toISOString(),
    outcome: 'ok',
    bytes: 48_213 + (n % 1000),
    timings: { waitMs: 41, downloadMs: 12, parseMs: 7, totalMs: 63 },
    title: `Article ${n}: a page about crawling things politely`,
    description: 'A description of the page that a search engine would show under the title in its results.',
    canonical: key,
    lang: 'en',
    h1: [`Article ${n}`],
    h2: ['Introduction', 'Details', 'Conclusion'],
    text: `Body text of article ${n}. `.repeat(40).slice(0, 1000),
    links: Array.from({ length: 6 }, (_, i) => `https://example.com/section-${(n + i) % 97}/article-${n + i + 1}`),
    charset: 'utf-8',
  };
}

/** Puts and flushes one batch; returns the wall time in ms. */
async function flushBatch(store: LowdbPageStore): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < BATCH_PAGES; i++) store.put(makeRecord());
  await store.flush();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(path.join(dir, name))).size;
  return total;
}

async function measure(storedPages: number): Promise<void> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'skein-store-cost-'));
  const dir = path.join(root, 'pages');
  try {
    const store = await LowdbPageStore.open(dir);
    while (store.size < storedPages) await flushBatch(store);
    const timesMs: number[] = [];
    for (let i = 0; i < MEASURED_BATCHES; i++) timesMs.push(await flushBatch(store));
    const bytesOnDisk = await dirBytes(dir);
    const reopenStarted = process.hrtime.bigint();
    const reopened = await LowdbPageStore.open(dir);
    const reopenMs = Number(process.hrtime.bigint() - reopenStarted) / 1e6;
    const perPage = timesMs.map((ms) => ms / BATCH_PAGES);
    console.log(
      [
        `stored before: ${storedPages.toLocaleString('en')} pages`,
        `flush ms/page: median ${median(perPage).toFixed(4)}, min ${Math.min(...perPage).toFixed(4)}, max ${Math.max(...perPage).toFixed(4)}`,
        `(${MEASURED_BATCHES} batches of ${BATCH_PAGES})`,
        `| ${(bytesOnDisk / reopened.size).toFixed(0)} B/page on disk`,
        `| reopen ${reopenMs.toFixed(0)} ms for ${reopened.size.toLocaleString('en')} pages`,
        `| rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
      ].join(' '),
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const sample = JSON.stringify(makeRecord()).length;
console.log(`record size: ${sample} B as compact JSON; node ${process.version}; ${os.cpus().length} cpus`);
for (const size of SIZES) await measure(size);
